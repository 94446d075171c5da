import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { MemoryCache } from '../../src/infrastructure/cache/memory-cache.js';
import { enrollments, lessons } from '../../src/infrastructure/database/schema/index.js';
import type { DomainEvents } from '../../src/infrastructure/events/domain-events.js';
import { createEventBus } from '../../src/infrastructure/events/event-bus.js';
import { completeEnrollment } from '../../src/modules/enrollments/index.js';
import { createContentChanges } from '../../src/modules/progress/content-changes.js';
import { createLearnerViews } from '../../src/modules/progress/learner-views.js';
import { createProgressService } from '../../src/modules/progress/progress.service.js';
import {
  api,
  enrollmentRow,
  insertCourseWithOutline,
  insertEnrollment,
  insertLessonProgress,
  insertSignedInUser,
  notificationsOf,
  type OutlineCourse,
  type SignedInUser,
} from '../helpers/factories/index.js';
import { useTestApp } from '../helpers/use-test-app.js';

type Completed = DomainEvents['enrollment.completed'];

describe('the completion rule', () => {
  const suite = useTestApp({ cast: ['instructor'] });
  const { instructor } = suite.cast;

  const put = (user: SignedInUser, lessonId: string, payload: Record<string, unknown>) =>
    suite.app.inject({
      method: 'PUT',
      url: `/api/v1/me/lessons/${lessonId}/progress`,
      headers: user.headers,
      payload,
    });

  /** A student enrolled in `course` with every lesson but the listed ones completed. */
  async function nearlyDone(course: OutlineCourse, remaining: readonly string[]) {
    const student = await insertSignedInUser(suite.testApp);
    const enrollment = await insertEnrollment(suite.db, student.id, course.course.id);
    let done = 0;
    for (const lesson of course.lessons) {
      if (remaining.includes(lesson.id)) continue;
      await insertLessonProgress(suite.db, {
        userId: student.id,
        lessonId: lesson.id,
        enrollmentId: enrollment.id,
        status: 'completed',
      });
      if (lesson.isRequired) done++;
    }
    const required = course.lessons.filter((lesson) => lesson.isRequired).length;
    await suite.db
      .update(enrollments)
      .set({ completedLessonCount: done, progressPercent: Math.floor((100 * done) / Math.max(required, 1)) })
      .where(eq(enrollments.id, enrollment.id));
    return { student, enrollment };
  }

  /** The service with a bus of its own, so the test sees every event it publishes. */
  function recordingService() {
    const published: Completed[] = [];
    const events = createEventBus<DomainEvents>({ onSubscriberError: () => {} });
    events.subscribe('enrollment.completed', async (payload) => void published.push(payload), {
      name: 'recorder',
    });
    const learnerViews = createLearnerViews(new MemoryCache());
    return {
      published,
      progress: createProgressService({ db: suite.db, events, learnerViews }),
      contentChanges: createContentChanges({ db: suite.db, events, learnerViews }),
    };
  }

  it('completes the enrollment when the last required lesson is completed: status, completed_at, 100%, one notification', async () => {
    const course = await insertCourseWithOutline(suite.db, instructor.id, [[{}, { isRequired: false }], 2], {
      title: 'Finishing School',
    });
    const last = course.lessons[3]!;
    const optional = course.lessons[1]!;
    const { student, enrollment } = await nearlyDone(course, [last.id, optional.id]);
    const response = await put(student, last.id, { status: 'completed' });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().enrollment).toMatchObject({ status: 'completed', progressPercent: 100 });
    expect(response.json().enrollment.completedAt).toEqual(expect.any(String));
    const row = await enrollmentRow(suite.db, enrollment.id);
    expect(row).toMatchObject({ status: 'completed', progressPercent: 100, completedLessonCount: 3 });
    expect(row.completedAt?.toISOString()).toBe(response.json().enrollment.completedAt);
    const notes = await notificationsOf(suite.db, student.id);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({
      type: 'enrollment',
      title: 'You completed Finishing School',
      payload: { courseId: course.course.id, enrollmentId: enrollment.id },
      linkUrl: `/courses/${course.course.slug}`,
    });
  });

  it('exactly once under 20 concurrent final completions: one completed_at, one notification, one event', async () => {
    const course = await insertCourseWithOutline(suite.db, instructor.id, [3]);
    const last = course.lessons[2]!;
    const { student, enrollment } = await nearlyDone(course, [last.id]);
    const { progress, published } = recordingService();
    const actor = { id: student.id, role: 'student' as const };
    const results = await Promise.all(
      Array.from({ length: 20 }, () => progress.recordProgress(actor, last.id, { status: 'completed' })),
    );
    expect(results.every((result) => result.enrollment.status === 'completed')).toBe(true);
    expect(new Set(results.map((result) => result.enrollment.completedAt)).size).toBe(1);
    expect(published).toEqual([
      {
        enrollmentId: enrollment.id,
        userId: student.id,
        courseId: course.course.id,
        completedAt: results[0]!.enrollment.completedAt,
      },
    ]);
    expect(await notificationsOf(suite.db, student.id)).toHaveLength(1);
    expect(await enrollmentRow(suite.db, enrollment.id)).toMatchObject({
      status: 'completed',
      completedLessonCount: 3,
    });
  });

  it('exactly once over HTTP too, when 20 requests finish the last two lessons at once', async () => {
    const course = await insertCourseWithOutline(suite.db, instructor.id, [2, 2]);
    const [, , third, fourth] = course.lessons;
    const { student, enrollment } = await nearlyDone(course, [third!.id, fourth!.id]);
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        put(student, (i % 2 ? third : fourth)!.id, { status: 'completed' }),
      ),
    );
    expect(responses.map((r) => r.statusCode)).toEqual(responses.map(() => 200));
    const completedAts = new Set(
      responses.map((r) => r.json().enrollment.completedAt).filter((value) => value !== null),
    );
    expect(completedAts.size).toBe(1);
    expect(await notificationsOf(suite.db, student.id)).toHaveLength(1);
    expect(await enrollmentRow(suite.db, enrollment.id)).toMatchObject({
      status: 'completed',
      completedLessonCount: 4,
      progressPercent: 100,
    });
  });

  it('the enrollments module completes an enrollment only while it is active: one winner among concurrent attempts', async () => {
    const course = await insertCourseWithOutline(suite.db, instructor.id, [1]);
    const { enrollment } = await nearlyDone(course, []);
    const attempts = await Promise.all(
      Array.from({ length: 10 }, () => suite.db.transaction((tx) => completeEnrollment(tx, enrollment.id))),
    );
    expect(attempts.filter((attempt) => attempt !== undefined)).toHaveLength(1);
    const droppedStudent = await insertSignedInUser(suite.testApp);
    const dropped = await insertEnrollment(suite.db, droppedStudent.id, course.course.id, {
      status: 'dropped',
    });
    expect(await suite.db.transaction((tx) => completeEnrollment(tx, dropped.id))).toBeUndefined();
    expect((await enrollmentRow(suite.db, dropped.id)).status).toBe('dropped');
  });

  it('optional lessons are not needed, and a course without required lessons is never completed', async () => {
    const allOptional = await insertCourseWithOutline(suite.db, instructor.id, [
      [{ isRequired: false }, { isRequired: false }],
    ]);
    const { student, enrollment } = await nearlyDone(allOptional, [allOptional.lessons[1]!.id]);
    const response = await put(student, allOptional.lessons[1]!.id, { status: 'completed' });
    expect(response.json().enrollment).toMatchObject({
      status: 'active',
      progressPercent: 0,
      requiredLessonCount: 0,
    });
    expect((await enrollmentRow(suite.db, enrollment.id)).status).toBe('active');
    expect(await notificationsOf(suite.db, student.id)).toEqual([]);
  });

  it('a counter that says "done" is checked against lesson_progress, never trusted alone', async () => {
    const course = await insertCourseWithOutline(suite.db, instructor.id, [3]);
    const { student, enrollment } = await nearlyDone(course, [course.lessons[1]!.id, course.lessons[2]!.id]);
    // A stale counter (as after a completed lesson was deleted, before the recount).
    await suite.db
      .update(enrollments)
      .set({ completedLessonCount: 3 })
      .where(eq(enrollments.id, enrollment.id));
    const response = await put(student, course.lessons[1]!.id, {});
    expect(response.json().enrollment.status).toBe('active');
    expect(await notificationsOf(suite.db, student.id)).toEqual([]);
  });

  it('a completion interrupted after the count is finished by the next report, once', async () => {
    const course = await insertCourseWithOutline(suite.db, instructor.id, [2]);
    const { student, enrollment } = await nearlyDone(course, []);
    // Every required lesson completed and counted, the enrollment still active: as after a crash
    // between the count and the completion rule.
    await suite.db
      .update(enrollments)
      .set({ completedLessonCount: 2, progressPercent: 100 })
      .where(eq(enrollments.id, enrollment.id));
    const response = await put(student, course.lessons[0]!.id, { positionSeconds: 5 });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().enrollment.status).toBe('completed');
    expect(await notificationsOf(suite.db, student.id)).toHaveLength(1);
    const again = await put(student, course.lessons[0]!.id, { positionSeconds: 6 });
    expect(again.json().enrollment.status).toBe('completed');
    expect(await notificationsOf(suite.db, student.id)).toHaveLength(1);
  });

  describe('content changes keep percentages right', () => {
    it('a required lesson added: every active enrollment’s percentage drops at once', async () => {
      const course = await insertCourseWithOutline(suite.db, instructor.id, [2]);
      const { student, enrollment } = await nearlyDone(course, [course.lessons[1]!.id]);
      expect((await enrollmentRow(suite.db, enrollment.id)).progressPercent).toBe(50);
      await api.addLesson(suite.app, instructor, course.course.id, course.modules[0]!.id);
      // The recount ran before the authoring response: the figures are right by now.
      expect(await enrollmentRow(suite.db, enrollment.id)).toMatchObject({
        progressPercent: 33,
        completedLessonCount: 1,
      });
      const response = await put(student, course.lessons[1]!.id, { status: 'completed' });
      expect(response.json().enrollment).toMatchObject({ progressPercent: 66, requiredLessonCount: 3 });
    });

    it('a completed lesson deleted: its completion no longer counts', async () => {
      const course = await insertCourseWithOutline(suite.db, instructor.id, [3]);
      const { enrollment } = await nearlyDone(course, [course.lessons[1]!.id, course.lessons[2]!.id]);
      expect((await enrollmentRow(suite.db, enrollment.id)).progressPercent).toBe(33);
      const deleted = await suite.app.inject({
        method: 'DELETE',
        url: `/api/v1/courses/${course.course.id}/lessons/${course.lessons[0]!.id}`,
        headers: instructor.headers,
      });
      expect(deleted.statusCode, deleted.body).toBe(204);
      expect(await enrollmentRow(suite.db, enrollment.id)).toMatchObject({
        progressPercent: 0,
        completedLessonCount: 0,
        status: 'active',
      });
    });

    it('the last missing lesson removed: the enrollment is completed then, once, with its notification and event', async () => {
      const course = await insertCourseWithOutline(suite.db, instructor.id, [3]);
      const { student, enrollment } = await nearlyDone(course, [course.lessons[2]!.id]);
      const untouched = await nearlyDone(course, [course.lessons[1]!.id, course.lessons[2]!.id]);
      const deleted = await suite.app.inject({
        method: 'DELETE',
        url: `/api/v1/courses/${course.course.id}/lessons/${course.lessons[2]!.id}`,
        headers: instructor.headers,
      });
      expect(deleted.statusCode, deleted.body).toBe(204);
      expect(await enrollmentRow(suite.db, enrollment.id)).toMatchObject({
        status: 'completed',
        progressPercent: 100,
        completedLessonCount: 2,
      });
      expect(await notificationsOf(suite.db, student.id)).toHaveLength(1);
      expect(await enrollmentRow(suite.db, untouched.enrollment.id)).toMatchObject({
        status: 'active',
        progressPercent: 50,
        completedLessonCount: 1,
      });
      // Another change later completes nothing twice.
      await api.addModule(suite.app, instructor, course.course.id);
      expect(await notificationsOf(suite.db, student.id)).toHaveLength(1);
      expect((await enrollmentRow(suite.db, enrollment.id)).status).toBe('completed');
    });

    it('the recount publishes enrollment.completed through the unit of work (after commit), once', async () => {
      const course = await insertCourseWithOutline(suite.db, instructor.id, [[{}, {}]]);
      const { student, enrollment } = await nearlyDone(course, [course.lessons[1]!.id]);
      await suite.db.update(lessons).set({ isRequired: false }).where(eq(lessons.id, course.lessons[1]!.id));
      const { contentChanges, published } = recordingService();
      await contentChanges.courseChanged(course.course.id);
      await contentChanges.courseChanged(course.course.id);
      expect(published).toHaveLength(1);
      expect(published[0]).toMatchObject({ enrollmentId: enrollment.id, userId: student.id });
      expect(await enrollmentRow(suite.db, enrollment.id)).toMatchObject({ status: 'completed' });
    });
  });
});
