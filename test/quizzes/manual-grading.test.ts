import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { gradeChanges } from '../../src/infrastructure/database/schema/index.js';
import type { DomainEvents } from '../../src/infrastructure/events/domain-events.js';
import { createEventBus } from '../../src/infrastructure/events/event-bus.js';
import { createQuizGradingService } from '../../src/modules/quizzes/quiz-grading.service.js';
import { apiCaller } from '../helpers/api-call.js';
import {
  insertCourse,
  insertEnrollment,
  insertSignedInUser,
  notificationsOf,
} from '../helpers/factories/index.js';
import { useTestApp } from '../helpers/use-test-app.js';
import { attemptRow, insertQuizWith, itemRowsOf } from './quiz-fixtures.js';

describe('grading quiz attempts by hand', () => {
  const suite = useTestApp({ cast: ['student', 'instructor', 'otherInstructor', 'admin'] });
  const { student, instructor, otherInstructor, admin } = suite.cast;
  let courseId: string;

  beforeAll(async () => {
    courseId = (await insertCourse(suite.db, instructor.id)).id;
    await insertEnrollment(suite.db, student.id, courseId);
  });

  const call = apiCaller(suite);

  /** A submitted attempt of a fresh learner at a quiz of one true/false (2 points, answered right) and one essay (8 points). */
  async function submittedEssayAttempt(passingScore = 50) {
    const { quiz, questions } = await insertQuizWith(
      suite.db,
      courseId,
      { passingScore, title: 'Essay quiz' },
      [
        { type: 'true_false', prompt: 'True?', correctAnswer: true, points: 2 },
        { type: 'essay', prompt: 'Discuss.', correctAnswer: null, points: 8 },
      ],
    );
    const learner = await insertSignedInUser(suite.testApp);
    await insertEnrollment(suite.db, learner.id, courseId);
    const attempt = (await call(learner, 'POST', `/quizzes/${quiz.id}/attempts`)).json();
    const [tf, essay] = questions.map((q) => q.id) as [string, string];
    await call(learner, 'PUT', `/quiz-attempts/${attempt.id}/answers`, {
      sequence: 1,
      answers: { [tf]: true, [essay]: 'My essay' },
    });
    const submitted = await call(learner, 'POST', `/quiz-attempts/${attempt.id}/submit`);
    return { quiz, learner, attemptId: attempt.id as string, tf, essay, submitted: submitted.json() };
  }

  it('an essay leaves the attempt needs_review with the objective points and no pass/fail yet', async () => {
    const { submitted, attemptId, quiz, tf, essay } = await submittedEssayAttempt();
    expect(submitted).toMatchObject({
      gradingStatus: 'needs_review',
      score: 2,
      maxScore: 10,
      scorePercent: 20,
      passed: null,
    });
    expect(await attemptRow(suite.db, attemptId)).toMatchObject({
      gradingStatus: 'needs_review',
      passed: null,
      gradedAt: null,
    });
    // The essay's item row: no points yet, and neither correct nor wrong (it awaits review).
    expect(await itemRowsOf(suite.db, attemptId)).toEqual({
      [tf]: { quizId: quiz.id, points: 2, maxPoints: 2, correct: true },
      [essay]: { quizId: quiz.id, points: 0, maxPoints: 8, correct: null },
    });
  });

  it('grading updates totals, percent and passed, records the history, notifies the student and publishes', async () => {
    const { attemptId, learner, essay, quiz } = await submittedEssayAttempt();
    const published: DomainEvents['quiz-attempt.graded'][] = [];
    const events = createEventBus<DomainEvents>({ onSubscriberError: () => {} });
    events.subscribe('quiz-attempt.graded', async (payload) => void published.push(payload), {
      name: 'recorder',
    });
    const grading = createQuizGradingService({ db: suite.db, events });
    const graded = await grading.grade(instructor, attemptId, {
      questions: [{ questionId: essay, points: 6.5, feedback: 'Good argument' }],
      feedback: 'Well done',
    });
    expect(graded).toMatchObject({
      gradingStatus: 'graded',
      score: 8.5,
      maxScore: 10,
      scorePercent: 85,
      passed: true,
    });
    expect(graded.results?.[1]).toMatchObject({ points: 6.5, feedback: 'Good argument', needsReview: false });
    const row = await attemptRow(suite.db, attemptId);
    expect(row).toMatchObject({
      gradingStatus: 'graded',
      score: 8.5,
      passed: true,
      graderId: instructor.id,
      feedback: 'Well done',
    });
    const history = await suite.db
      .select()
      .from(gradeChanges)
      .where(eq(gradeChanges.quizSubmissionId, attemptId));
    expect(history).toEqual([
      expect.objectContaining({
        graderId: instructor.id,
        oldGrade: 2,
        newGrade: 8.5,
        oldStatus: 'needs_review',
        newStatus: 'graded',
      }),
    ]);
    expect((await itemRowsOf(suite.db, attemptId))[essay]).toEqual({
      quizId: quiz.id,
      points: 6.5,
      maxPoints: 8,
      correct: false,
    });
    const notes = await notificationsOf(suite.db, learner.id);
    expect(notes).toEqual([
      expect.objectContaining({
        type: 'quiz_graded',
        title: 'Your attempt at Essay quiz was graded',
        payload: { quizId: quiz.id, attemptId, courseId },
      }),
    ]);
    expect(published).toEqual([
      { attemptId, quizId: quiz.id, userId: learner.id, courseId, required: false },
    ]);

    // A re-grade by an admin: a second history row, pass turns to fail.
    const regrade = await call(admin, 'POST', `/quiz-attempts/${attemptId}/grade`, {
      questions: [{ questionId: essay, points: 1 }],
    });
    expect(regrade.statusCode, regrade.body).toBe(200);
    expect(regrade.json()).toMatchObject({
      score: 3,
      scorePercent: 30,
      passed: false,
      gradingStatus: 'graded',
    });
    expect((await itemRowsOf(suite.db, attemptId))[essay]).toMatchObject({ points: 1, correct: false });
    const after = await suite.db
      .select()
      .from(gradeChanges)
      .where(eq(gradeChanges.quizSubmissionId, attemptId));
    expect(after.map((change) => [change.oldGrade, change.newGrade])).toEqual(
      expect.arrayContaining([
        [2, 8.5],
        [8.5, 3],
      ]),
    );
  });

  it('stays needs_review (no pass/fail) until every question awaiting review is graded', async () => {
    const { quiz, questions } = await insertQuizWith(suite.db, courseId, {}, [
      { type: 'essay', prompt: 'One.', correctAnswer: null, points: 5 },
      { type: 'essay', prompt: 'Two.', correctAnswer: null, points: 5 },
    ]);
    const learner = await insertSignedInUser(suite.testApp);
    await insertEnrollment(suite.db, learner.id, courseId);
    const attempt = (await call(learner, 'POST', `/quizzes/${quiz.id}/attempts`)).json();
    await call(learner, 'POST', `/quiz-attempts/${attempt.id}/submit`);
    const [one, two] = questions.map((q) => q.id) as [string, string];
    const partly = await call(instructor, 'POST', `/quiz-attempts/${attempt.id}/grade`, {
      questions: [{ questionId: one, points: 5 }],
    });
    expect(partly.json()).toMatchObject({ gradingStatus: 'needs_review', score: 5, passed: null });
    expect(await itemRowsOf(suite.db, attempt.id)).toEqual({
      [one]: { quizId: quiz.id, points: 5, maxPoints: 5, correct: true },
      [two]: { quizId: quiz.id, points: 0, maxPoints: 5, correct: null },
    });
    const fully = await call(instructor, 'POST', `/quiz-attempts/${attempt.id}/grade`, {
      questions: [{ questionId: two, points: 4 }],
    });
    expect(fully.json()).toMatchObject({ gradingStatus: 'graded', score: 9, scorePercent: 90, passed: true });
  });

  it('refuses grades that do not fit (422 invalid_grades) and changes nothing', async () => {
    const { attemptId, tf, essay } = await submittedEssayAttempt();
    const before = await attemptRow(suite.db, attemptId);
    for (const questions of [
      [{ questionId: tf, points: 2 }],
      [{ questionId: essay, points: 9 }],
      [{ questionId: crypto.randomUUID(), points: 1 }],
      [
        { questionId: essay, points: 1 },
        { questionId: essay, points: 2 },
      ],
    ]) {
      const response = await call(instructor, 'POST', `/quiz-attempts/${attemptId}/grade`, { questions });
      expect(response.statusCode, JSON.stringify(questions)).toBe(422);
      expect(response.json().code).toBe('invalid_grades');
    }
    expect(await attemptRow(suite.db, attemptId)).toEqual(before);
    expect((await itemRowsOf(suite.db, attemptId))[essay]).toMatchObject({ points: 0, correct: null });
    expect(
      await suite.db.select().from(gradeChanges).where(eq(gradeChanges.quizSubmissionId, attemptId)),
    ).toEqual([]);
  });

  it('only course staff grade: the student 403, another instructor 404; an open attempt is 409', async () => {
    const { attemptId, learner, essay } = await submittedEssayAttempt();
    const body = { questions: [{ questionId: essay, points: 8 }] };
    expect((await call(learner, 'POST', `/quiz-attempts/${attemptId}/grade`, body)).statusCode).toBe(403);
    const foreign = await call(otherInstructor, 'POST', `/quiz-attempts/${attemptId}/grade`, body);
    expect(foreign.statusCode).toBe(404);
    expect(foreign.body).not.toContain('My essay');
    expect((await attemptRow(suite.db, attemptId)).gradingStatus).toBe('needs_review');

    const { quiz } = await insertQuizWith(suite.db, courseId);
    const open = (await call(student, 'POST', `/quizzes/${quiz.id}/attempts`)).json();
    const refused = await call(instructor, 'POST', `/quiz-attempts/${open.id}/grade`, {
      questions: [{ questionId: open.questions[0].id, points: 1 }],
    });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().code).toBe('attempt_not_gradable');
  });
});
