import { beforeAll, describe, expect, it } from 'vitest';
import {
  enrollmentRow,
  insertCourseWithOutline,
  insertEnrollment,
  insertSignedInUser,
  lessonProgressRows,
  type OutlineCourse,
  type SignedInUser,
} from '../helpers/factories/index.js';
import { useTestApp } from '../helpers/use-test-app.js';

const BODY = (name: string) => ({ body: `secret body of ${name}` });

/**
 * Locked lessons and lesson bodies: what the progress module's rule leaves open, through the progress
 * write, the catalog's lesson read (`GET /courses/{id}/lessons/{lessonId}`) and its outline.
 */
describe('lesson access and module locks', () => {
  const suite = useTestApp({ cast: ['instructor', 'otherInstructor', 'admin'] });
  const { instructor, otherInstructor, admin } = suite.cast;
  let course: OutlineCourse;
  let learner: SignedInUser;
  let completer: SignedInUser;
  let stranger: SignedInUser;
  let dropped: SignedInUser;
  let expired: SignedInUser;

  const put = (user: SignedInUser, lessonId: string, payload: Record<string, unknown>) =>
    suite.app.inject({
      method: 'PUT',
      url: `/api/v1/me/lessons/${lessonId}/progress`,
      headers: user.headers,
      payload,
    });
  const read = (user: SignedInUser | null, lessonId: string) =>
    suite.app.inject({
      method: 'GET',
      url: `/api/v1/courses/${course.course.id}/lessons/${lessonId}`,
      headers: user?.headers ?? {},
    });
  const student = async (overrides: Record<string, unknown> | null = {}) => {
    const user = await insertSignedInUser(suite.testApp);
    if (overrides !== null) await insertEnrollment(suite.db, user.id, course.course.id, overrides);
    return user;
  };

  beforeAll(async () => {
    // Module 1: required "intro", optional "extra"; module 2: a preview lesson and "deep"; module 3: "final".
    course = await insertCourseWithOutline(
      suite.db,
      instructor.id,
      [
        [
          { title: 'Intro', content: BODY('intro') },
          { title: 'Extra', isRequired: false, content: BODY('extra') },
        ],
        [
          { title: 'Teaser', isPreview: true, content: BODY('teaser') },
          { title: 'Deep', content: BODY('deep') },
        ],
        [{ title: 'Final', content: BODY('final') }],
      ],
      { sequentialModules: true },
    );
    learner = await student();
    completer = await student({ status: 'completed', progressPercent: 100 });
    stranger = await student(null);
    dropped = await student({ status: 'dropped' });
    expired = await student({ expiresAt: new Date(Date.now() - 60_000) });
  });

  const lesson = (title: string) => course.lessons.find((l) => l.title === title)!;

  describe('progress in a locked lesson', () => {
    it('403 lesson_locked naming what to complete first; nothing written', async () => {
      const user = await student();
      const response = await put(user, lesson('Final').id, { status: 'completed', timeSpentSeconds: 30 });
      expect(response.statusCode, response.body).toBe(403);
      const problem = response.json();
      expect(problem.code).toBe('lesson_locked');
      expect(problem.remainingRequiredLessons).toBe(3);
      expect(problem.blockingModuleId).toBe(course.modules[0]!.id);
      expect(problem.requires.map((r: { lessonId: string }) => r.lessonId)).toEqual([
        lesson('Intro').id,
        lesson('Teaser').id,
        lesson('Deep').id,
      ]);
      expect(problem.requires[0]).toEqual({
        lessonId: lesson('Intro').id,
        title: 'Intro',
        moduleId: course.modules[0]!.id,
        moduleTitle: 'Module 1',
      });
      expect(problem.detail).toContain('“Intro”');
      // Not one body in the problem, and no row, no time, no last access.
      expect(response.body).not.toContain('secret body');
      expect(await lessonProgressRows(suite.db, user.id)).toEqual([]);
      const [row] = await suite.db.query.enrollments.findMany({
        where: (e, { eq }) => eq(e.userId, user.id),
      });
      expect(row).toMatchObject({ timeSpentSeconds: 0, lastAccessedAt: null });
    });

    it('a position report (no status) on a locked lesson: 403 lesson_locked, nothing written either', async () => {
      const user = await student();
      const response = await put(user, lesson('Final').id, { positionSeconds: 12, timeSpentSeconds: 30 });
      expect(response.statusCode, response.body).toBe(403);
      expect(response.json().code).toBe('lesson_locked');
      expect(await lessonProgressRows(suite.db, user.id)).toEqual([]);
      const [row] = await suite.db.query.enrollments.findMany({
        where: (e, { eq }) => eq(e.userId, user.id),
      });
      expect(row).toMatchObject({ timeSpentSeconds: 0, lastAccessedAt: null });
    });

    it('module 1 is always open; optional lessons never block; module 2 opens once “Intro” is done', async () => {
      const user = await student();
      expect((await put(user, lesson('Extra').id, {})).statusCode).toBe(200);
      expect((await put(user, lesson('Deep').id, {})).json().code).toBe('lesson_locked');
      expect((await put(user, lesson('Intro').id, { status: 'completed' })).statusCode).toBe(200);
      expect((await put(user, lesson('Deep').id, { status: 'completed' })).statusCode).toBe(200);
      const final = await put(user, lesson('Final').id, {});
      expect(final.json()).toMatchObject({ code: 'lesson_locked', remainingRequiredLessons: 1 });
      expect(final.json().requires).toEqual([expect.objectContaining({ title: 'Teaser' })]);
    });

    it('a preview lesson of a locked module is readable by anyone but its progress follows the rule', async () => {
      const user = await student();
      expect((await read(null, lesson('Teaser').id)).statusCode).toBe(200);
      expect((await put(user, lesson('Teaser').id, {})).json().code).toBe('lesson_locked');
    });

    it('a completed enrollment has nothing locked', async () => {
      expect((await put(completer, lesson('Final').id, {})).statusCode).toBe(200);
    });
  });

  describe('GET /courses/{id}/lessons/{lessonId}: the body', () => {
    it('enrolled learners read unlocked lessons in full; locked ones are 403 lesson_locked without the body', async () => {
      const intro = await read(learner, lesson('Intro').id);
      expect(intro.statusCode).toBe(200);
      expect(intro.json().content).toEqual(BODY('intro'));
      const deep = await read(learner, lesson('Deep').id);
      expect(deep.statusCode).toBe(403);
      expect(deep.json()).toMatchObject({ code: 'lesson_locked', remainingRequiredLessons: 1 });
      expect(deep.json().requires).toEqual([expect.objectContaining({ title: 'Intro' })]);
      expect(deep.body).not.toContain('secret body');
    });

    it('preview lessons stay public, locked module or not', async () => {
      for (const user of [null, stranger, learner, dropped]) {
        const response = await read(user, lesson('Teaser').id);
        expect(response.statusCode).toBe(200);
        expect(response.json().content).toEqual(BODY('teaser'));
      }
    });

    it('not enrolled, dropped, expired: today’s preview-only view (403 / 401), no body', async () => {
      for (const [user, enrollmentStatus] of [
        [stranger, null],
        [dropped, 'dropped'],
        [expired, 'expired'],
      ] as const) {
        const response = await read(user, lesson('Intro').id);
        expect(response.statusCode).toBe(403);
        expect(response.json()).toMatchObject({ code: 'not_enrolled', enrollmentStatus });
        expect(response.body).not.toContain('secret body');
      }
      const anonymous = await read(null, lesson('Intro').id);
      expect(anonymous.statusCode).toBe(401);
      expect(anonymous.body).not.toContain('secret body');
      expect((await read(otherInstructor, lesson('Intro').id)).statusCode).toBe(403);
    });

    it('the instructor, admins and completed learners read every lesson', async () => {
      for (const user of [instructor, admin, completer]) {
        const response = await read(user, lesson('Final').id);
        expect(response.statusCode).toBe(200);
        expect(response.json().content).toEqual(BODY('final'));
      }
    });

    it('a lesson unlocks for reading as soon as the learner completes what it needs', async () => {
      const user = await student();
      expect((await read(user, lesson('Deep').id)).statusCode).toBe(403);
      await put(user, lesson('Intro').id, { status: 'completed' });
      expect((await read(user, lesson('Deep').id)).statusCode).toBe(200);
    });
  });

  describe('GET /courses/{id}: the outline does not carry locked bodies', () => {
    it('a learner with locked modules gets preview bodies only; authors and finished learners get all', async () => {
      const outline = await suite.app.inject({
        method: 'GET',
        url: `/api/v1/courses/${course.course.id}`,
        headers: learner.headers,
      });
      expect(outline.statusCode).toBe(200);
      expect(outline.json().contentAccess).toBe('preview');
      expect(outline.body).toContain('secret body of teaser');
      for (const hidden of ['intro', 'deep', 'final', 'extra']) {
        expect(outline.body).not.toContain(`secret body of ${hidden}`);
      }
      for (const user of [instructor, completer]) {
        const full = await suite.app.inject({
          method: 'GET',
          url: `/api/v1/courses/${course.course.id}`,
          headers: user.headers,
        });
        expect(full.json().contentAccess).toBe('full');
        expect(full.body).toContain('secret body of final');
      }
    });

    it('an instructor or admin holding an active enrollment of their own still gets every body', async () => {
      // Their enrollment has nothing completed, so the rule would lock modules 2 and 3 for a learner.
      const own = await insertCourseWithOutline(
        suite.db,
        instructor.id,
        [[{ title: 'One', content: BODY('one') }], [{ title: 'Two', content: BODY('two') }]],
        { sequentialModules: true },
      );
      for (const author of [instructor, admin]) {
        await insertEnrollment(suite.db, author.id, own.course.id);
        const outline = await suite.app.inject({
          method: 'GET',
          url: `/api/v1/courses/${own.course.id}`,
          headers: author.headers,
        });
        expect(outline.statusCode, outline.body).toBe(200);
        expect(outline.json().contentAccess).toBe('full');
        expect(outline.body).toContain('secret body of two');
      }
    });

    it('a sequential draft stays 404 to a learner enrolled in it, locked modules or not', async () => {
      const draft = await insertCourseWithOutline(suite.db, instructor.id, [1, 1], {
        sequentialModules: true,
        status: 'draft',
      });
      const user = await insertSignedInUser(suite.testApp);
      await insertEnrollment(suite.db, user.id, draft.course.id);
      const outline = await suite.app.inject({
        method: 'GET',
        url: `/api/v1/courses/${draft.course.id}`,
        headers: user.headers,
      });
      expect(outline.statusCode).toBe(404);
    });

    it('once nothing is locked any more, the learner gets the full outline', async () => {
      const user = await student();
      for (const title of ['Intro', 'Teaser', 'Deep']) {
        expect((await put(user, lesson(title).id, { status: 'completed' })).statusCode).toBe(200);
      }
      const outline = await suite.app.inject({
        method: 'GET',
        url: `/api/v1/courses/${course.course.id}`,
        headers: user.headers,
      });
      expect(outline.json().contentAccess).toBe('full');
      expect(outline.body).toContain('secret body of final');
      const [enrollment] = await suite.db.query.enrollments.findMany({
        where: (e, { eq }) => eq(e.userId, user.id),
      });
      expect((await enrollmentRow(suite.db, enrollment!.id)).progressPercent).toBe(75);
    });
  });
});
