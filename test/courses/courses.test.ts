import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { courses, users } from '../../src/infrastructure/database/schema/index.js';
import {
  api,
  countRows,
  courseRow,
  insertEnrollment,
  insertSignedInUser,
  type SignedInUser,
} from '../helpers/factories/index.js';
import { useTestApp } from '../helpers/use-test-app.js';

const PROBLEM_JSON = /^application\/problem\+json/;

function fieldsOf(response: { json(): unknown }): string[] {
  const body = response.json() as { errors?: { field: string }[] };
  return [...new Set((body.errors ?? []).map((error) => error.field))].sort();
}

describe('course authoring: courses', () => {
  const suite = useTestApp({ cast: ['instructor', 'otherInstructor', 'student', 'admin'] });
  const { instructor, otherInstructor, student, admin } = suite.cast;

  const db = () => suite.db;

  describe('POST /api/v1/courses', () => {
    it('creates a draft owned by the instructor, with Location, ETag and normalised fields', async () => {
      const response = await suite.app.inject({
        method: 'POST',
        url: '/api/v1/courses',
        headers: instructor.headers,
        payload: {
          title: '  Ça  va? Résumé writing 101 ',
          subtitle: '   ',
          description: 'Learn to write.',
          difficulty: 'intermediate',
          priceCents: 4900,
          currency: 'EUR',
          category: ' writing ',
          tags: ['Writing', ' writing', 'CAREER  skills', 'career skills'],
          language: 'fr',
          thumbnailUrl: 'https://cdn.example.com/cover.png',
        },
      });
      expect(response.statusCode, response.body).toBe(201);
      const course = response.json();
      expect(course).toMatchObject({
        instructorId: instructor.id,
        title: 'Ça va? Résumé writing 101',
        slug: 'ca-va-resume-writing-101',
        subtitle: null,
        status: 'draft',
        difficulty: 'intermediate',
        priceCents: 4900,
        currency: 'EUR',
        isFree: false,
        category: 'writing',
        tags: ['writing', 'career skills'],
        language: 'fr',
        version: 1,
        publishedAt: null,
      });
      expect(response.headers.location).toBe(`/api/v1/courses/${course.id}`);
      expect(response.headers.etag).toBe('"1"');
      const row = await courseRow(db(), course.id);
      expect(row?.slug).toBe('ca-va-resume-writing-101');
      expect(row?.tags).toEqual(['writing', 'career skills']);
    });

    it('defaults to a free USD beginner course in English', async () => {
      const course = await api.createCourse(suite.app, instructor, {
        description: undefined,
        priceCents: undefined,
        currency: undefined,
        difficulty: undefined,
      });
      expect(course).toMatchObject({
        priceCents: 0,
        isFree: true,
        currency: 'USD',
        difficulty: 'beginner',
        language: 'en',
        tags: [],
        description: null,
      });
    });

    it('generates unique slugs: intro-to-x, intro-to-x-2, intro-to-x-3', async () => {
      const slugs: string[] = [];
      for (let i = 0; i < 3; i++) {
        slugs.push((await api.createCourse(suite.app, instructor, { title: 'Intro to X' })).slug);
      }
      expect(slugs).toEqual(['intro-to-x', 'intro-to-x-2', 'intro-to-x-3']);
    });

    it('gives every one of 8 concurrent creations with the same title its own slug', async () => {
      const responses = await Promise.all(
        Array.from({ length: 8 }, () =>
          suite.app.inject({
            method: 'POST',
            url: '/api/v1/courses',
            headers: instructor.headers,
            payload: { title: 'Race Condition Basics' },
          }),
        ),
      );
      expect(responses.map((response) => response.statusCode)).toEqual(Array(8).fill(201));
      const slugs = responses.map((response) => response.json().slug as string).sort();
      expect(new Set(slugs).size).toBe(8);
      expect(slugs).toContain('race-condition-basics');
      for (let n = 2; n <= 8; n++) expect(slugs).toContain(`race-condition-basics-${n}`);
    });

    it('folds, truncates to 80 characters and falls back to "course" for titles without ASCII', async () => {
      const long = await api.createCourse(suite.app, instructor, { title: `Straße ${'word '.repeat(30)}` });
      expect(long.slug.startsWith('strasse-word-word')).toBe(true);
      expect(long.slug.length).toBeLessThanOrEqual(80);
      expect(long.slug).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      const again = await api.createCourse(suite.app, instructor, { title: `Straße ${'word '.repeat(30)}` });
      expect(again.slug.length).toBeLessThanOrEqual(80);
      expect(again.slug.endsWith('-2')).toBe(true);
      const japanese = await api.createCourse(suite.app, instructor, { title: '日本語の基礎' });
      expect(japanese.slug).toMatch(/^course(-\d+)?$/);
    });

    it('lets an admin create a course for an instructor, but not for a student', async () => {
      const forInstructor = await api.createCourse(suite.app, admin, { instructorId: instructor.id });
      expect(forInstructor.instructorId).toBe(instructor.id);
      const before = await countRows(db(), courses);
      const forStudent = await suite.app.inject({
        method: 'POST',
        url: '/api/v1/courses',
        headers: admin.headers,
        payload: { title: 'Not for students', instructorId: student.id },
      });
      expect(forStudent.statusCode).toBe(400);
      expect(fieldsOf(forStudent)).toEqual(['/body/instructorId']);
      expect(await countRows(db(), courses)).toBe(before);
    });

    it('refuses instructorId of someone else from an instructor (403)', async () => {
      const response = await suite.app.inject({
        method: 'POST',
        url: '/api/v1/courses',
        headers: instructor.headers,
        payload: { title: 'Sneaky', instructorId: otherInstructor.id },
      });
      expect(response.statusCode).toBe(403);
    });

    it('lists every bad field and writes nothing', async () => {
      const before = await countRows(db(), courses);
      const response = await suite.app.inject({
        method: 'POST',
        url: '/api/v1/courses',
        headers: instructor.headers,
        payload: {
          title: 'ab',
          description: 'x'.repeat(20_001),
          difficulty: 'expert',
          priceCents: 10_000_001,
          currency: 'usd',
          tags: ['ok', 'x'.repeat(41), ...Array.from({ length: 9 }, (_, i) => `t${i}`)],
          language: 'english!',
          thumbnailUrl: 'http://insecure.example.com/a.png',
          surprise: true,
        },
      });
      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
      const fields = fieldsOf(response);
      for (const field of [
        '/body/title',
        '/body/description',
        '/body/difficulty',
        '/body/priceCents',
        '/body/currency',
        '/body/tags',
        '/body/tags/1',
        '/body/language',
        '/body/thumbnailUrl',
        '/body/surprise',
      ]) {
        expect(fields).toContain(field);
      }
      expect(await countRows(db(), courses)).toBe(before);
    });

    it('rejects a title that is only spaces around two characters', async () => {
      const before = await countRows(db(), courses);
      const response = await suite.app.inject({
        method: 'POST',
        url: '/api/v1/courses',
        headers: instructor.headers,
        payload: { title: '   ab   ' },
      });
      expect(response.statusCode).toBe(400);
      expect(fieldsOf(response)).toEqual(['/body/title']);
      expect(await countRows(db(), courses)).toBe(before);
    });

    it('is 401 without a token and 403 for students', async () => {
      const anonymous = await suite.app.inject({
        method: 'POST',
        url: '/api/v1/courses',
        payload: { title: 'Anon' },
      });
      expect(anonymous.statusCode).toBe(401);
      const asStudent = await suite.app.inject({
        method: 'POST',
        url: '/api/v1/courses',
        headers: student.headers,
        payload: { title: 'Student course' },
      });
      expect(asStudent.statusCode).toBe(403);
    });
  });

  describe('GET /api/v1/instructor/courses', () => {
    let lister: SignedInUser;
    const created: string[] = [];

    beforeAll(async () => {
      lister = await insertSignedInUser(suite.testApp, { role: 'instructor' });
      for (let i = 0; i < 5; i++)
        created.push((await api.createCourse(suite.app, lister, { title: `Listed ${i}` })).id);
      await api
        .createPublishedCourse(suite.app, lister, { title: 'Listed published' })
        .then(({ course }) => created.push(course.id));
    });

    it('pages through the caller’s own courses, newest first, drafts included', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      for (let page = 0; page < 10; page++) {
        const response = await suite.app.inject({
          method: 'GET',
          url: `/api/v1/instructor/courses?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
          headers: lister.headers,
        });
        expect(response.statusCode, response.body).toBe(200);
        const body = response.json() as {
          data: { id: string; instructorId: string }[];
          nextCursor: string | null;
        };
        expect(body.data.length).toBeLessThanOrEqual(2);
        for (const item of body.data) expect(item.instructorId).toBe(lister.id);
        seen.push(...body.data.map((item) => item.id));
        cursor = body.nextCursor;
        if (cursor === null) break;
      }
      expect(seen).toEqual([...created].reverse());
    });

    it('filters by status', async () => {
      const response = await suite.app.inject({
        method: 'GET',
        url: '/api/v1/instructor/courses?status=published',
        headers: lister.headers,
      });
      expect(response.json().data.map((item: { id: string }) => item.id)).toEqual([created.at(-1)]);
    });

    it('lets admins see everyone’s courses and filter by instructor', async () => {
      const all = await suite.app.inject({
        method: 'GET',
        url: '/api/v1/instructor/courses?limit=100',
        headers: admin.headers,
      });
      const owners = new Set(all.json().data.map((item: { instructorId: string }) => item.instructorId));
      expect(owners.size).toBeGreaterThan(1);
      const filtered = await suite.app.inject({
        method: 'GET',
        url: `/api/v1/instructor/courses?limit=100&instructorId=${lister.id}`,
        headers: admin.headers,
      });
      expect(filtered.json().data).toHaveLength(created.length);
    });

    it('lets an instructor name themselves as the instructor filter', async () => {
      const own = await suite.app.inject({
        method: 'GET',
        url: `/api/v1/instructor/courses?limit=100&instructorId=${lister.id}`,
        headers: lister.headers,
      });
      expect(own.statusCode, own.body).toBe(200);
      expect(own.json().data).toHaveLength(created.length);
    });

    it('refuses another instructor’s list, students and anonymous callers; rejects forged cursors', async () => {
      const foreign = await suite.app.inject({
        method: 'GET',
        url: `/api/v1/instructor/courses?instructorId=${lister.id}`,
        headers: otherInstructor.headers,
      });
      expect(foreign.statusCode).toBe(403);
      expect(foreign.json().detail).toBe('Only admins can list another instructor’s courses.');
      const asStudent = await suite.app.inject({
        method: 'GET',
        url: '/api/v1/instructor/courses',
        headers: student.headers,
      });
      expect(asStudent.statusCode).toBe(403);
      const anonymous = await suite.app.inject({ method: 'GET', url: '/api/v1/instructor/courses' });
      expect(anonymous.statusCode).toBe(401);
      const forged = await suite.app.inject({
        method: 'GET',
        url: `/api/v1/instructor/courses?cursor=${Buffer.from('["yesterday","x"]').toString('base64url')}`,
        headers: lister.headers,
      });
      expect(forged.statusCode).toBe(400);
    });
  });

  describe('GET /api/v1/courses/:id/authoring', () => {
    it('returns the course with its ordered outline and lesson content to the owner and admins', async () => {
      const course = await api.createCourse(suite.app, instructor, { description: null });
      const second = await api.addModule(suite.app, instructor, course.id, { title: 'Second' });
      const first = await api.addModule(suite.app, instructor, course.id, { title: 'First', position: 0 });
      await api.addLesson(suite.app, instructor, course.id, first.id, {
        title: 'B',
        content: { body: 'bee' },
      });
      await api.addLesson(suite.app, instructor, course.id, first.id, {
        title: 'A',
        content: { body: 'ay' },
        position: 0,
      });

      for (const viewer of [instructor, admin]) {
        const response = await suite.app.inject({
          method: 'GET',
          url: `/api/v1/courses/${course.id}/authoring`,
          headers: viewer.headers,
        });
        expect(response.statusCode, response.body).toBe(200);
        const view = response.json();
        expect(response.headers.etag).toBe(`"${view.version}"`);
        expect(view.version).toBe(5);
        expect(view.modules.map((m: { id: string }) => m.id)).toEqual([first.id, second.id]);
        expect(
          view.modules[0].lessons.map((l: { title: string; position: number }) => [l.title, l.position]),
        ).toEqual([
          ['A', 0],
          ['B', 1],
        ]);
        expect(view.modules[0].lessons[0].content).toEqual({ body: 'ay' });
        expect(view.modules[1].lessons).toEqual([]);
        expect(view.publishBlockers).toEqual(['The course needs a description.']);
      }
    });

    it('names what blocks publishing: no module, or modules without a lesson', async () => {
      const course = await api.createCourse(suite.app, instructor, { description: 'Ready but empty.' });
      const blockers = async () =>
        (
          await suite.app.inject({
            method: 'GET',
            url: `/api/v1/courses/${course.id}/authoring`,
            headers: instructor.headers,
          })
        ).json().publishBlockers;
      expect(await blockers()).toEqual(['The course needs at least one module with at least one lesson.']);
      const module = await api.addModule(suite.app, instructor, course.id);
      expect(await blockers()).toEqual(['At least one module needs at least one lesson.']);
      await api.addLesson(suite.app, instructor, course.id, module.id);
      expect(await blockers()).toEqual([]);
    });

    it('is 404 for everyone else, even for published courses, and 401 anonymously', async () => {
      const { course: published } = await api.createPublishedCourse(suite.app, instructor);
      const draft = await api.createCourse(suite.app, instructor);
      for (const courseId of [published.id, draft.id]) {
        for (const viewer of [otherInstructor, student]) {
          const response = await suite.app.inject({
            method: 'GET',
            url: `/api/v1/courses/${courseId}/authoring`,
            headers: viewer.headers,
          });
          expect(response.statusCode).toBe(404);
          expect(response.body).not.toContain(courseId === draft.id ? draft.title : published.title);
        }
        const anonymous = await suite.app.inject({
          method: 'GET',
          url: `/api/v1/courses/${courseId}/authoring`,
        });
        expect(anonymous.statusCode).toBe(401);
      }
      const missing = await suite.app.inject({
        method: 'GET',
        url: '/api/v1/courses/00000000-0000-4000-8000-000000000000/authoring',
        headers: instructor.headers,
      });
      expect(missing.statusCode).toBe(404);
    });
  });

  describe('PATCH /api/v1/courses/:id', () => {
    it('applies the change with a matching If-Match, bumps the version and returns the new ETag; the slug stays', async () => {
      const course = await api.createCourse(suite.app, instructor, { title: 'Stable URLs' });
      const response = await suite.app.inject({
        method: 'PATCH',
        url: `/api/v1/courses/${course.id}`,
        headers: { ...instructor.headers, 'if-match': '"1"' },
        payload: {
          title: 'Stable URLs, revised',
          priceCents: 1999,
          tags: ['A', 'a'],
          subtitle: 'Now longer',
        },
      });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.headers.etag).toBe('"2"');
      expect(response.json()).toMatchObject({
        title: 'Stable URLs, revised',
        slug: 'stable-urls',
        priceCents: 1999,
        tags: ['a'],
        subtitle: 'Now longer',
        version: 2,
      });
    });

    it('is 412 when If-Match is stale or malformed, and changes nothing', async () => {
      const course = await api.createCourse(suite.app, instructor, { title: 'Concurrency Control' });
      await suite.app.inject({
        method: 'PATCH',
        url: `/api/v1/courses/${course.id}`,
        headers: { ...instructor.headers, 'if-match': '"1"' },
        payload: { priceCents: 100 },
      });
      for (const ifMatch of ['"1"', 'W/"2"', '"1", *', '2']) {
        const response = await suite.app.inject({
          method: 'PATCH',
          url: `/api/v1/courses/${course.id}`,
          headers: { ...instructor.headers, 'if-match': ifMatch },
          payload: { title: 'Lost update' },
        });
        expect(response.statusCode, `If-Match ${ifMatch}`).toBe(412);
        expect(response.json().code).toBe('precondition_failed');
      }
      const row = await courseRow(db(), course.id);
      expect(row).toMatchObject({ title: 'Concurrency Control', version: 2, priceCents: 100 });
    });

    it('is 428 naming the current ETag when If-Match is missing, and changes nothing', async () => {
      const course = await api.createCourse(suite.app, instructor, { title: 'Precondition Required' });
      const response = await suite.app.inject({
        method: 'PATCH',
        url: `/api/v1/courses/${course.id}`,
        headers: instructor.headers,
        payload: { title: 'Blind overwrite' },
      });
      expect(response.statusCode).toBe(428);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      const problem = response.json();
      expect(problem).toMatchObject({
        code: 'precondition_required',
        status: 428,
        currentETag: `"${course.version}"`,
      });
      expect(problem.detail).toContain(`If-Match: "${course.version}"`);
      expect((await courseRow(db(), course.id))?.title).toBe('Precondition Required');
    });

    it('accepts If-Match: * for an existing course (RFC 9110), and still hides the course from another instructor', async () => {
      const course = await api.createCourse(suite.app, instructor, { title: 'Any Version' });
      const edited = await suite.app.inject({
        method: 'PATCH',
        url: `/api/v1/courses/${course.id}`,
        headers: { ...instructor.headers, 'if-match': '*' },
        payload: { title: 'Any Version, edited' },
      });
      expect(edited.statusCode, edited.body).toBe(200);
      expect(edited.json()).toMatchObject({ title: 'Any Version, edited', version: course.version + 1 });
      const foreign = await suite.app.inject({
        method: 'PATCH',
        url: `/api/v1/courses/${course.id}`,
        headers: { ...otherInstructor.headers, 'if-match': '*' },
        payload: { title: 'Hijacked' },
      });
      // Another instructor's draft does not exist for them.
      expect(foreign.statusCode).toBe(404);
      const missing = await suite.app.inject({
        method: 'PATCH',
        url: '/api/v1/courses/00000000-0000-4000-8000-000000000000',
        headers: { ...instructor.headers, 'if-match': '*' },
        payload: { title: 'Nothing there' },
      });
      expect(missing.statusCode).toBe(404);
      expect((await courseRow(db(), course.id))?.title).toBe('Any Version, edited');
    });

    it('lets exactly one of two concurrent edits of the same version win', async () => {
      const course = await api.createCourse(suite.app, instructor);
      const [a, b] = await Promise.all(
        ['Edit A', 'Edit B'].map((title) =>
          suite.app.inject({
            method: 'PATCH',
            url: `/api/v1/courses/${course.id}`,
            headers: { ...instructor.headers, 'if-match': '"1"' },
            payload: { title },
          }),
        ),
      );
      expect([a?.statusCode, b?.statusCode].sort()).toEqual([200, 412]);
      expect((await courseRow(db(), course.id))?.version).toBe(2);
    });

    it('changes the slug only when sent, validates it and refuses one in use (409)', async () => {
      const course = await api.createCourse(suite.app, instructor, { title: 'Slug Owner' });
      const other = await api.createCourse(suite.app, instructor, { title: 'Slug Taker' });
      const taken = await suite.app.inject({
        method: 'PATCH',
        url: `/api/v1/courses/${other.id}`,
        headers: { ...instructor.headers, 'if-match': '"1"' },
        payload: { slug: course.slug },
      });
      expect(taken.statusCode).toBe(409);
      expect(fieldsOf(taken)).toEqual(['/body/slug']);
      const malformed = await suite.app.inject({
        method: 'PATCH',
        url: `/api/v1/courses/${other.id}`,
        headers: { ...instructor.headers, 'if-match': '"1"' },
        payload: { slug: 'Not A Slug' },
      });
      expect(malformed.statusCode).toBe(400);
      expect(fieldsOf(malformed)).toEqual(['/body/slug']);
      const renamed = await suite.app.inject({
        method: 'PATCH',
        url: `/api/v1/courses/${other.id}`,
        headers: { ...instructor.headers, 'if-match': '"1"' },
        payload: { slug: 'a-better-slug' },
      });
      expect(renamed.statusCode).toBe(200);
      expect(renamed.json().slug).toBe('a-better-slug');
    });

    it('lists bad fields (400) and writes nothing; an empty patch is 400 too', async () => {
      const course = await api.createCourse(suite.app, instructor);
      const response = await suite.app.inject({
        method: 'PATCH',
        url: `/api/v1/courses/${course.id}`,
        headers: { ...instructor.headers, 'if-match': '"1"' },
        payload: { title: '', priceCents: -1, currency: 'XXX', status: 'published' },
      });
      expect(response.statusCode).toBe(400);
      expect(fieldsOf(response)).toEqual([
        '/body/currency',
        '/body/priceCents',
        '/body/status',
        '/body/title',
      ]);
      const empty = await suite.app.inject({
        method: 'PATCH',
        url: `/api/v1/courses/${course.id}`,
        headers: { ...instructor.headers, 'if-match': '"1"' },
        payload: {},
      });
      expect(empty.statusCode).toBe(400);
      expect((await courseRow(db(), course.id))?.version).toBe(1);
    });

    it('keeps the description of a published course (409 when clearing it)', async () => {
      const { course } = await api.createPublishedCourse(suite.app, instructor);
      const response = await suite.app.inject({
        method: 'PATCH',
        url: `/api/v1/courses/${course.id}`,
        headers: { ...instructor.headers, 'if-match': `"${course.version}"` },
        payload: { description: '  ' },
      });
      expect(response.statusCode).toBe(409);
      expect((await courseRow(db(), course.id))?.description).toBe('A course about things.');
    });

    it('hides other instructors’ drafts (404), refuses their published courses (403), students (403), anonymous (401); admins may edit', async () => {
      const draft = await api.createCourse(suite.app, instructor);
      const { course: published } = await api.createPublishedCourse(suite.app, instructor);
      const patch = (courseId: string, author: SignedInUser | undefined, version: number) =>
        suite.app.inject({
          method: 'PATCH',
          url: `/api/v1/courses/${courseId}`,
          headers: { ...(author?.headers ?? {}), 'if-match': `"${version}"` },
          payload: { title: 'Hijacked title' },
        });
      expect((await patch(draft.id, otherInstructor, 1)).statusCode).toBe(404);
      expect((await patch(published.id, otherInstructor, published.version)).statusCode).toBe(403);
      expect((await patch(draft.id, student, 1)).statusCode).toBe(403);
      expect((await patch(draft.id, undefined, 1)).statusCode).toBe(401);
      expect((await courseRow(db(), draft.id))?.title).toBe(draft.title);
      const byAdmin = await patch(draft.id, admin, 1);
      expect(byAdmin.statusCode).toBe(200);
      expect(byAdmin.json().title).toBe('Hijacked title');
    });
  });

  describe('DELETE /api/v1/courses/:id', () => {
    it('deletes a draft with its outline', async () => {
      const course = await api.createCourse(suite.app, instructor);
      const module = await api.addModule(suite.app, instructor, course.id);
      await api.addLesson(suite.app, instructor, course.id, module.id);
      const response = await suite.app.inject({
        method: 'DELETE',
        url: `/api/v1/courses/${course.id}`,
        headers: instructor.headers,
      });
      expect(response.statusCode).toBe(204);
      expect(await courseRow(db(), course.id)).toBeUndefined();
    });

    it('refuses published and archived courses and drafts with enrollments (409)', async () => {
      const { course: published } = await api.createPublishedCourse(suite.app, instructor);
      const publishedResponse = await suite.app.inject({
        method: 'DELETE',
        url: `/api/v1/courses/${published.id}`,
        headers: instructor.headers,
      });
      expect(publishedResponse.statusCode).toBe(409);
      expect(publishedResponse.json().detail).toMatch(/archive/);

      const draft = await api.createCourse(suite.app, instructor);
      await insertEnrollment(db(), student.id, draft.id);
      const enrolled = await suite.app.inject({
        method: 'DELETE',
        url: `/api/v1/courses/${draft.id}`,
        headers: instructor.headers,
      });
      expect(enrolled.statusCode).toBe(409);
      expect(await courseRow(db(), draft.id)).toBeDefined();
      expect(await courseRow(db(), published.id)).toBeDefined();
    });

    it('is 404 for another instructor’s draft, 403 for students and their published course, 401 anonymously; admins may delete', async () => {
      const draft = await api.createCourse(suite.app, instructor);
      const { course: published } = await api.createPublishedCourse(suite.app, instructor);
      const remove = (courseId: string, author?: SignedInUser) =>
        suite.app.inject({
          method: 'DELETE',
          url: `/api/v1/courses/${courseId}`,
          headers: author?.headers ?? {},
        });
      expect((await remove(draft.id, otherInstructor)).statusCode).toBe(404);
      expect((await remove(published.id, otherInstructor)).statusCode).toBe(403);
      expect((await remove(draft.id, student)).statusCode).toBe(403);
      expect((await remove(draft.id)).statusCode).toBe(401);
      expect(await courseRow(db(), draft.id)).toBeDefined();
      expect((await remove(draft.id, admin)).statusCode).toBe(204);
      expect(await courseRow(db(), draft.id)).toBeUndefined();
    });

    it('honours If-Match when sent', async () => {
      const course = await api.createCourse(suite.app, instructor);
      const stale = await suite.app.inject({
        method: 'DELETE',
        url: `/api/v1/courses/${course.id}`,
        headers: { ...instructor.headers, 'if-match': '"7"' },
      });
      expect(stale.statusCode).toBe(412);
      expect(await courseRow(db(), course.id)).toBeDefined();
    });
  });

  it('documents every authoring route in OpenAPI (tag courses, bearer auth, summary, 412 on PATCH)', async () => {
    const response = await suite.app.inject({ method: 'GET', url: '/openapi.json' });
    const paths = response.json().paths as Record<string, Record<string, Record<string, unknown>>>;
    const authoring = [
      ['post', '/api/v1/courses'],
      ['get', '/api/v1/instructor/courses'],
      ['get', '/api/v1/courses/{id}/authoring'],
      ['patch', '/api/v1/courses/{id}'],
      ['delete', '/api/v1/courses/{id}'],
      ['post', '/api/v1/courses/{id}/publish'],
      ['post', '/api/v1/courses/{id}/archive'],
      ['post', '/api/v1/courses/{id}/unpublish'],
      ['post', '/api/v1/courses/{id}/modules'],
      ['put', '/api/v1/courses/{id}/modules/order'],
      ['patch', '/api/v1/courses/{id}/modules/{moduleId}'],
      ['delete', '/api/v1/courses/{id}/modules/{moduleId}'],
      ['post', '/api/v1/courses/{id}/modules/{moduleId}/lessons'],
      ['put', '/api/v1/courses/{id}/modules/{moduleId}/lessons/order'],
      ['patch', '/api/v1/courses/{id}/lessons/{lessonId}'],
      ['delete', '/api/v1/courses/{id}/lessons/{lessonId}'],
    ] as const;
    for (const [method, path] of authoring) {
      const operation = paths[path]?.[method];
      expect(operation, `${method} ${path}`).toBeDefined();
      expect(operation?.tags).toEqual(['courses']);
      expect(operation?.security).toEqual([{ bearerAuth: [] }]);
      expect(typeof operation?.summary).toBe('string');
    }
    const patch = paths['/api/v1/courses/{id}']?.patch as {
      parameters: { in: string; name: string }[];
      responses: Record<string, { headers?: Record<string, unknown> }>;
    };
    expect(patch.parameters.some((p) => p.in === 'header' && p.name === 'if-match')).toBe(true);
    expect(Object.keys(patch.responses)).toContain('412');
    expect(patch.responses['200']?.headers).toHaveProperty('ETag');
  });

  it('treats a deactivated instructor’s token as revoked (401)', async () => {
    const leaving = await insertSignedInUser(suite.testApp, { role: 'instructor' });
    await db().update(users).set({ isActive: false }).where(eq(users.id, leaving.id));
    const response = await suite.app.inject({
      method: 'POST',
      url: '/api/v1/courses',
      headers: leaving.headers,
      payload: { title: 'After leaving' },
    });
    expect(response.statusCode).toBe(401);
  });
});
