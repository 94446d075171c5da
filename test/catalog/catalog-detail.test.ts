import { randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Course, Lesson } from '../../src/infrastructure/database/schema/index.js';
import {
  bearer,
  insertCourse,
  insertEnrollment,
  insertLesson,
  insertModule,
  insertUser,
  mintAccessToken,
  type TestUser,
} from '../helpers/factories/index.js';
import { useTestApp } from '../helpers/use-test-app.js';

const PROBLEM_JSON = /^application\/problem\+json/;

interface OutlineLesson {
  id: string;
  content?: unknown;
  videoUrl?: unknown;
  [key: string]: unknown;
}
interface Detail {
  id: string;
  contentAccess: 'full' | 'preview';
  modules: Array<{ id: string; position: number; lessons: OutlineLesson[] }>;
  [key: string]: unknown;
}

describe('GET /api/v1/courses/{idOrSlug} and its lessons', () => {
  const suite = useTestApp();
  const tokens: Record<string, string> = {};
  let owner: TestUser;
  let published: Course;
  let draft: Course;
  let archived: Course;
  let previewLesson: Lesson;
  let paidLesson: Lesson;
  let secondModuleLesson: Lesson;
  let draftPreviewLesson: Lesson;
  let archivedLesson: Lesson;

  type Who =
    | 'anonymous'
    | 'owner'
    | 'otherInstructor'
    | 'admin'
    | 'student'
    | 'enrolled'
    | 'completed'
    | 'dropped'
    | 'expired'
    | 'archivedStudent';

  function get(url: string, who: Who, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const auth = who === 'anonymous' ? {} : bearer(tokens[who]!);
    return suite.app.inject({ method: 'GET', url: `/api/v1${url}`, headers: { ...auth, ...headers } });
  }
  async function detail(idOrSlug: string, who: Who): Promise<Detail> {
    const response = await get(`/courses/${idOrSlug}`, who);
    expect(response.statusCode, `${who}: ${response.body}`).toBe(200);
    return response.json() as Detail;
  }
  const allLessons = (course: Detail) => course.modules.flatMap((module) => module.lessons);

  beforeAll(async () => {
    const db = suite.db;
    owner = await insertUser(db, { role: 'instructor', name: 'Owner' });
    const users: Record<Exclude<Who, 'anonymous'>, TestUser> = {
      owner,
      otherInstructor: await insertUser(db, { role: 'instructor' }),
      admin: await insertUser(db, { role: 'admin' }),
      student: await insertUser(db),
      enrolled: await insertUser(db),
      completed: await insertUser(db),
      dropped: await insertUser(db),
      expired: await insertUser(db),
      archivedStudent: await insertUser(db),
    };
    for (const [who, user] of Object.entries(users)) tokens[who] = await mintAccessToken(suite.testApp, user);

    published = await insertCourse(db, owner.id, {
      title: 'Published Course',
      description: 'All about it.',
      slug: 'published-course',
    });
    // Inserted out of order: the outline must come back ordered by position.
    const secondModule = await insertModule(db, published.id, 1, 'Second');
    const firstModule = await insertModule(db, published.id, 0, 'First');
    secondModuleLesson = await insertLesson(db, secondModule, 0, {
      title: 'Deep dive',
      durationSeconds: 900,
    });
    paidLesson = await insertLesson(db, firstModule, 1, {
      title: 'Paid video',
      type: 'video',
      videoUrl: 'https://videos.example.test/paid.mp4',
      content: { transcript: 'secret transcript' },
      durationSeconds: 600,
    });
    previewLesson = await insertLesson(db, firstModule, 0, {
      title: 'Free preview',
      type: 'video',
      videoUrl: 'https://videos.example.test/preview.mp4',
      content: { transcript: 'hello' },
      isPreview: true,
      durationSeconds: 120,
    });

    draft = await insertCourse(db, owner.id, { title: 'Draft Course', status: 'draft' });
    draftPreviewLesson = await insertLesson(db, await insertModule(db, draft.id, 0), 0, { isPreview: true });
    archived = await insertCourse(db, owner.id, { title: 'Archived Course', status: 'archived' });
    archivedLesson = await insertLesson(db, await insertModule(db, archived.id, 0), 0);

    await insertEnrollment(db, users.enrolled.id, published.id);
    await insertEnrollment(db, users.completed.id, published.id, {
      status: 'completed',
      progressPercent: 100,
    });
    await insertEnrollment(db, users.dropped.id, published.id, { status: 'dropped' });
    // Still marked active, but its access window has passed (the expiry sweep has not run yet).
    await insertEnrollment(db, users.expired.id, published.id, { expiresAt: new Date(Date.now() - 60_000) });
    await insertEnrollment(db, users.archivedStudent.id, archived.id);
    // An enrollment in a draft does not make it visible (drafts: instructor and admins only).
    await insertEnrollment(db, users.enrolled.id, draft.id);
  });

  describe('published course', () => {
    it('shows the outline in order with bodies of preview lessons only to anonymous callers', async () => {
      const response = await get(`/courses/${published.id}`, 'anonymous');
      expect(response.statusCode).toBe(200);
      expect(response.headers['cache-control']).toBe('public, max-age=0, must-revalidate');
      const course = response.json() as Detail;
      expect(course).toMatchObject({
        id: published.id,
        slug: 'published-course',
        title: 'Published Course',
        description: 'All about it.',
        status: 'published',
        instructor: { id: owner.id, name: 'Owner' },
        lessonCount: 3,
        totalDurationSeconds: 1620,
        contentAccess: 'preview',
        priceCents: 0,
        isFree: true,
      });
      expect(course.modules.map((module) => module.position)).toEqual([0, 1]);
      expect(course.modules[0]!.lessons.map((lesson) => lesson.id)).toEqual([
        previewLesson.id,
        paidLesson.id,
      ]);
      expect(course.modules[1]!.lessons.map((lesson) => lesson.id)).toEqual([secondModuleLesson.id]);
      expect(course.modules[0]!.lessons[0]).toEqual({
        id: previewLesson.id,
        title: 'Free preview',
        type: 'video',
        position: 0,
        durationSeconds: 120,
        isPreview: true,
        content: { transcript: 'hello' },
        videoUrl: 'https://videos.example.test/preview.mp4',
      });
      for (const lesson of [course.modules[0]!.lessons[1]!, course.modules[1]!.lessons[0]!]) {
        expect(lesson).not.toHaveProperty('content');
        expect(lesson).not.toHaveProperty('videoUrl');
      }
      expect(response.body).not.toContain('secret transcript');
      expect(response.body).not.toContain('paid.mp4');
    });

    it('gives enrolled learners (active, completed), its instructor and admins every body, also once the public copy is cached', async () => {
      // The anonymous read caches the preview-only copy; nobody entitled may be served that one.
      expect((await get(`/courses/${published.id}`, 'anonymous')).body).not.toContain('secret transcript');
      for (const who of ['enrolled', 'completed', 'owner', 'admin'] as const) {
        for (const round of [1, 2]) {
          const response = await get(`/courses/${published.id}`, who);
          expect(response.statusCode, `${who} ${round}`).toBe(200);
          const course = response.json() as Detail;
          expect(course.contentAccess, `${who} ${round}`).toBe('full');
          expect(course.modules[0]!.lessons[1], `${who} ${round}`).toMatchObject({
            id: paidLesson.id,
            content: { transcript: 'secret transcript' },
          });
        }
      }
      // And the public copy stays preview-only after them.
      expect((await get(`/courses/${published.id}`, 'anonymous')).body).not.toContain('secret transcript');
    });

    it('a module without lessons is listed with an empty lesson list', async () => {
      const course = await insertCourse(suite.db, owner.id, { title: 'Half-built course' });
      const filled = await insertModule(suite.db, course.id, 0, 'Filled');
      const lesson = await insertLesson(suite.db, filled, 0, { isPreview: true });
      const empty = await insertModule(suite.db, course.id, 1, 'Empty');
      for (const who of ['anonymous', 'owner'] as const) {
        const shown = await detail(course.id, who);
        expect(
          shown.modules.map((module) => [module.id, module.lessons.map((l) => l.id)]),
          who,
        ).toEqual([
          [filled.id, [lesson.id]],
          [empty.id, []],
        ]);
      }
    });

    it('a paid course is not free', async () => {
      const paid = await insertCourse(suite.db, owner.id, { title: 'Paid Course', priceCents: 4_900 });
      const response = await get(`/courses/${paid.id}`, 'anonymous');
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json()).toMatchObject({ priceCents: 4_900, isFree: false });
    });

    it('is found by slug as well as by id (upper-case UUIDs too)', async () => {
      const byId = await get(`/courses/${published.id}`, 'anonymous');
      const bySlug = await get('/courses/published-course', 'anonymous');
      const byUpperId = await get(`/courses/${published.id.toUpperCase()}`, 'anonymous');
      expect(bySlug.json()).toEqual(byId.json());
      expect(byUpperId.json()).toEqual(byId.json());
      expect(bySlug.headers.etag).toBe(byId.headers.etag);
    });

    for (const who of ['student', 'otherInstructor', 'dropped', 'expired'] as const) {
      it(`${who}: sees the outline without lesson bodies (private cache-control)`, async () => {
        const response = await get(`/courses/${published.slug}`, who);
        expect(response.statusCode).toBe(200);
        expect(response.headers['cache-control']).toBe('private, max-age=0, must-revalidate');
        const course = response.json() as Detail;
        expect(course.contentAccess).toBe('preview');
        expect(
          allLessons(course)
            .filter((lesson) => 'content' in lesson)
            .map((l) => l.id),
        ).toEqual([previewLesson.id]);
      });
    }

    for (const who of ['enrolled', 'completed', 'owner', 'admin'] as const) {
      it(`${who}: sees every lesson body`, async () => {
        const response = await get(`/courses/${published.id}`, who);
        expect(response.headers['cache-control']).toBe('private, max-age=0, must-revalidate');
        const course = response.json() as Detail;
        expect(course.contentAccess).toBe('full');
        const paid = allLessons(course).find((lesson) => lesson.id === paidLesson.id);
        expect(paid).toMatchObject({
          content: { transcript: 'secret transcript' },
          videoUrl: 'https://videos.example.test/paid.mp4',
        });
        expect(allLessons(course).every((lesson) => 'content' in lesson)).toBe(true);
      });
    }
  });

  describe('drafts do not leak', () => {
    it('404 for anonymous callers, students (even enrolled ones) and other instructors, with the same problem as a missing course', async () => {
      const missing = await get(`/courses/${randomUUID()}`, 'anonymous');
      expect(missing.statusCode).toBe(404);
      for (const who of ['anonymous', 'student', 'enrolled', 'otherInstructor'] as const) {
        for (const ref of [draft.id, draft.slug]) {
          const response = await get(`/courses/${ref}`, who);
          expect(response.statusCode, `${who} ${ref}`).toBe(404);
          expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
          expect(response.json().detail).toBe(missing.json().detail);
        }
      }
    });

    it('200 with every lesson body for its instructor and admins', async () => {
      for (const who of ['owner', 'admin'] as const) {
        const course = await detail(draft.id, who);
        expect(course).toMatchObject({ status: 'draft', contentAccess: 'full', publishedAt: null });
      }
    });

    it('its lessons are 404 for everyone else, preview or not', async () => {
      for (const who of ['anonymous', 'student', 'enrolled', 'otherInstructor'] as const) {
        const response = await get(`/courses/${draft.id}/lessons/${draftPreviewLesson.id}`, who);
        expect(response.statusCode, who).toBe(404);
      }
      expect((await get(`/courses/${draft.id}/lessons/${draftPreviewLesson.id}`, 'owner')).statusCode).toBe(
        200,
      );
    });
  });

  describe('archived courses', () => {
    it('stay visible, in full, to enrolled students, instructor and admins', async () => {
      for (const who of ['archivedStudent', 'owner', 'admin'] as const) {
        const course = await detail(archived.id, who);
        expect(course).toMatchObject({ status: 'archived', contentAccess: 'full' });
      }
      const lesson = await get(`/courses/${archived.id}/lessons/${archivedLesson.id}`, 'archivedStudent');
      expect(lesson.statusCode).toBe(200);
    });

    it('are 404 to everyone else', async () => {
      for (const who of ['anonymous', 'student', 'enrolled', 'otherInstructor'] as const) {
        expect((await get(`/courses/${archived.id}`, who)).statusCode, who).toBe(404);
        expect((await get(`/courses/${archived.id}/lessons/${archivedLesson.id}`, who)).statusCode, who).toBe(
          404,
        );
      }
    });
  });

  describe('unknown references', () => {
    it('404 for an unknown id, unknown slug or something that is neither', async () => {
      for (const ref of [randomUUID(), 'no-such-course', 'Not%20A%20Slug!', '--', 'x'.repeat(90)]) {
        const response = await get(`/courses/${ref}`, 'anonymous');
        expect(response.statusCode, ref).toBe(404);
        expect(response.json().code).toBe('not_found');
      }
    });
  });

  describe('GET /courses/{idOrSlug}/lessons/{lessonId}', () => {
    it('a preview lesson is open to everyone, with its body', async () => {
      const response = await get(`/courses/${published.slug}/lessons/${previewLesson.id}`, 'anonymous');
      expect(response.statusCode).toBe(200);
      expect(response.headers['cache-control']).toBe('public, max-age=0, must-revalidate');
      expect(response.json()).toEqual({
        id: previewLesson.id,
        courseId: published.id,
        moduleId: previewLesson.moduleId,
        title: 'Free preview',
        type: 'video',
        position: 0,
        durationSeconds: 120,
        isPreview: true,
        content: { transcript: 'hello' },
        videoUrl: 'https://videos.example.test/preview.mp4',
        updatedAt: previewLesson.updatedAt.toISOString(),
      });
    });

    it('other lessons: 401 anonymous, 403 not_enrolled saying why when signed in (never, dropped, expired)', async () => {
      const anonymous = await get(`/courses/${published.id}/lessons/${paidLesson.id}`, 'anonymous');
      expect(anonymous.statusCode).toBe(401);
      expect(anonymous.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(anonymous.json().detail).toBe('Sign in and enroll to access this lesson.');
      expect(anonymous.body).not.toContain('secret transcript');
      const why = {
        student: [null, 'You need to enroll to access this lesson.'],
        otherInstructor: [null, 'You need to enroll to access this lesson.'],
        dropped: ['dropped', 'You dropped this course: enroll again to access this lesson.'],
        expired: ['expired', 'Your access to this course has expired.'],
      } as const;
      for (const [who, [enrollmentStatus, detail]] of Object.entries(why)) {
        const response = await get(
          `/courses/${published.id}/lessons/${paidLesson.id}`,
          who as keyof typeof why,
        );
        expect(response.statusCode, who).toBe(403);
        expect(response.json(), who).toMatchObject({
          code: 'not_enrolled',
          courseId: published.id,
          enrollmentStatus,
          detail,
        });
        expect(response.body).not.toContain('secret transcript');
      }
    });

    it('other lessons: 200 with the body for enrolled (active or completed), instructor and admin', async () => {
      for (const who of ['enrolled', 'completed', 'owner', 'admin'] as const) {
        const response = await get(`/courses/${published.id}/lessons/${paidLesson.id}`, who);
        expect(response.statusCode, who).toBe(200);
        expect(response.headers['cache-control']).toBe('private, max-age=0, must-revalidate');
        expect(response.json()).toMatchObject({
          content: { transcript: 'secret transcript' },
          videoUrl: 'https://videos.example.test/paid.mp4',
        });
      }
    });

    it('404 for a lesson of another course, 400 for a malformed lesson id', async () => {
      const elsewhere = await get(`/courses/${published.id}/lessons/${archivedLesson.id}`, 'admin');
      expect(elsewhere.statusCode).toBe(404);
      expect(elsewhere.json().detail).toBe('No such lesson in this course.');
      const malformed = await get(`/courses/${published.id}/lessons/not-a-uuid`, 'admin');
      expect(malformed.statusCode).toBe(400);
      expect(malformed.json().errors[0].field).toBe('/params/lessonId');
    });

    it('takes the lesson id in upper case too', async () => {
      const upper = await get(`/courses/${published.id}/lessons/${paidLesson.id.toUpperCase()}`, 'owner');
      expect(upper.statusCode, upper.body).toBe(200);
      expect(upper.json().id).toBe(paidLesson.id);
    });

    it('supports If-None-Match', async () => {
      const first = await get(`/courses/${published.id}/lessons/${previewLesson.id}`, 'anonymous');
      const again = await get(`/courses/${published.id}/lessons/${previewLesson.id}`, 'anonymous', {
        'if-none-match': first.headers.etag as string,
      });
      expect(again.statusCode).toBe(304);
      expect(again.body).toBe('');
    });
  });

  describe('conditional GET on the detail', () => {
    it('strong ETag, 304 with no body, a different tag per view, Vary: Authorization', async () => {
      const anonymous = await get(`/courses/${published.id}`, 'anonymous');
      const etag = anonymous.headers.etag as string;
      expect(etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
      expect(anonymous.headers.vary).toContain('Authorization');

      const revalidated = await get(`/courses/${published.id}`, 'anonymous', { 'if-none-match': etag });
      expect(revalidated.statusCode).toBe(304);
      expect(revalidated.body).toBe('');
      expect(revalidated.headers.etag).toBe(etag);
      expect(revalidated.headers['cache-control']).toBe('public, max-age=0, must-revalidate');

      // The full view is another representation: the public view's tag does not validate it.
      const enrolled = await get(`/courses/${published.id}`, 'enrolled', { 'if-none-match': etag });
      expect(enrolled.statusCode).toBe(200);
      expect(enrolled.headers.etag).not.toBe(etag);
      const enrolledAgain = await get(`/courses/${published.id}`, 'enrolled', {
        'if-none-match': enrolled.headers.etag as string,
      });
      expect(enrolledAgain.statusCode).toBe(304);
    });

    it('a 404 is not cacheable', async () => {
      const response = await get(`/courses/${draft.id}`, 'anonymous');
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.headers.etag).toBeUndefined();
    });
  });
});
