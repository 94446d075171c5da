import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { lessonProgress } from '../../src/infrastructure/database/schema/index.js';
import {
  enrollmentCountOf,
  enrollmentRow,
  insertCourse,
  insertEnrollment,
  insertLesson,
  insertModule,
  insertSignedInUser,
  type SignedInUser,
} from '../helpers/factories/index.js';
import { useTestApp } from '../helpers/use-test-app.js';

describe('my enrollments, one enrollment, dropping', () => {
  const suite = useTestApp({ cast: ['instructor', 'otherInstructor', 'student', 'otherStudent', 'admin'] });
  const { instructor, otherInstructor, student, otherStudent, admin } = suite.cast;

  const get = (url: string, caller?: SignedInUser) =>
    suite.app.inject({ method: 'GET', url, headers: caller?.headers ?? {} });
  const drop = (enrollmentId: string, caller?: SignedInUser) =>
    suite.app.inject({
      method: 'POST',
      url: `/api/v1/enrollments/${enrollmentId}/drop`,
      headers: caller?.headers ?? {},
    });

  async function courseWithLessons(title: string) {
    const course = await insertCourse(suite.db, instructor.id, { title });
    const first = await insertModule(suite.db, course.id, 0);
    const second = await insertModule(suite.db, course.id, 1);
    const lessons = [
      await insertLesson(suite.db, first, 0, { title: `${title} 1.1` }),
      await insertLesson(suite.db, first, 1, { title: `${title} 1.2` }),
      await insertLesson(suite.db, second, 0, { title: `${title} 2.1` }),
    ];
    return { course, lessons };
  }

  describe('GET /me/enrollments', () => {
    it('lists mine with course title, progress, last access and the next lesson; never-opened first', async () => {
      const user = await insertSignedInUser(suite.testApp);
      const a = await courseWithLessons('Alpha');
      const b = await courseWithLessons('Beta');
      const c = await courseWithLessons('Gamma');
      const older = await insertEnrollment(suite.db, user.id, a.course.id, {
        lastAccessedAt: new Date('2026-01-01T10:00:00Z'),
        progressPercent: 33,
      });
      const recent = await insertEnrollment(suite.db, user.id, b.course.id, {
        lastAccessedAt: new Date('2026-02-01T10:00:00Z'),
      });
      const fresh = await insertEnrollment(suite.db, user.id, c.course.id);
      // Lesson 1.1 of Alpha completed, 1.2 started: the next lesson is 1.2.
      await suite.db.insert(lessonProgress).values([
        {
          userId: user.id,
          lessonId: a.lessons[0]!.id,
          enrollmentId: older.id,
          status: 'completed',
          completedAt: new Date(),
        },
        { userId: user.id, lessonId: a.lessons[1]!.id, enrollmentId: older.id, status: 'in_progress' },
      ]);
      // Someone else's enrollment never shows.
      await insertEnrollment(suite.db, student.id, a.course.id);

      const response = await get('/api/v1/me/enrollments', user);
      expect(response.statusCode, response.body).toBe(200);
      expect(response.headers['cache-control']).toBe('no-store');
      const { data, nextCursor } = response.json();
      expect(nextCursor).toBeNull();
      expect(data.map((row: { id: string }) => row.id)).toEqual([fresh.id, recent.id, older.id]);
      expect(data[2]).toMatchObject({
        course: { title: 'Alpha' },
        progressPercent: 33,
        lastAccessedAt: '2026-01-01T10:00:00.000Z',
        nextLesson: { id: a.lessons[1]!.id, title: 'Alpha 1.2' },
      });
      expect(data[0].nextLesson.title).toBe('Gamma 1.1');
    });

    it('pages with a cursor, neither repeating nor skipping (nulls and equal times included)', async () => {
      const user = await insertSignedInUser(suite.testApp);
      const same = new Date('2026-03-01T00:00:00Z');
      const expected: string[] = [];
      for (let i = 0; i < 7; i++) {
        const { course } = await courseWithLessons(`Paged ${i}`);
        const row = await insertEnrollment(suite.db, user.id, course.id, {
          lastAccessedAt: i < 3 ? null : i < 5 ? same : new Date(Date.UTC(2026, 0, i)),
        });
        expected.push(row.id);
      }
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page = await get(`/api/v1/me/enrollments?limit=2${cursor ? `&cursor=${cursor}` : ''}`, user);
        expect(page.statusCode).toBe(200);
        const body = page.json();
        seen.push(...body.data.map((row: { id: string }) => row.id));
        cursor = body.nextCursor;
      } while (cursor);
      expect(seen).toHaveLength(7);
      expect(new Set(seen)).toEqual(new Set(expected));
    });

    it('filters by status', async () => {
      const user = await insertSignedInUser(suite.testApp);
      const one = await courseWithLessons('Done');
      const two = await courseWithLessons('Doing');
      const done = await insertEnrollment(suite.db, user.id, one.course.id, {
        status: 'completed',
        progressPercent: 100,
      });
      await insertEnrollment(suite.db, user.id, two.course.id);
      const response = await get('/api/v1/me/enrollments?status=completed', user);
      expect(response.json().data.map((row: { id: string }) => row.id)).toEqual([done.id]);
      expect(response.json().data[0].nextLesson).toBeNull();
    });

    it('refuses a forged cursor and a bad status (400) and anonymous callers (401)', async () => {
      expect((await get('/api/v1/me/enrollments?cursor=bm90LWEtY3Vyc29y', student)).statusCode).toBe(400);
      const forged = Buffer.from(
        JSON.stringify({ a: '2026-02-31T00:00:00.000000Z', id: student.id }),
      ).toString('base64url');
      expect((await get(`/api/v1/me/enrollments?cursor=${forged}`, student)).statusCode).toBe(400);
      expect((await get('/api/v1/me/enrollments?status=paused', student)).statusCode).toBe(400);
      expect((await get('/api/v1/me/enrollments')).statusCode).toBe(401);
    });
  });

  describe('GET /enrollments/:id', () => {
    it('the learner, the course instructor and an admin see it; another student and instructor get 404', async () => {
      const { course } = await courseWithLessons('Visible');
      const enrollment = await insertEnrollment(suite.db, student.id, course.id, { timeSpentSeconds: 7321 });
      for (const caller of [student, instructor, admin]) {
        const response = await get(`/api/v1/enrollments/${enrollment.id}`, caller);
        expect(response.statusCode).toBe(200);
        expect(response.json()).toMatchObject({ id: enrollment.id, timeSpentSeconds: 7321 });
      }
      for (const caller of [otherStudent, otherInstructor]) {
        const response = await get(`/api/v1/enrollments/${enrollment.id}`, caller);
        expect(response.statusCode).toBe(404);
        expect(response.body).not.toContain(course.id);
        expect(response.body).not.toContain('7321');
      }
      expect((await get(`/api/v1/enrollments/${enrollment.id}`)).statusCode).toBe(401);
      expect((await get('/api/v1/enrollments/00000000-0000-4000-8000-000000000000', admin)).statusCode).toBe(
        404,
      );
    });
  });

  describe('POST /enrollments/:id/drop', () => {
    async function enrolled(user: SignedInUser) {
      const { course } = await courseWithLessons('Droppable');
      const response = await suite.app.inject({
        method: 'POST',
        url: `/api/v1/courses/${course.id}/enrollments`,
        headers: user.headers,
        payload: {},
      });
      expect(response.statusCode).toBe(201);
      return { course, enrollmentId: response.json().id as string };
    }

    it('the learner drops: status dropped, droppedAt, count back down; again answers it unchanged', async () => {
      const user = await insertSignedInUser(suite.testApp);
      const { course, enrollmentId } = await enrolled(user);
      expect(await enrollmentCountOf(suite.db, course.id)).toBe(1);
      const response = await drop(enrollmentId, user);
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json()).toMatchObject({ status: 'dropped', nextLesson: null });
      expect(response.json().droppedAt).not.toBeNull();
      expect(await enrollmentCountOf(suite.db, course.id)).toBe(0);
      const again = await drop(enrollmentId, user);
      expect(again.statusCode).toBe(200);
      expect(again.json().droppedAt).toBe(response.json().droppedAt);
      expect(await enrollmentCountOf(suite.db, course.id)).toBe(0);
    });

    it('the instructor and an admin may remove a learner', async () => {
      for (const staff of [instructor, admin]) {
        const user = await insertSignedInUser(suite.testApp);
        const { enrollmentId } = await enrolled(user);
        const response = await drop(enrollmentId, staff);
        expect(response.statusCode).toBe(200);
        expect((await enrollmentRow(suite.db, enrollmentId))?.status).toBe('dropped');
      }
    });

    it('another student or instructor gets 404 and nothing changes', async () => {
      const user = await insertSignedInUser(suite.testApp);
      const { course, enrollmentId } = await enrolled(user);
      for (const caller of [otherStudent, otherInstructor]) {
        const response = await drop(enrollmentId, caller);
        expect(response.statusCode).toBe(404);
        expect(response.body).not.toContain(course.id);
      }
      expect((await enrollmentRow(suite.db, enrollmentId))?.status).toBe('active');
      expect(await enrollmentCountOf(suite.db, course.id)).toBe(1);
    });

    it('a completed enrollment cannot be dropped (409)', async () => {
      const { course } = await courseWithLessons('Completed');
      const completed = await insertEnrollment(suite.db, otherStudent.id, course.id, { status: 'completed' });
      const response = await drop(completed.id, otherStudent);
      expect(response.statusCode).toBe(409);
      expect((await enrollmentRow(suite.db, completed.id))?.status).toBe('completed');
    });

    it('20 concurrent drops decrement once', async () => {
      const user = await insertSignedInUser(suite.testApp);
      const { course, enrollmentId } = await enrolled(user);
      const answers = await Promise.all(Array.from({ length: 20 }, () => drop(enrollmentId, user)));
      expect(answers.every((answer) => answer.statusCode === 200)).toBe(true);
      expect(await enrollmentCountOf(suite.db, course.id)).toBe(0);
      const [row] = (
        await suite.db.execute<{ n: number }>(
          sql`SELECT count(*)::int AS n FROM enrollments WHERE id = ${enrollmentId}`,
        )
      ).rows;
      expect(row?.n).toBe(1);
    });
  });
});
