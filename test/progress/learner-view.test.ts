import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { courses, enrollments } from '../../src/infrastructure/database/schema/index.js';
import {
  api,
  insertCourseWithOutline,
  insertEnrollment,
  insertSignedInUser,
  type OutlineCourse,
  type SignedInUser,
} from '../helpers/factories/index.js';
import { useTestApp } from '../helpers/use-test-app.js';

interface LearnerLesson {
  id: string;
  status: string;
  locked: boolean;
  isRequired: boolean;
  timeSpentSeconds: number;
  positionSeconds: number;
}
interface LearnerModule {
  id: string;
  locked: boolean;
  lock: { blockingModuleId: string; blockingModuleTitle: string; remainingRequiredLessons: number } | null;
  lessons: LearnerLesson[];
}
interface LearnerCourse {
  course: { id: string; sequentialModules: boolean; status: string };
  enrollment: Record<string, unknown>;
  nextLesson: { id: string; moduleId: string } | null;
  modules: LearnerModule[];
}

describe('GET /me/courses/{id}: the learner’s view', () => {
  const suite = useTestApp({ cast: ['instructor', 'admin'] });
  const { instructor, admin } = suite.cast;
  let sequential: OutlineCourse;

  const view = (user: SignedInUser, courseId: string) =>
    suite.app.inject({ method: 'GET', url: `/api/v1/me/courses/${courseId}`, headers: user.headers });
  const learnerView = async (user: SignedInUser, courseId: string): Promise<LearnerCourse> => {
    const response = await view(user, courseId);
    expect(response.statusCode, response.body).toBe(200);
    return response.json() as LearnerCourse;
  };
  const put = (user: SignedInUser, lessonId: string, payload: Record<string, unknown>) =>
    suite.app.inject({
      method: 'PUT',
      url: `/api/v1/me/lessons/${lessonId}/progress`,
      headers: user.headers,
      payload,
    });
  async function enrolledStudent(target: OutlineCourse, overrides = {}) {
    const student = await insertSignedInUser(suite.testApp);
    const enrollment = await insertEnrollment(suite.db, student.id, target.course.id, overrides);
    return { student, enrollment };
  }

  beforeAll(async () => {
    // Module 1: required, optional; module 2: required, required; module 3: required.
    sequential = await insertCourseWithOutline(suite.db, instructor.id, [[{}, { isRequired: false }], 2, 1], {
      sequentialModules: true,
      title: 'Step by step',
    });
  });

  it('the outline in order with my status, locks and why, progress and the next lesson', async () => {
    const { student, enrollment } = await enrolledStudent(sequential);
    const course = await learnerView(student, sequential.course.id);
    const [first, second, third] = sequential.modules;
    expect(course.course).toMatchObject({
      id: sequential.course.id,
      title: 'Step by step',
      sequentialModules: true,
      status: 'published',
    });
    expect(course.enrollment).toMatchObject({
      id: enrollment.id,
      status: 'active',
      progressPercent: 0,
      completedLessonCount: 0,
      requiredLessonCount: 4,
      timeSpentSeconds: 0,
      completedAt: null,
      expiresAt: null,
    });
    expect(course.modules.map((module) => module.id)).toEqual([first!.id, second!.id, third!.id]);
    expect(course.modules.map((module) => module.lessons.map((lesson) => lesson.id))).toEqual(
      sequential.modules.map((module) => module.lessons.map((lesson) => lesson.id)),
    );
    expect(course.modules.map((module) => module.locked)).toEqual([false, true, true]);
    expect(course.modules[1]!.lock).toEqual({
      blockingModuleId: first!.id,
      blockingModuleTitle: 'Module 1',
      remainingRequiredLessons: 1,
    });
    expect(course.modules[2]!.lock).toMatchObject({
      blockingModuleId: first!.id,
      remainingRequiredLessons: 3,
    });
    expect(course.modules[2]!.lessons.every((lesson) => lesson.locked)).toBe(true);
    expect(course.nextLesson).toEqual(
      expect.objectContaining({ id: first!.lessons[0]!.id, moduleId: first!.id }),
    );
  });

  it('follows my progress: completing module 1’s required lesson unlocks module 2 (not 3), next lesson moves on', async () => {
    const { student } = await enrolledStudent(sequential);
    const [first, second] = sequential.modules;
    await put(student, first!.lessons[0]!.id, { status: 'completed', positionSeconds: 0 });
    await put(student, second!.lessons[1]!.id, { positionSeconds: 42 });
    const course = await learnerView(student, sequential.course.id);
    expect(course.modules.map((module) => module.locked)).toEqual([false, false, true]);
    expect(course.modules[2]!.lock).toMatchObject({
      blockingModuleId: second!.id,
      remainingRequiredLessons: 2,
    });
    expect(course.modules[0]!.lessons.map((lesson) => lesson.status)).toEqual(['completed', 'not_started']);
    expect(course.modules[1]!.lessons[1]).toMatchObject({ status: 'in_progress', positionSeconds: 42 });
    expect(course.enrollment).toMatchObject({ progressPercent: 25, completedLessonCount: 1 });
    expect(course.enrollment.lastAccessedAt).toEqual(expect.any(String));
    // Required before optional: the optional lesson of module 1 is not next.
    expect(course.nextLesson?.id).toBe(second!.lessons[0]!.id);
  });

  it('a course that is not sequential locks nothing; a finished one has no next lesson', async () => {
    const open = await insertCourseWithOutline(suite.db, instructor.id, [1, 1]);
    const { student } = await enrolledStudent(open);
    const before = await learnerView(student, open.course.id);
    expect(before.modules.map((module) => module.locked)).toEqual([false, false]);
    expect(before.modules.every((module) => module.lock === null)).toBe(true);
    for (const lesson of open.lessons) await put(student, lesson.id, { status: 'completed' });
    const after = await learnerView(student, open.course.id);
    expect(after.nextLesson).toBeNull();
    expect(after.enrollment).toMatchObject({ status: 'completed', progressPercent: 100 });
  });

  it('a completed enrollment is never locked out, even by lessons added afterwards', async () => {
    const { student } = await enrolledStudent(sequential, { status: 'completed', progressPercent: 100 });
    const course = await learnerView(student, sequential.course.id);
    expect(course.modules.map((module) => module.locked)).toEqual([false, false, false]);
  });

  it('is never stale: each progress write and each course change shows on the next read', async () => {
    const course = await insertCourseWithOutline(suite.db, instructor.id, [2], { sequentialModules: true });
    const { student } = await enrolledStudent(course);
    const read = () => learnerView(student, course.course.id);
    expect((await read()).enrollment.progressPercent).toBe(0);
    expect((await read()).enrollment.progressPercent).toBe(0);
    await put(student, course.lessons[0]!.id, { status: 'completed' });
    expect((await read()).enrollment.progressPercent).toBe(50);
    const added = await api.addModule(suite.app, instructor, course.course.id, { title: 'Bonus' });
    const again = await read();
    expect(again.modules.map((module) => module.id)).toContain(added.id);
    await api.addLesson(suite.app, instructor, course.course.id, added.id);
    const withLesson = await read();
    expect(withLesson.enrollment).toMatchObject({ requiredLessonCount: 3, progressPercent: 33 });
    expect(withLesson.modules.at(-1)).toMatchObject({ locked: true });
  });

  it('an access window that has passed ends the view at once, even from the cache', async () => {
    const course = await insertCourseWithOutline(suite.db, instructor.id, [1]);
    const { student, enrollment } = await enrolledStudent(course, { expiresAt: new Date(Date.now() + 1500) });
    expect((await view(student, course.course.id)).statusCode).toBe(200);
    const deadline = Date.now() + 10_000;
    let status = 200;
    while (status === 200 && Date.now() < deadline) {
      status = (await view(student, course.course.id)).statusCode;
      if (status === 200) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status).toBe(403);
    expect(enrollment.id).toBeDefined();
  });

  describe('who gets what', () => {
    it('403 not_enrolled for a visible course I am not (or no longer) enrolled in', async () => {
      const stranger = await insertSignedInUser(suite.testApp);
      const dropped = await enrolledStudent(sequential, { status: 'dropped' });
      const expired = await enrolledStudent(sequential, { status: 'expired' });
      const lapsed = await enrolledStudent(sequential, { expiresAt: new Date(Date.now() - 1000) });
      for (const [user, status] of [
        [stranger, null],
        [dropped.student, 'dropped'],
        [expired.student, 'expired'],
        [lapsed.student, 'expired'],
        [instructor, null],
        [admin, null],
      ] as const) {
        const response = await view(user, sequential.course.id);
        expect(response.statusCode, response.body).toBe(403);
        expect(response.json()).toMatchObject({ code: 'not_enrolled', enrollmentStatus: status });
        // The problem names nothing of the outline.
        expect(response.body).not.toContain(sequential.lessons[0]!.id);
        expect(response.body).not.toContain('Lesson 1.1');
      }
    });

    it('404 for an unknown course and for courses I cannot see (a draft, an archived course I left)', async () => {
      const student = await insertSignedInUser(suite.testApp);
      const draft = await insertCourseWithOutline(suite.db, instructor.id, [1], { status: 'draft' });
      const archived = await insertCourseWithOutline(suite.db, instructor.id, [1], { status: 'archived' });
      await insertEnrollment(suite.db, student.id, archived.course.id, { status: 'dropped' });
      for (const courseId of [randomUUID(), draft.course.id, archived.course.id]) {
        const response = await view(student, courseId);
        expect(response.statusCode).toBe(404);
        expect(response.json()).toMatchObject({ code: 'not_found', detail: 'No such course.' });
      }
    });

    it('an archived course stays with its enrolled learners', async () => {
      const archived = await insertCourseWithOutline(suite.db, instructor.id, [1], { status: 'archived' });
      const { student } = await enrolledStudent(archived);
      expect((await learnerView(student, archived.course.id)).course.status).toBe('archived');
    });

    it('a dropped enrollment stops the view even when it was cached', async () => {
      const course = await insertCourseWithOutline(suite.db, instructor.id, [1]);
      const { student, enrollment } = await enrolledStudent(course);
      expect((await view(student, course.course.id)).statusCode).toBe(200);
      await suite.db
        .update(enrollments)
        .set({ status: 'dropped', droppedAt: new Date() })
        .where(eq(enrollments.id, enrollment.id));
      // Another write of the course (or the enrollments module's own invalidation) ends the copy at once;
      // without any, the copy lives at most LEARNER_VIEW_TTL_SECONDS.
      await suite.db.update(courses).set({ title: 'Renamed' }).where(eq(courses.id, course.course.id));
      await api.addModule(suite.app, instructor, course.course.id);
      expect((await view(student, course.course.id)).statusCode).toBe(403);
    });

    it('400 for a malformed id, 401 without a token', async () => {
      const student = await insertSignedInUser(suite.testApp);
      const malformed = await view(student, 'intro-course');
      expect(malformed.statusCode).toBe(400);
      expect(malformed.json().errors[0].field).toBe('/params/id');
      const anonymous = await suite.app.inject({
        method: 'GET',
        url: `/api/v1/me/courses/${sequential.course.id}`,
      });
      expect(anonymous.statusCode).toBe(401);
    });

    it('someone else’s enrollment shows nothing of theirs', async () => {
      const { student: owner } = await enrolledStudent(sequential);
      await put(owner, sequential.lessons[0]!.id, { status: 'completed', positionSeconds: 777 });
      const { student: other } = await enrolledStudent(sequential);
      const course = await learnerView(other, sequential.course.id);
      expect(course.modules[0]!.lessons[0]).toMatchObject({ status: 'not_started', positionSeconds: 0 });
      expect(course.enrollment.completedLessonCount).toBe(0);
    });
  });
});
