import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { DomainEvents } from '../../src/infrastructure/events/domain-events.js';
import { createEventBus } from '../../src/infrastructure/events/event-bus.js';
import { createGradedCompletion } from '../../src/modules/progress/index.js';
import {
  certificateIssuerFor,
  certificatesOf,
  enrollmentRow,
  insertAssignmentSubmission,
  insertCourseWithOutline,
  insertEnrollment,
  insertGradedAssignment,
  insertGradedQuiz,
  insertLessonProgress,
  insertQuizAttempt,
  insertSignedInUser,
  notificationsOf,
} from '../helpers/factories/index.js';
import { useTestApp } from '../helpers/use-test-app.js';

type Completed = DomainEvents['enrollment.completed'];

describe('the completion rule with required quizzes and assignments', () => {
  const suite = useTestApp({ cast: ['instructor'] });
  const { instructor } = suite.cast;

  /**
   * The subscriber's work (createGradedCompletion) on a bus of its own that records completions and
   * issues certificates as the durable certificate subscriber does.
   */
  function gradedCompletion() {
    const published: Completed[] = [];
    const events = createEventBus<DomainEvents>({ onSubscriberError: () => {} });
    const issuer = certificateIssuerFor(suite.testApp);
    events.subscribe(
      'enrollment.completed',
      async (payload) => {
        published.push(payload);
        await issuer.issue(payload.enrollmentId);
      },
      { name: 'recorder' },
    );
    return { published, completion: createGradedCompletion({ db: suite.db, events }) };
  }

  /** A course with one required lesson, a required quiz (10 points) and a required assignment. */
  async function course(options: { lessons?: number; scorePolicy?: 'highest' | 'latest' | 'average' } = {}) {
    const outline = await insertCourseWithOutline(suite.db, instructor.id, [options.lessons ?? 1], {
      title: 'Assessed Course',
    });
    const quiz = await insertGradedQuiz(suite.db, outline.course.id, {
      isRequired: true,
      passingScore: 70,
      scorePolicy: options.scorePolicy ?? 'highest',
    });
    const assignment = await insertGradedAssignment(suite.db, outline.course.id, {
      isRequired: true,
      passingScore: 60,
      maxPoints: 50,
    });
    return { ...outline, quiz, assignment };
  }

  async function learner(courseId: string) {
    const student = await insertSignedInUser(suite.testApp);
    const enrollment = await insertEnrollment(suite.db, student.id, courseId);
    return { student, enrollment };
  }

  async function completeLessons(
    lessons: readonly { id: string }[],
    who: { student: { id: string }; enrollment: { id: string } },
  ) {
    for (const lesson of lessons) {
      await insertLessonProgress(suite.db, {
        userId: who.student.id,
        lessonId: lesson.id,
        enrollmentId: who.enrollment.id,
        status: 'completed',
      });
    }
    await suite.db.execute(
      sql`UPDATE enrollments SET completed_lesson_count = ${lessons.length}, progress_percent = 100
           WHERE id = ${who.enrollment.id}::uuid`,
    );
  }

  it('last requirement a lesson: the progress write completes it, once, with the new body', async () => {
    const c = await course();
    const who = await learner(c.course.id);
    await insertQuizAttempt(suite.db, { quizId: c.quiz.id, userId: who.student.id, scorePercent: 70 });
    await insertAssignmentSubmission(suite.db, {
      assignmentId: c.assignment.id,
      studentId: who.student.id,
      grade: 30,
    });
    const response = await suite.app.inject({
      method: 'PUT',
      url: `/api/v1/me/lessons/${c.lessons[0]!.id}/progress`,
      headers: who.student.headers,
      payload: { status: 'completed' },
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().enrollment.status).toBe('completed');
    const notes = await notificationsOf(suite.db, who.student.id);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({
      title: 'You completed Assessed Course',
      body: 'Congratulations: every required lesson, quiz and assignment is done.',
    });
  });

  it('a requirement removed by authoring completes learners who met every other one: quiz made optional, assignment unpublished', async () => {
    const c = await course();
    const who = await learner(c.course.id);
    await completeLessons(c.lessons, who);
    await insertAssignmentSubmission(suite.db, {
      assignmentId: c.assignment.id,
      studentId: who.student.id,
      grade: 30,
    });
    const optional = await suite.app.inject({
      method: 'PATCH',
      url: `/api/v1/quizzes/${c.quiz.id}`,
      headers: instructor.headers,
      payload: { isRequired: false },
    });
    expect(optional.statusCode, optional.body).toBe(200);
    expect((await enrollmentRow(suite.db, who.enrollment.id)).status).toBe('completed');

    // The other way round: the assignment is what was missing, and it is unpublished.
    const d = await course();
    const other = await learner(d.course.id);
    await completeLessons(d.lessons, other);
    await insertQuizAttempt(suite.db, { quizId: d.quiz.id, userId: other.student.id, scorePercent: 90 });
    const unpublished = await suite.app.inject({
      method: 'POST',
      url: `/api/v1/assignments/${d.assignment.id}/unpublish`,
      headers: instructor.headers,
    });
    expect(unpublished.statusCode, unpublished.body).toBe(200);
    expect((await enrollmentRow(suite.db, other.enrollment.id)).status).toBe('completed');
  });

  it('a lesson finished before the quiz is passed does not complete; the quiz graded last does, once', async () => {
    const c = await course();
    const who = await learner(c.course.id);
    await insertAssignmentSubmission(suite.db, {
      assignmentId: c.assignment.id,
      studentId: who.student.id,
      grade: 30,
    });
    const response = await suite.app.inject({
      method: 'PUT',
      url: `/api/v1/me/lessons/${c.lessons[0]!.id}/progress`,
      headers: who.student.headers,
      payload: { status: 'completed' },
    });
    expect(response.json().enrollment.status).toBe('active');
    const { published, completion } = gradedCompletion();
    // A failed attempt (69% < 70%) is graded: still not complete.
    await insertQuizAttempt(suite.db, { quizId: c.quiz.id, userId: who.student.id, scorePercent: 69 });
    await completion.gradeRecorded({ userId: who.student.id, courseId: c.course.id });
    expect((await enrollmentRow(suite.db, who.enrollment.id)).status).toBe('active');
    // An attempt awaiting review does not count yet, whatever its provisional score.
    await insertQuizAttempt(suite.db, {
      quizId: c.quiz.id,
      userId: who.student.id,
      scorePercent: 100,
      gradingStatus: 'needs_review',
    });
    await completion.gradeRecorded({ userId: who.student.id, courseId: c.course.id });
    expect((await enrollmentRow(suite.db, who.enrollment.id)).status).toBe('active');
    await insertQuizAttempt(suite.db, { quizId: c.quiz.id, userId: who.student.id, scorePercent: 70 });
    await completion.gradeRecorded({ userId: who.student.id, courseId: c.course.id });
    await completion.gradeRecorded({ userId: who.student.id, courseId: c.course.id });
    expect(published).toHaveLength(1);
    expect(await enrollmentRow(suite.db, who.enrollment.id)).toMatchObject({ status: 'completed' });
    expect(await certificatesOf(suite.db, who.enrollment.id)).toHaveLength(1);
  });

  it('last requirement an assignment: the late penalty counts, passing_score is a percent of max_points', async () => {
    const c = await course();
    const who = await learner(c.course.id);
    await completeLessons(c.lessons, who);
    await insertQuizAttempt(suite.db, { quizId: c.quiz.id, userId: who.student.id, scorePercent: 90 });
    const { published, completion } = gradedCompletion();
    // 35 of 50 less 20% late = 28 < 30 (60% of 50): not passed.
    await insertAssignmentSubmission(suite.db, {
      assignmentId: c.assignment.id,
      studentId: who.student.id,
      grade: 35,
      penaltyPercent: 20,
      isLate: true,
    });
    await completion.gradeRecorded({ userId: who.student.id, courseId: c.course.id });
    expect((await enrollmentRow(suite.db, who.enrollment.id)).status).toBe('active');
    // A submission not graded yet does not count.
    await insertAssignmentSubmission(suite.db, { assignmentId: c.assignment.id, studentId: who.student.id });
    await completion.gradeRecorded({ userId: who.student.id, courseId: c.course.id });
    expect((await enrollmentRow(suite.db, who.enrollment.id)).status).toBe('active');
    // The latest graded attempt counts: 30 = exactly 60% of 50.
    await insertAssignmentSubmission(suite.db, {
      assignmentId: c.assignment.id,
      studentId: who.student.id,
      grade: 30,
      gradingStatus: 'returned',
    });
    await completion.gradeRecorded({ userId: who.student.id, courseId: c.course.id });
    expect(published).toEqual([expect.objectContaining({ enrollmentId: who.enrollment.id })]);
    expect(await certificatesOf(suite.db, who.enrollment.id)).toHaveLength(1);
  });

  it('score policies: latest counts the last graded attempt, average the mean, highest the best', async () => {
    const attempts = [90, 50];
    const outcome: Record<string, string> = {};
    for (const scorePolicy of ['highest', 'latest', 'average'] as const) {
      const c = await course({ lessons: 0, scorePolicy });
      await suite.db.execute(
        sql`UPDATE assignments SET is_required = false WHERE id = ${c.assignment.id}::uuid`,
      );
      const who = await learner(c.course.id);
      for (const scorePercent of attempts) {
        await insertQuizAttempt(suite.db, { quizId: c.quiz.id, userId: who.student.id, scorePercent });
      }
      await gradedCompletion().completion.gradeRecorded({ userId: who.student.id, courseId: c.course.id });
      outcome[scorePolicy] = (await enrollmentRow(suite.db, who.enrollment.id)).status;
    }
    // highest 90 >= 70; latest 50 < 70; average 70 >= 70.
    expect(outcome).toEqual({ highest: 'completed', latest: 'active', average: 'completed' });
  });

  it('a course whose only requirements are quizzes completes when they pass; unpublished and optional items do not count', async () => {
    const outline = await insertCourseWithOutline(suite.db, instructor.id, [[{ isRequired: false }]]);
    const quiz = await insertGradedQuiz(suite.db, outline.course.id, { isRequired: true });
    await insertGradedQuiz(suite.db, outline.course.id, { isRequired: true, isPublished: false });
    await insertGradedAssignment(suite.db, outline.course.id, { isRequired: false });
    const survey = await insertGradedQuiz(suite.db, outline.course.id, { isRequired: true, type: 'survey' });
    const who = await learner(outline.course.id);
    const { published, completion } = gradedCompletion();
    await insertQuizAttempt(suite.db, { quizId: quiz.id, userId: who.student.id, scorePercent: 80 });
    await completion.gradeRecorded({ userId: who.student.id, courseId: outline.course.id });
    // The required survey is ungraded: any submitted answer meets it.
    expect((await enrollmentRow(suite.db, who.enrollment.id)).status).toBe('active');
    await insertQuizAttempt(suite.db, {
      quizId: survey.id,
      userId: who.student.id,
      scorePercent: null,
      gradingStatus: 'graded',
      score: 0,
    });
    await completion.gradeRecorded({ userId: who.student.id, courseId: outline.course.id });
    expect(published).toHaveLength(1);
    const notes = await notificationsOf(suite.db, who.student.id);
    expect(notes.find((note) => note.type === 'enrollment')?.body).toBe(
      'Congratulations: every required quiz is done.',
    );
  });

  it('a course with no requirement of any kind still never completes', async () => {
    const outline = await insertCourseWithOutline(suite.db, instructor.id, [[{ isRequired: false }]]);
    const quiz = await insertGradedQuiz(suite.db, outline.course.id, { isRequired: false });
    const who = await learner(outline.course.id);
    await insertQuizAttempt(suite.db, { quizId: quiz.id, userId: who.student.id, scorePercent: 100 });
    await gradedCompletion().completion.gradeRecorded({
      userId: who.student.id,
      courseId: outline.course.id,
    });
    expect((await enrollmentRow(suite.db, who.enrollment.id)).status).toBe('active');
  });

  it('20 concurrent graded events for the last requirement: one completion, one certificate, one notification', async () => {
    const c = await course();
    const who = await learner(c.course.id);
    await completeLessons(c.lessons, who);
    await insertAssignmentSubmission(suite.db, {
      assignmentId: c.assignment.id,
      studentId: who.student.id,
      grade: 50,
    });
    await insertQuizAttempt(suite.db, { quizId: c.quiz.id, userId: who.student.id, scorePercent: 100 });
    const { published, completion } = gradedCompletion();
    await Promise.all(
      Array.from({ length: 20 }, () =>
        completion.gradeRecorded({ userId: who.student.id, courseId: c.course.id }),
      ),
    );
    expect(published).toHaveLength(1);
    expect(await certificatesOf(suite.db, who.enrollment.id)).toHaveLength(1);
    const completions = (await notificationsOf(suite.db, who.student.id)).filter(
      (n) => n.type === 'enrollment',
    );
    expect(completions).toHaveLength(1);
  });

  it('a lesson and a grade committing at the same moment: the grade waits for the lesson’s lock and completes', async () => {
    const c = await course();
    const who = await learner(c.course.id);
    await insertAssignmentSubmission(suite.db, {
      assignmentId: c.assignment.id,
      studentId: who.student.id,
      grade: 50,
    });
    await insertQuizAttempt(suite.db, { quizId: c.quiz.id, userId: who.student.id, scorePercent: 100 });
    const { published, completion } = gradedCompletion();
    let graded: Promise<void> | undefined;
    let settled = false;
    // A progress write in flight: it holds the enrollment's lock and has written the last lesson, but
    // has not committed (its own completion check ran before the grade existed).
    await suite.db.transaction(async (tx) => {
      await tx.execute(
        sql`SELECT 1 FROM enrollments WHERE id = ${who.enrollment.id}::uuid FOR NO KEY UPDATE`,
      );
      await tx.execute(sql`
        INSERT INTO lesson_progress (user_id, lesson_id, enrollment_id, status, progress_percent, completed_at)
        VALUES (${who.student.id}::uuid, ${c.lessons[0]!.id}::uuid, ${who.enrollment.id}::uuid, 'completed', 100, now())`);
      graded = completion.gradeRecorded({ userId: who.student.id, courseId: c.course.id }).finally(() => {
        settled = true;
      });
      // Until the grade's transaction is seen waiting for a lock (or, without the lock, has finished).
      for (;;) {
        const waiting = await suite.db.execute<{ n: number }>(sql`
          SELECT count(*)::int AS n FROM pg_stat_activity
           WHERE datname = current_database() AND wait_event_type = 'Lock'`);
        if (settled || (waiting.rows[0]?.n ?? 0) > 0) break;
      }
    });
    await graded;
    expect(published).toHaveLength(1);
    expect((await enrollmentRow(suite.db, who.enrollment.id)).status).toBe('completed');
  });
});
