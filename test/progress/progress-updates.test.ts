import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import * as schema from '../../src/infrastructure/database/schema/index.js';
import { enrollments, lessonProgress } from '../../src/infrastructure/database/schema/index.js';
import { recordLessonHeartbeat } from '../../src/modules/progress/progress.queries.js';
import {
  enrollmentRow,
  insertCourseWithOutline,
  insertEnrollment,
  insertLessonProgress,
  insertSignedInUser,
  lessonProgressRow,
  lessonProgressRows,
  type OutlineCourse,
  type SignedInUser,
} from '../helpers/factories/index.js';
import { useTestApp } from '../helpers/use-test-app.js';

const PROBLEM_JSON = /^application\/problem\+json/;

describe('PUT /me/lessons/{lessonId}/progress', () => {
  const suite = useTestApp({ cast: ['instructor', 'otherInstructor', 'admin'] });
  const { instructor, admin } = suite.cast;
  let course: OutlineCourse;

  const put = (user: SignedInUser, lessonId: string, payload: unknown) =>
    suite.app.inject({
      method: 'PUT',
      url: `/api/v1/me/lessons/${lessonId}/progress`,
      headers: user.headers,
      payload: payload as Record<string, unknown>,
    });

  /** A new student enrolled in `target` (default: the shared course). */
  /** The enrollment was made, and last used, an hour ago. */
  async function activeAnHourAgo(enrollmentId: string) {
    const anHourAgo = new Date(Date.now() - 3600_000);
    await suite.db
      .update(enrollments)
      .set({ enrolledAt: anHourAgo, lastAccessedAt: anHourAgo })
      .where(eq(enrollments.id, enrollmentId));
  }

  async function enrolledStudent(target: OutlineCourse = course, overrides = {}) {
    const student = await insertSignedInUser(suite.testApp);
    const enrollment = await insertEnrollment(suite.db, student.id, target.course.id, overrides);
    return { student, enrollment };
  }

  beforeAll(async () => {
    // 4 required lessons and one optional one.
    course = await insertCourseWithOutline(suite.db, instructor.id, [
      [{}, {}, { isRequired: false }],
      [{ type: 'video', videoUrl: 'https://videos.example.test/v.mp4', durationSeconds: 600 }, {}],
    ]);
  });

  describe('happy path', () => {
    it('creates the progress row, updates the enrollment in the same write and answers with both', async () => {
      const { student, enrollment } = await enrolledStudent();
      const lesson = course.lessons[3]!;
      const response = await put(student, lesson.id, { positionSeconds: 150, timeSpentSeconds: 0 });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.headers['cache-control']).toBe('no-store');
      const body = response.json();
      expect(body).toMatchObject({
        lessonId: lesson.id,
        courseId: course.course.id,
        status: 'in_progress',
        positionSeconds: 150,
        timeSpentSeconds: 0,
        recordedSeconds: 0,
        completedAt: null,
        enrollment: {
          id: enrollment.id,
          status: 'active',
          progressPercent: 0,
          completedLessonCount: 0,
          requiredLessonCount: 4,
        },
      });
      expect(body.startedAt).toEqual(expect.any(String));
      const row = await lessonProgressRow(suite.db, student.id, lesson.id);
      expect(row).toMatchObject({
        status: 'in_progress',
        lastPositionSeconds: 150,
        enrollmentId: enrollment.id,
        progressPercent: 25,
      });
      const stored = await enrollmentRow(suite.db, enrollment.id);
      expect(stored.lastAccessedAt).not.toBeNull();
      expect(body.enrollment.lastAccessedAt).toBe(stored.lastAccessedAt?.toISOString());
    });

    it('an empty body marks the lesson opened (in progress)', async () => {
      const { student } = await enrolledStudent();
      const response = await put(student, course.lessons[0]!.id, {});
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json().status).toBe('in_progress');
    });

    it('completing a required lesson counts it and moves the percentage (floor of done / required)', async () => {
      const { student, enrollment } = await enrolledStudent();
      const first = await put(student, course.lessons[0]!.id, { status: 'completed' });
      expect(first.statusCode, first.body).toBe(200);
      expect(first.json()).toMatchObject({
        status: 'completed',
        enrollment: { progressPercent: 25, completedLessonCount: 1, requiredLessonCount: 4 },
      });
      expect(first.json().completedAt).toEqual(expect.any(String));
      // The optional lesson counts for nothing.
      const optional = await put(student, course.lessons[2]!.id, { status: 'completed' });
      expect(optional.json().enrollment).toMatchObject({ progressPercent: 25, completedLessonCount: 1 });
      expect(await enrollmentRow(suite.db, enrollment.id)).toMatchObject({
        progressPercent: 25,
        completedLessonCount: 1,
        status: 'active',
      });
    });
  });

  describe('a completed lesson never moves back', () => {
    it('keeps status, completion time and 100% whatever is sent later; position and time still update', async () => {
      const { student } = await enrolledStudent();
      const lesson = course.lessons[3]!;
      const done = await put(student, lesson.id, { status: 'completed', positionSeconds: 600 });
      const completedAt = done.json().completedAt as string;
      for (const payload of [
        { status: 'in_progress' },
        {},
        { positionSeconds: 10 },
        { status: 'completed' },
      ]) {
        const again = await put(student, lesson.id, payload);
        expect(again.statusCode, again.body).toBe(200);
        expect(again.json()).toMatchObject({ status: 'completed', completedAt });
      }
      const row = await lessonProgressRow(suite.db, student.id, lesson.id);
      expect(row).toMatchObject({ status: 'completed', progressPercent: 100, lastPositionSeconds: 10 });
      expect(row?.completedAt?.toISOString()).toBe(completedAt);
      // Completing it again counted nothing twice.
      expect((await put(student, lesson.id, {})).json().enrollment.completedLessonCount).toBe(1);
    });
  });

  describe('progress % stays exact', () => {
    it('after out-of-order, repeated and interleaved updates, equal to a recount from lesson_progress', async () => {
      const { student, enrollment } = await enrolledStudent();
      const [a, b, optional, c, d] = course.lessons as [
        (typeof course.lessons)[0],
        (typeof course.lessons)[0],
        (typeof course.lessons)[0],
        (typeof course.lessons)[0],
        (typeof course.lessons)[0],
      ];
      const steps: [string, Record<string, unknown>, number][] = [
        [c.id, { status: 'in_progress' }, 0],
        [c.id, { status: 'completed' }, 25],
        [a.id, { positionSeconds: 3 }, 25],
        [c.id, { status: 'completed' }, 25],
        [optional.id, { status: 'completed' }, 25],
        [c.id, { status: 'in_progress' }, 25],
        [b.id, { status: 'completed' }, 50],
        [b.id, { status: 'completed' }, 50],
        [a.id, { status: 'completed' }, 75],
      ];
      for (const [lessonId, payload, percent] of steps) {
        const response = await put(student, lessonId, payload);
        expect(response.statusCode, response.body).toBe(200);
        expect(response.json().enrollment.progressPercent, JSON.stringify(payload)).toBe(percent);
      }
      const rows = await lessonProgressRows(suite.db, student.id);
      const completedRequired = rows.filter(
        (row) => row.status === 'completed' && row.lessonId !== optional.id,
      ).length;
      expect(completedRequired).toBe(3);
      expect(await enrollmentRow(suite.db, enrollment.id)).toMatchObject({
        completedLessonCount: 3,
        progressPercent: 75,
        status: 'active',
      });
      expect(d.id).toBeDefined();
    });

    it('three required lessons: 33 then 66 (never rounded up)', async () => {
      const three = await insertCourseWithOutline(suite.db, instructor.id, [3]);
      const { student } = await enrolledStudent(three);
      const percents: number[] = [];
      for (const lesson of three.lessons.slice(0, 2)) {
        percents.push(
          (await put(student, lesson.id, { status: 'completed' })).json().enrollment.progressPercent,
        );
      }
      expect(percents).toEqual([33, 66]);
    });

    it('concurrent completions of different lessons by one learner are all counted', async () => {
      const many = await insertCourseWithOutline(suite.db, instructor.id, [6, 4]);
      const { student, enrollment } = await enrolledStudent(many);
      const targets = many.lessons.slice(0, 8);
      const responses = await Promise.all(
        [...targets, ...targets].map((lesson) => put(student, lesson.id, { status: 'completed' })),
      );
      expect(responses.map((r) => r.statusCode)).toEqual(responses.map(() => 200));
      expect(await enrollmentRow(suite.db, enrollment.id)).toMatchObject({
        completedLessonCount: 8,
        progressPercent: 80,
        status: 'active',
      });
    });
  });

  describe('durability', () => {
    it('a heartbeat commits asynchronously for its own transaction only: its connection stays synchronous', async () => {
      const { student } = await enrolledStudent();
      const lesson = course.lessons[0]!;
      // One connection, so the heartbeat and the check after it share a session.
      const single = new pg.Pool({ ...suite.db.$client.options, max: 1 });
      try {
        const db = Object.assign(drizzle(single, { schema }), { $client: single });
        const beat = await recordLessonHeartbeat(db, {
          userId: student.id,
          lessonId: lesson.id,
          positionSeconds: 42,
          reportedSeconds: 0,
          maxSecondsPerCall: 900,
        });
        expect(beat.kind).toBe('written');
        const { rows } = await single.query('SHOW synchronous_commit');
        expect(rows).toEqual([{ synchronous_commit: 'on' }]);
      } finally {
        await single.end();
      }
      expect(await lessonProgressRow(suite.db, student.id, lesson.id)).toMatchObject({
        lastPositionSeconds: 42,
      });
    });
  });

  describe('time spent', () => {
    it('adds the reported delta, capped per call and by the time since the previous call', async () => {
      const { student, enrollment } = await enrolledStudent();
      // Enrolled (and last active) an hour ago: a report of 5 minutes is plausible and counts in full.
      await activeAnHourAgo(enrollment.id);
      const lesson = course.lessons[0]!;
      const first = await put(student, lesson.id, { timeSpentSeconds: 300 });
      expect(first.json()).toMatchObject({ recordedSeconds: 300, timeSpentSeconds: 300 });
      expect(first.json().enrollment.timeSpentSeconds).toBe(300);
      // Right after: another 300 s cannot have passed; at most a second or two count.
      const second = await put(student, lesson.id, { timeSpentSeconds: 300 });
      expect(second.json().recordedSeconds).toBeLessThanOrEqual(3);
      // After a long pause, one call still counts at most 15 minutes.
      const longAgo = new Date(Date.now() - 5 * 3600_000);
      await suite.db
        .update(enrollments)
        .set({ lastAccessedAt: longAgo })
        .where(eq(enrollments.id, enrollment.id));
      const third = await put(student, lesson.id, { timeSpentSeconds: 7200 });
      expect(third.json().recordedSeconds).toBe(900);
      const row = await lessonProgressRow(suite.db, student.id, lesson.id);
      const stored = await enrollmentRow(suite.db, enrollment.id);
      expect(row?.timeSpentSeconds).toBe(300 + second.json().recordedSeconds + 900);
      expect(stored.timeSpentSeconds).toBe(row?.timeSpentSeconds);
    });
  });

  it('concurrent reports of one learner add no more time than has passed', async () => {
    const { student, enrollment } = await enrolledStudent();
    await activeAnHourAgo(enrollment.id);
    const lesson = course.lessons[0]!;
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => put(student, lesson.id, { timeSpentSeconds: 300 })),
    );
    for (const response of responses) expect(response.statusCode, response.body).toBe(200);
    const recorded = responses.map((r) => r.json().recordedSeconds as number).sort((a, b) => b - a);
    // One report counts in full; every later one only the seconds since the one before it.
    expect(recorded[0]).toBe(300);
    const rest = recorded.slice(1).reduce((sum, seconds) => sum + seconds, 0);
    expect(rest).toBeLessThanOrEqual(19 * 3);
    const row = await lessonProgressRow(suite.db, student.id, lesson.id);
    const stored = await enrollmentRow(suite.db, enrollment.id);
    expect(row?.timeSpentSeconds).toBe(300 + rest);
    expect(stored.timeSpentSeconds).toBe(300 + rest);
  });

  describe('refused requests write nothing', () => {
    async function snapshot(userId: string) {
      const [rows, enrollmentRows] = await Promise.all([
        lessonProgressRows(suite.db, userId),
        suite.db.select().from(enrollments).where(eq(enrollments.userId, userId)),
      ]);
      return { rows, enrollmentRows };
    }

    it('400 for invalid bodies (each field named), nothing written', async () => {
      const { student } = await enrolledStudent();
      const before = await snapshot(student.id);
      const cases: [unknown, string[]][] = [
        [{ status: 'not_started' }, ['/body/status']],
        [{ status: 'done' }, ['/body/status']],
        [{ timeSpentSeconds: -1 }, ['/body/timeSpentSeconds']],
        [{ timeSpentSeconds: 86_401 }, ['/body/timeSpentSeconds']],
        [{ timeSpentSeconds: 1.5 }, ['/body/timeSpentSeconds']],
        [{ positionSeconds: '10' }, ['/body/positionSeconds']],
        [{ positionSeconds: -3, status: 'nope' }, ['/body/positionSeconds', '/body/status']],
        [{ extra: true }, ['/body/extra']],
      ];
      for (const [payload, fields] of cases) {
        const response = await put(student, course.lessons[0]!.id, payload);
        expect(response.statusCode, JSON.stringify(payload)).toBe(400);
        expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
        const named = [
          ...new Set((response.json().errors as { field: string }[]).map((e) => e.field)),
        ].sort();
        expect(named, JSON.stringify(payload)).toEqual(fields);
      }
      const malformed = await put(student, 'not-a-uuid', {});
      expect(malformed.statusCode).toBe(400);
      expect(malformed.json().errors[0].field).toBe('/params/lessonId');
      expect(await snapshot(student.id)).toEqual(before);
    });

    it('401 without a token', async () => {
      const response = await suite.app.inject({
        method: 'PUT',
        url: `/api/v1/me/lessons/${course.lessons[0]!.id}/progress`,
        payload: {},
      });
      expect(response.statusCode).toBe(401);
    });

    it('403 not_enrolled in a course I am not enrolled in, and for dropped or expired enrollments', async () => {
      const stranger = await insertSignedInUser(suite.testApp);
      const dropped = await enrolledStudent(course, { status: 'dropped' });
      const expired = await enrolledStudent(course, { status: 'expired' });
      const lapsed = await enrolledStudent(course, { expiresAt: new Date(Date.now() - 60_000) });
      const cases: [SignedInUser, string, string | null][] = [
        [stranger, 'Enroll in this course', null],
        [dropped.student, 'You dropped this course', 'dropped'],
        [expired.student, 'has expired', 'expired'],
        [lapsed.student, 'has expired', 'expired'],
      ];
      for (const [user, detail, status] of cases) {
        const before = await snapshot(user.id);
        const response = await put(user, course.lessons[0]!.id, {
          status: 'completed',
          timeSpentSeconds: 60,
        });
        expect(response.statusCode, response.body).toBe(403);
        expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
        expect(response.json()).toMatchObject({ code: 'not_enrolled', enrollmentStatus: status });
        expect(response.json().detail).toContain(detail);
        expect(await snapshot(user.id)).toEqual(before);
      }
    });

    it('the course’s instructor and admins are not learners: 403 not_enrolled', async () => {
      for (const user of [instructor, admin]) {
        const response = await put(user, course.lessons[0]!.id, {});
        expect(response.statusCode).toBe(403);
        expect(response.json().code).toBe('not_enrolled');
      }
    });

    it('404 for an unknown lesson and for a lesson of a course the caller cannot see (draft, archived)', async () => {
      const { student } = await enrolledStudent();
      const draft = await insertCourseWithOutline(suite.db, instructor.id, [1], { status: 'draft' });
      const archived = await insertCourseWithOutline(suite.db, instructor.id, [1], { status: 'archived' });
      const droppedArchived = await enrolledStudent(archived, { status: 'dropped' });
      const cases: [SignedInUser, string][] = [
        [student, randomUUID()],
        [student, draft.lessons[0]!.id],
        [student, archived.lessons[0]!.id],
        [droppedArchived.student, archived.lessons[0]!.id],
      ];
      for (const [user, lessonId] of cases) {
        const response = await put(user, lessonId, {});
        expect(response.statusCode, response.body).toBe(404);
        expect(response.json()).toMatchObject({ code: 'not_found', detail: 'No such lesson.' });
        expect(response.body).not.toContain(draft.course.id);
        expect(response.body).not.toContain(archived.course.id);
      }
      // The draft's own instructor sees it exists, and is not enrolled.
      expect((await put(instructor, draft.lessons[0]!.id, {})).json().code).toBe('not_enrolled');
      const count = await suite.db
        .select()
        .from(lessonProgress)
        .where(eq(lessonProgress.lessonId, archived.lessons[0]!.id));
      expect(count).toEqual([]);
    });

    it('an archived course stays open to its enrolled learners', async () => {
      const archived = await insertCourseWithOutline(suite.db, instructor.id, [2], { status: 'archived' });
      const { student } = await enrolledStudent(archived);
      const response = await put(student, archived.lessons[0]!.id, { status: 'completed' });
      expect(response.statusCode, response.body).toBe(200);
    });
  });

  describe('a completed enrollment', () => {
    it('keeps recording position and time, and stays completed at 100%', async () => {
      const { student, enrollment } = await enrolledStudent(course, {
        status: 'completed',
        progressPercent: 100,
      });
      await insertLessonProgress(suite.db, {
        userId: student.id,
        lessonId: course.lessons[0]!.id,
        enrollmentId: enrollment.id,
        status: 'completed',
      });
      const response = await put(student, course.lessons[1]!.id, { status: 'completed', positionSeconds: 5 });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json().enrollment).toMatchObject({ status: 'completed', progressPercent: 100 });
    });
  });
});
