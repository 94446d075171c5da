import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { notifications } from '../../src/infrastructure/database/schema/index.js';
import {
  enrollmentCountOf,
  enrollmentRows,
  enrolmentWrites,
  insertCourse,
  insertEnrollment,
  insertLesson,
  insertModule,
  insertPrerequisites,
  insertSignedInUser,
  insertUser,
  type SignedInUser,
} from '../helpers/factories/index.js';
import { useTestApp } from '../helpers/use-test-app.js';

describe('POST /courses/:id/enrollments', () => {
  const suite = useTestApp({ cast: ['instructor', 'otherInstructor', 'student', 'otherStudent', 'admin'] });
  const { instructor, otherInstructor, student, admin } = suite.cast;

  const enrol = (
    courseId: string,
    caller: SignedInUser | undefined,
    options: { body?: unknown; key?: string } = {},
  ) =>
    suite.app.inject({
      method: 'POST',
      url: `/api/v1/courses/${courseId}/enrollments`,
      headers: {
        ...(caller?.headers ?? {}),
        ...(options.key === undefined ? {} : { 'idempotency-key': options.key }),
      },
      payload: (options.body ?? {}) as Record<string, unknown>,
    });

  async function freeCourse(overrides: Parameters<typeof insertCourse>[2] = {}) {
    const course = await insertCourse(suite.db, instructor.id, { title: 'Free course', ...overrides });
    const module = await insertModule(suite.db, course.id, 0);
    const first = await insertLesson(suite.db, module, 0, { title: 'First lesson' });
    await insertLesson(suite.db, module, 1, { title: 'Second lesson' });
    return { course, module, first };
  }

  const learner = () => insertSignedInUser(suite.testApp, { role: 'student' });

  it('enrols a student in a free published course: 201, Location, the enrollment with course and next lesson', async () => {
    const { course, first } = await freeCourse();
    const before = await enrollmentCountOf(suite.db, course.id);
    const response = await enrol(course.id, student);
    expect(response.statusCode, response.body).toBe(201);
    const body = response.json();
    expect(response.headers.location).toBe(`/api/v1/enrollments/${body.id}`);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(body).toMatchObject({
      userId: student.id,
      courseId: course.id,
      status: 'active',
      progressPercent: 0,
      expiresAt: null,
      enrolledBy: null,
      course: { id: course.id, title: 'Free course', slug: course.slug, status: 'published' },
      nextLesson: { id: first.id, title: 'First lesson' },
    });
    expect(await enrollmentRows(suite.db, course.id)).toHaveLength(1);
    expect(await enrollmentCountOf(suite.db, course.id)).toBe(before + 1);
    // "Enrollment confirmed", written with the enrollment.
    const confirmed = await suite.db.select().from(notifications).where(eq(notifications.userId, student.id));
    expect(confirmed).toHaveLength(1);
    expect(confirmed[0]).toMatchObject({
      type: 'enrollment',
      title: 'You are enrolled in “Free course”',
      payload: { courseId: course.id, enrollmentId: body.id },
      linkUrl: `/courses/${course.slug}`,
    });
  });

  it('a second enrol while active answers 200 with the same enrollment and writes nothing', async () => {
    const { course } = await freeCourse();
    const first = await enrol(course.id, student);
    const second = await enrol(course.id, student);
    expect(second.statusCode).toBe(200);
    expect(second.json().id).toBe(first.json().id);
    expect(await enrollmentRows(suite.db, course.id)).toHaveLength(1);
    expect(await enrollmentCountOf(suite.db, course.id)).toBe(1);
  });

  it('20 concurrent enrols make one row, one 201 and nineteen 200s, and count one', async () => {
    const { course } = await freeCourse();
    const user = await learner();
    const answers = await Promise.all(Array.from({ length: 20 }, () => enrol(course.id, user)));
    const statuses = answers.map((answer) => answer.statusCode).sort();
    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    expect(statuses.filter((status) => status === 200)).toHaveLength(19);
    expect(new Set(answers.map((answer) => answer.json().id)).size).toBe(1);
    expect(await enrollmentRows(suite.db, course.id)).toHaveLength(1);
    expect(await enrollmentCountOf(suite.db, course.id)).toBe(1);
    expect(await suite.db.select().from(notifications).where(eq(notifications.userId, user.id))).toHaveLength(
      1,
    );
  });

  it('counts exactly when many learners enrol at once', async () => {
    const { course } = await freeCourse();
    const learners = await Promise.all(Array.from({ length: 12 }, learner));
    const answers = await Promise.all(learners.map((user) => enrol(course.id, user)));
    expect(answers.every((answer) => answer.statusCode === 201)).toBe(true);
    expect(await enrollmentCountOf(suite.db, course.id)).toBe(12);
  });

  it('sets expiresAt from the course access duration', async () => {
    const { course } = await freeCourse({ accessDurationDays: 30 });
    const response = await enrol(course.id, student);
    expect(response.statusCode).toBe(201);
    const expires = Date.parse(response.json().expiresAt);
    const expected = Date.now() + 30 * 86_400_000;
    expect(Math.abs(expires - expected)).toBeLessThan(60_000);
  });

  describe('Idempotency-Key', () => {
    it('the same key answers the first answer again, even after the enrollment changed', async () => {
      const { course } = await freeCourse();
      const user = await learner();
      const first = await enrol(course.id, user, { key: 'enrol-1' });
      expect(first.statusCode).toBe(201);
      const again = await enrol(course.id, user, { key: 'enrol-1' });
      expect(again.statusCode).toBe(201);
      expect(again.json()).toEqual(first.json());
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(await enrollmentRows(suite.db, course.id)).toHaveLength(1);
      // Another key is a new request: already enrolled, 200.
      const other = await enrol(course.id, user, { key: 'enrol-2' });
      expect(other.statusCode).toBe(200);
    });

    it('20 concurrent requests with one key: one enrollment, the same answer for all', async () => {
      const { course } = await freeCourse();
      const user = await learner();
      const answers = await Promise.all(
        Array.from({ length: 20 }, () => enrol(course.id, user, { key: 'burst' })),
      );
      expect(answers.map((answer) => answer.statusCode)).toEqual(Array(20).fill(201));
      expect(new Set(answers.map((answer) => answer.json().id)).size).toBe(1);
      expect(await enrollmentRows(suite.db, course.id)).toHaveLength(1);
    });

    it('the key reused for another course is 422 idempotency_key_reused and writes nothing', async () => {
      const one = await freeCourse();
      const two = await freeCourse();
      const user = await learner();
      expect((await enrol(one.course.id, user, { key: 'reused' })).statusCode).toBe(201);
      const before = await enrolmentWrites(suite.db);
      const reused = await enrol(two.course.id, user, { key: 'reused' });
      expect(reused.statusCode).toBe(422);
      expect(reused.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(reused.json().code).toBe('idempotency_key_reused');
      expect(await enrolmentWrites(suite.db)).toEqual(before);
    });

    it('keys belong to their user: another user with the same key enrols normally', async () => {
      const { course } = await freeCourse();
      const [a, b] = [await learner(), await learner()];
      const first = await enrol(course.id, a, { key: 'shared-key' });
      const second = await enrol(course.id, b, { key: 'shared-key' });
      expect([first.statusCode, second.statusCode]).toEqual([201, 201]);
      expect(second.json().userId).toBe(b.id);
    });

    it('a refused request stores no key: its retry runs again', async () => {
      const { course } = await freeCourse({ priceCents: 1500 });
      const user = await learner();
      expect((await enrol(course.id, user, { key: 'paid' })).statusCode).toBe(402);
      const before = await enrolmentWrites(suite.db);
      expect((await enrol(course.id, user, { key: 'paid' })).statusCode).toBe(402);
      expect(await enrolmentWrites(suite.db)).toEqual(before);
    });

    it('refuses a malformed key (400)', async () => {
      const { course } = await freeCourse();
      const response = await enrol(course.id, student, { key: 'has space' });
      expect(response.statusCode).toBe(400);
    });
  });

  describe('refusals write nothing', () => {
    it('paid course → 402 payment_required', async () => {
      const { course } = await freeCourse({ priceCents: 4900 });
      const before = await enrolmentWrites(suite.db);
      const response = await enrol(course.id, student);
      expect(response.statusCode).toBe(402);
      expect(response.json()).toMatchObject({ code: 'payment_required', priceCents: 4900 });
      expect(await enrolmentWrites(suite.db)).toEqual(before);
    });

    it('draft → 404, also for its instructor; unknown course → 404', async () => {
      const { course } = await freeCourse({ status: 'draft' });
      const before = await enrolmentWrites(suite.db);
      for (const caller of [student, instructor, admin]) {
        const response = await enrol(course.id, caller);
        expect(response.statusCode).toBe(404);
        expect(response.body).not.toContain('Free course');
      }
      expect((await enrol('00000000-0000-4000-8000-000000000000', student)).statusCode).toBe(404);
      expect(await enrolmentWrites(suite.db)).toEqual(before);
    });

    it('archived → 409 course_archived; an enrolled learner still gets 200', async () => {
      const { course } = await freeCourse({ status: 'archived' });
      const enrolled = await learner();
      await insertEnrollment(suite.db, enrolled.id, course.id);
      const before = await enrolmentWrites(suite.db);
      const response = await enrol(course.id, student);
      expect(response.statusCode).toBe(409);
      expect(response.json().code).toBe('course_archived');
      expect((await enrol(course.id, enrolled)).statusCode).toBe(200);
      expect(await enrolmentWrites(suite.db)).toEqual(before);
    });

    it('prerequisites not completed → 409 prerequisites_not_met listing the missing ones', async () => {
      const basics = await freeCourse({ title: 'Basics' });
      const advanced = await freeCourse({ title: 'Algebra' });
      const { course } = await freeCourse({ title: 'Calculus' });
      await insertPrerequisites(suite.db, course.id, [basics.course.id, advanced.course.id]);
      const user = await learner();
      await insertEnrollment(suite.db, user.id, basics.course.id, { status: 'completed' });
      await insertEnrollment(suite.db, user.id, advanced.course.id, { status: 'active' });
      const before = await enrolmentWrites(suite.db);
      const response = await enrol(course.id, user);
      expect(response.statusCode).toBe(409);
      expect(response.json().code).toBe('prerequisites_not_met');
      expect(response.json().prerequisites).toEqual([
        { id: advanced.course.id, slug: advanced.course.slug, title: 'Algebra' },
      ]);
      expect(await enrolmentWrites(suite.db)).toEqual(before);
    });

    it('accepts the learner once every prerequisite is completed', async () => {
      const basics = await freeCourse();
      const { course } = await freeCourse();
      await insertPrerequisites(suite.db, course.id, [basics.course.id]);
      const user = await learner();
      await insertEnrollment(suite.db, user.id, basics.course.id, { status: 'completed' });
      expect((await enrol(course.id, user)).statusCode).toBe(201);
    });

    it('bad input → 400 problem+json (unknown field, malformed id)', async () => {
      const { course } = await freeCourse();
      const before = await enrolmentWrites(suite.db);
      const extra = await enrol(course.id, student, { body: { userId: student.id, role: 'admin' } });
      expect(extra.statusCode).toBe(400);
      const malformed = await enrol('not-a-uuid', student);
      expect(malformed.statusCode).toBe(400);
      expect(malformed.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(await enrolmentWrites(suite.db)).toEqual(before);
    });

    it('anonymous → 401', async () => {
      const { course } = await freeCourse();
      expect((await enrol(course.id, undefined)).statusCode).toBe(401);
    });
  });

  describe('enrolling another user', () => {
    it('the course instructor enrols a student by userId (also in a paid course); enrolledBy says who', async () => {
      const { course } = await freeCourse({ priceCents: 2500 });
      const user = await insertUser(suite.db);
      const response = await enrol(course.id, instructor, { body: { userId: user.id } });
      expect(response.statusCode, response.body).toBe(201);
      expect(response.json()).toMatchObject({ userId: user.id, enrolledBy: instructor.id });
    });

    it('an admin may enrol anyone', async () => {
      const { course } = await freeCourse();
      const user = await insertUser(suite.db);
      const response = await enrol(course.id, admin, { body: { userId: user.id } });
      expect(response.statusCode).toBe(201);
      expect(response.json().enrolledBy).toBe(admin.id);
    });

    it('a student or another instructor may not (403), and nothing is written', async () => {
      const { course } = await freeCourse();
      const user = await insertUser(suite.db);
      const before = await enrolmentWrites(suite.db);
      for (const caller of [student, otherInstructor]) {
        const response = await enrol(course.id, caller, { body: { userId: user.id } });
        expect(response.statusCode).toBe(403);
        expect(response.body).not.toContain(user.email);
      }
      expect(await enrolmentWrites(suite.db)).toEqual(before);
    });

    it('refuses an unknown or deactivated user (400 naming /body/userId)', async () => {
      const { course } = await freeCourse();
      const inactive = await insertUser(suite.db, { isActive: false });
      for (const userId of [inactive.id, '00000000-0000-4000-8000-000000000000']) {
        const response = await enrol(course.id, instructor, { body: { userId } });
        expect(response.statusCode).toBe(400);
        expect(response.json().errors).toEqual([{ field: '/body/userId', message: 'is not an active user' }]);
      }
    });

    it('still checks prerequisites for the enrolled user', async () => {
      const basics = await freeCourse();
      const { course } = await freeCourse();
      await insertPrerequisites(suite.db, course.id, [basics.course.id]);
      const user = await insertUser(suite.db);
      const response = await enrol(course.id, instructor, { body: { userId: user.id } });
      expect(response.statusCode).toBe(409);
      expect(response.json().code).toBe('prerequisites_not_met');
    });
  });

  describe('re-enrolling after a drop', () => {
    it('reactivates the same row with its progress, and counts the learner again', async () => {
      const { course } = await freeCourse({ accessDurationDays: 10 });
      const user = await learner();
      const dropped = await insertEnrollment(suite.db, user.id, course.id, {
        status: 'dropped',
        droppedAt: new Date(),
        progressPercent: 50,
        completedLessonCount: 1,
        timeSpentSeconds: 420,
      });
      const before = await enrollmentCountOf(suite.db, course.id);
      const response = await enrol(course.id, user);
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({
        id: dropped.id,
        status: 'active',
        droppedAt: null,
        progressPercent: 50,
        completedLessonCount: 1,
        timeSpentSeconds: 420,
      });
      expect(response.json().expiresAt).not.toBeNull();
      expect(await enrollmentRows(suite.db, course.id)).toHaveLength(1);
      expect(await enrollmentCountOf(suite.db, course.id)).toBe(before + 1);
    });

    it('reactivates an expired enrollment with a new access window (it was still counted)', async () => {
      const { course } = await freeCourse({ accessDurationDays: 7 });
      const user = await learner();
      await insertEnrollment(suite.db, user.id, course.id, {
        status: 'expired',
        expiresAt: new Date(Date.now() - 86_400_000),
      });
      const before = await enrollmentCountOf(suite.db, course.id);
      const response = await enrol(course.id, user);
      expect(response.statusCode).toBe(200);
      expect(response.json().status).toBe('active');
      expect(Date.parse(response.json().expiresAt)).toBeGreaterThan(Date.now() + 6 * 86_400_000);
      expect(await enrollmentCountOf(suite.db, course.id)).toBe(before);
    });

    it('a completed enrollment stays completed (200)', async () => {
      const { course } = await freeCourse();
      const user = await learner();
      const completed = await insertEnrollment(suite.db, user.id, course.id, { status: 'completed' });
      const response = await enrol(course.id, user);
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ id: completed.id, status: 'completed', nextLesson: null });
    });
  });
});
