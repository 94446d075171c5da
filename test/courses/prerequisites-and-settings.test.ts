import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { coursePrerequisites, lessons } from '../../src/infrastructure/database/schema/index.js';
import {
  api,
  courseRow,
  insertCourse,
  insertPrerequisites,
  type SignedInUser,
} from '../helpers/factories/index.js';
import { useTestApp } from '../helpers/use-test-app.js';

describe('course settings and prerequisites', () => {
  const suite = useTestApp({ cast: ['instructor', 'otherInstructor', 'student', 'admin'] });
  const { instructor, otherInstructor, student, admin } = suite.cast;

  const prerequisitesOf = async (courseId: string) =>
    (
      await suite.db
        .select({ id: coursePrerequisites.prerequisiteCourseId })
        .from(coursePrerequisites)
        .where(eq(coursePrerequisites.courseId, courseId))
    )
      .map((row) => row.id)
      .sort();

  const put = (courseId: string, ids: string[], caller: SignedInUser = instructor, headers = {}) =>
    suite.app.inject({
      method: 'PUT',
      url: `/api/v1/courses/${courseId}/prerequisites`,
      headers: { ...caller.headers, ...headers },
      payload: { prerequisiteCourseIds: ids },
    });
  const get = (courseId: string, caller: SignedInUser = instructor) =>
    suite.app.inject({
      method: 'GET',
      url: `/api/v1/courses/${courseId}/prerequisites`,
      headers: caller.headers,
    });
  const published = (title = 'Published') => insertCourse(suite.db, instructor.id, { title });

  describe('sequentialModules, accessDurationDays, isRequired', () => {
    it('are written on create and update and read back', async () => {
      const course = await api.createCourse(suite.app, instructor, {
        sequentialModules: true,
        accessDurationDays: 90,
      });
      expect(course).toMatchObject({ sequentialModules: true, accessDurationDays: 90 });
      const updated = await suite.app.inject({
        method: 'PATCH',
        url: `/api/v1/courses/${course.id}`,
        headers: { ...instructor.headers, 'if-match': `"${course.version}"` },
        payload: { sequentialModules: false, accessDurationDays: null },
      });
      expect(updated.statusCode, updated.body).toBe(200);
      expect(updated.json()).toMatchObject({ sequentialModules: false, accessDurationDays: null });
      expect(await courseRow(suite.db, course.id)).toMatchObject({
        sequentialModules: false,
        accessDurationDays: null,
      });
    });

    it('defaults: not sequential, no access limit, lessons required', async () => {
      const { course, lesson } = await api.createPublishableCourse(suite.app, instructor);
      expect(course).toMatchObject({ sequentialModules: false, accessDurationDays: null });
      const [row] = await suite.db.select().from(lessons).where(eq(lessons.id, lesson.id));
      expect(row?.isRequired).toBe(true);
    });

    it('isRequired on lesson create and update', async () => {
      const course = await api.createCourse(suite.app, instructor);
      const module = await api.addModule(suite.app, instructor, course.id);
      const lesson = await api.addLesson(suite.app, instructor, course.id, module.id, { isRequired: false });
      expect(lesson).toMatchObject({ isRequired: false });
      const updated = await suite.app.inject({
        method: 'PATCH',
        url: `/api/v1/courses/${course.id}/lessons/${lesson.id}`,
        headers: instructor.headers,
        payload: { isRequired: true },
      });
      expect(updated.statusCode, updated.body).toBe(200);
      expect(updated.json().isRequired).toBe(true);
    });

    it('refuses an access duration out of range or fractional (400) and changes nothing', async () => {
      const course = await api.createCourse(suite.app, instructor);
      for (const accessDurationDays of [0, 36_501, 1.5, '30']) {
        const response = await suite.app.inject({
          method: 'PATCH',
          url: `/api/v1/courses/${course.id}`,
          headers: { ...instructor.headers, 'if-match': `"${course.version}"` },
          payload: { accessDurationDays },
        });
        expect(response.statusCode).toBe(400);
      }
      expect((await courseRow(suite.db, course.id))?.accessDurationDays).toBeNull();
    });
  });

  describe('PUT / GET /courses/:id/prerequisites', () => {
    it('replaces the list, bumps the version, and reads it back', async () => {
      const course = await published('Target');
      const [a, b, c] = [
        await published('A course'),
        await published('B course'),
        await published('C course'),
      ];
      const first = await put(course.id, [a.id, b.id]);
      expect(first.statusCode, first.body).toBe(200);
      expect(first.json().prerequisites.map((p: { id: string }) => p.id)).toEqual([a.id, b.id]);
      expect(first.json().courseVersion).toBe(course.version + 1);
      expect(first.headers.etag).toBe(`"${course.version + 1}"`);
      const second = await put(course.id, [c.id], admin);
      expect(second.statusCode).toBe(200);
      expect(await prerequisitesOf(course.id)).toEqual([c.id]);
      const read = await get(course.id);
      expect(read.statusCode).toBe(200);
      expect(read.json().prerequisites).toEqual([
        { id: c.id, slug: c.slug, title: 'C course', status: 'published' },
      ]);
      expect((await put(course.id, [])).json().prerequisites).toEqual([]);
      expect(await prerequisitesOf(course.id)).toEqual([]);
    });

    it('refuses the course itself and unpublished or unknown courses (400 per entry), writing nothing', async () => {
      const course = await published();
      const draft = await insertCourse(suite.db, otherInstructor.id, {
        status: 'draft',
        title: 'Secret draft',
      });
      const ok = await published();
      await insertPrerequisites(suite.db, course.id, [ok.id]);
      const response = await put(course.id, [
        course.id,
        draft.id,
        '00000000-0000-4000-8000-000000000000',
        ok.id,
      ]);
      expect(response.statusCode).toBe(400);
      expect(response.json().errors).toEqual([
        { field: '/body/prerequisiteCourseIds/0', message: 'is this course itself' },
        { field: '/body/prerequisiteCourseIds/1', message: 'is not a published course' },
        { field: '/body/prerequisiteCourseIds/2', message: 'is not a published course' },
      ]);
      expect(response.body).not.toContain('Secret draft');
      expect(await prerequisitesOf(course.id)).toEqual([ok.id]);
      expect((await courseRow(suite.db, course.id))?.version).toBe(course.version);
    });

    it('refuses a cycle, direct or through other courses (409 prerequisite_cycle with the path)', async () => {
      const [a, b, c] = [await published('Cycle A'), await published('Cycle B'), await published('Cycle C')];
      expect((await put(b.id, [a.id])).statusCode).toBe(200); // B needs A
      expect((await put(c.id, [b.id])).statusCode).toBe(200); // C needs B
      const direct = await put(a.id, [b.id]);
      expect(direct.statusCode).toBe(409);
      expect(direct.json()).toMatchObject({ code: 'prerequisite_cycle', cycle: [b.id, a.id] });
      const indirect = await put(a.id, [c.id]);
      expect(indirect.statusCode).toBe(409);
      expect(indirect.json().cycle).toEqual([c.id, b.id, a.id]);
      expect(await prerequisitesOf(a.id)).toEqual([]);
    });

    it('two concurrent edits cannot close a cycle together', async () => {
      const [a, b] = [await published('Race A'), await published('Race B')];
      const answers = await Promise.all([put(a.id, [b.id]), put(b.id, [a.id])]);
      expect(answers.map((answer) => answer.statusCode).sort()).toEqual([200, 409]);
    });

    it('students get 403; another instructor 403 on a published course, 404 on a draft', async () => {
      const course = await published();
      const draft = await insertCourse(suite.db, instructor.id, { status: 'draft' });
      const other = await published();
      expect((await put(course.id, [other.id], student)).statusCode).toBe(403);
      expect((await get(course.id, student)).statusCode).toBe(403);
      expect((await put(course.id, [other.id], otherInstructor)).statusCode).toBe(403);
      expect((await get(draft.id, otherInstructor)).statusCode).toBe(404);
      expect((await put(draft.id, [other.id], otherInstructor)).statusCode).toBe(404);
      expect(await prerequisitesOf(course.id)).toEqual([]);
    });

    it('honours a stale If-Match (412)', async () => {
      const course = await published();
      const other = await published();
      expect((await put(course.id, [other.id], instructor, { 'if-match': '"999"' })).statusCode).toBe(412);
      expect(await prerequisitesOf(course.id)).toEqual([]);
    });
  });
});
