import { describe, expect, it } from 'vitest';
import { api, courseRow, insertEnrollment, type SignedInUser } from '../helpers/factories/index.js';
import { useTestApp } from '../helpers/use-test-app.js';

describe('course authoring: draft → published → archived', () => {
  const suite = useTestApp({ cast: ['instructor', 'otherInstructor', 'student', 'admin'] });
  const { instructor, otherInstructor, student, admin } = suite.cast;

  const db = () => suite.db;
  const act = (
    action: string,
    courseId: string,
    author?: SignedInUser,
    headers: Record<string, string> = {},
  ) =>
    suite.app.inject({
      method: 'POST',
      url: `/api/v1/courses/${courseId}/${action}`,
      headers: { ...(author?.headers ?? {}), ...headers },
    });

  describe('publish', () => {
    it('refuses a course without modules (409 listing the blocker) and leaves it a draft', async () => {
      const course = await api.createCourse(suite.app, instructor);
      const response = await act('publish', course.id, instructor);
      expect(response.statusCode).toBe(409);
      expect(response.json().blockers).toEqual([
        'The course needs at least one module with at least one lesson.',
      ]);
      expect(await courseRow(db(), course.id)).toMatchObject({
        status: 'draft',
        publishedAt: null,
        version: 1,
      });
    });

    it('refuses a course whose modules have no lessons', async () => {
      const course = await api.createCourse(suite.app, instructor);
      await api.addModule(suite.app, instructor, course.id);
      await api.addModule(suite.app, instructor, course.id);
      const response = await act('publish', course.id, instructor);
      expect(response.statusCode).toBe(409);
      expect(response.json().blockers).toEqual(['At least one module needs at least one lesson.']);
      expect((await courseRow(db(), course.id))?.status).toBe('draft');
    });

    it('refuses a course without a description', async () => {
      const { course } = await api.createPublishableCourse(suite.app, instructor, { description: '   ' });
      const response = await act('publish', course.id, instructor);
      expect(response.statusCode).toBe(409);
      expect(response.json().blockers).toEqual(['The course needs a description.']);
    });

    it('publishes a ready course: sets published_at, bumps the version, returns the new ETag', async () => {
      const { course } = await api.createPublishableCourse(suite.app, instructor);
      const before = Date.now();
      const response = await act('publish', course.id, instructor);
      expect(response.statusCode, response.body).toBe(200);
      const published = response.json();
      expect(published.status).toBe('published');
      expect(Date.parse(published.publishedAt)).toBeGreaterThanOrEqual(before - 1000);
      expect(published.archivedAt).toBeNull();
      expect(published.version).toBe(course.version + 3);
      expect(response.headers.etag).toBe(`"${published.version}"`);
      const again = await act('publish', course.id, instructor);
      expect(again.statusCode).toBe(409);
      expect(again.json().detail).toMatch(/already published|published course/);
    });

    it('honours If-Match when sent (412 on a stale one)', async () => {
      const { course } = await api.createPublishableCourse(suite.app, instructor);
      const stale = await act('publish', course.id, instructor, { 'if-match': '"1"' });
      expect(stale.statusCode).toBe(412);
      expect((await courseRow(db(), course.id))?.status).toBe('draft');
      const current = await courseRow(db(), course.id);
      const fresh = await act('publish', course.id, instructor, { 'if-match': `"${current?.version}"` });
      expect(fresh.statusCode).toBe(200);
    });
  });

  describe('archive and republish', () => {
    it('archives a published course and republishes it, keeping the first published_at', async () => {
      const { course } = await api.createPublishedCourse(suite.app, instructor);
      const archived = await act('archive', course.id, instructor);
      expect(archived.statusCode, archived.body).toBe(200);
      expect(archived.json()).toMatchObject({ status: 'archived', publishedAt: course.publishedAt });
      expect(archived.json().archivedAt).not.toBeNull();

      const archiveAgain = await act('archive', course.id, instructor);
      expect(archiveAgain.statusCode).toBe(409);
      const unpublishArchived = await act('unpublish', course.id, instructor);
      expect(unpublishArchived.statusCode).toBe(409);

      const republished = await act('publish', course.id, instructor);
      expect(republished.statusCode).toBe(200);
      expect(republished.json()).toMatchObject({
        status: 'published',
        publishedAt: course.publishedAt,
        archivedAt: null,
      });
    });

    it('refuses to archive a draft (409 with a clear detail)', async () => {
      const course = await api.createCourse(suite.app, instructor);
      const response = await act('archive', course.id, instructor);
      expect(response.statusCode).toBe(409);
      expect(response.json().detail).toBe(
        'Cannot archive a draft course; only published courses can be archived.',
      );
    });
  });

  describe('unpublish', () => {
    it('takes a published course without enrollments back to draft', async () => {
      const { course } = await api.createPublishedCourse(suite.app, instructor);
      const response = await act('unpublish', course.id, instructor);
      expect(response.statusCode).toBe(200);
      expect(response.json().status).toBe('draft');
    });

    it('refuses when students are enrolled (409), and refuses drafts', async () => {
      const { course } = await api.createPublishedCourse(suite.app, instructor);
      await insertEnrollment(db(), student.id, course.id);
      const response = await act('unpublish', course.id, instructor);
      expect(response.statusCode).toBe(409);
      expect(response.json().detail).toMatch(/archive it instead/);
      expect((await courseRow(db(), course.id))?.status).toBe('published');

      const draft = await api.createCourse(suite.app, instructor);
      expect((await act('unpublish', draft.id, instructor)).statusCode).toBe(409);
    });
  });

  describe('a published course keeps at least one lesson', () => {
    it('refuses deleting the last lesson or the last module with lessons, allows deleting others', async () => {
      const { course, module, lesson } = await api.createPublishedCourse(suite.app, instructor);
      const lastLesson = await suite.app.inject({
        method: 'DELETE',
        url: `/api/v1/courses/${course.id}/lessons/${lesson.id}`,
        headers: instructor.headers,
      });
      expect(lastLesson.statusCode).toBe(409);
      const lastModule = await suite.app.inject({
        method: 'DELETE',
        url: `/api/v1/courses/${course.id}/modules/${module.id}`,
        headers: instructor.headers,
      });
      expect(lastModule.statusCode).toBe(409);

      const extra = await api.addLesson(suite.app, instructor, course.id, module.id);
      const deleteOne = await suite.app.inject({
        method: 'DELETE',
        url: `/api/v1/courses/${course.id}/lessons/${lesson.id}`,
        headers: instructor.headers,
      });
      expect(deleteOne.statusCode).toBe(204);
      const remaining = await suite.app.inject({
        method: 'GET',
        url: `/api/v1/courses/${course.id}/authoring`,
        headers: instructor.headers,
      });
      expect(
        remaining.json().modules[0].lessons.map((l: { id: string; position: number }) => [l.id, l.position]),
      ).toEqual([[extra.id, 0]]);
    });
  });

  describe('who may change the status', () => {
    it('hides another instructor’s draft (404) and refuses their published course (403)', async () => {
      const { course: draft } = await api.createPublishableCourse(suite.app, instructor);
      expect((await act('publish', draft.id, otherInstructor)).statusCode).toBe(404);
      const { course: published } = await api.createPublishedCourse(suite.app, instructor);
      expect((await act('archive', published.id, otherInstructor)).statusCode).toBe(403);
      expect((await act('unpublish', published.id, otherInstructor)).statusCode).toBe(403);
      expect((await courseRow(db(), draft.id))?.status).toBe('draft');
      expect((await courseRow(db(), published.id))?.status).toBe('published');
    });

    it('refuses students (403) and anonymous callers (401)', async () => {
      const { course } = await api.createPublishableCourse(suite.app, instructor);
      expect((await act('publish', course.id, student)).statusCode).toBe(403);
      expect((await act('publish', course.id)).statusCode).toBe(401);
      expect((await courseRow(db(), course.id))?.status).toBe('draft');
    });

    it('lets an admin publish, archive and unpublish any instructor’s course', async () => {
      const { course } = await api.createPublishableCourse(suite.app, instructor);
      expect((await act('publish', course.id, admin)).statusCode).toBe(200);
      expect((await act('unpublish', course.id, admin)).statusCode).toBe(200);
      expect((await act('publish', course.id, admin)).statusCode).toBe(200);
      expect((await act('archive', course.id, admin)).statusCode).toBe(200);
      expect((await courseRow(db(), course.id))?.status).toBe('archived');
    });

    it('is 404 for a course that does not exist and 400 for an id that is not a UUID', async () => {
      expect((await act('publish', '00000000-0000-4000-8000-000000000000', admin)).statusCode).toBe(404);
      expect((await act('publish', 'not-a-uuid', admin)).statusCode).toBe(400);
    });
  });
});
