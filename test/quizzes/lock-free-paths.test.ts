/**
 * The quiz paths that take no lock before writing: the one-statement start (insertFreshAttempt),
 * which writes an attempt only when the locked path would create one; the per-version question sets,
 * so that a start or an attempt read after any edit of the questions shows them as edited; the
 * unlocked submit, which writes only if the attempt is as it was read.
 */
import { eq, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { enrollments, quizSubmissions } from '../../src/infrastructure/database/schema/index.js';
import type { DomainEvents } from '../../src/infrastructure/events/domain-events.js';
import { createEventBus } from '../../src/infrastructure/events/event-bus.js';
import { submitUnchangedAttempt } from '../../src/modules/quizzes/attempt-submission.js';
import {
  bumpQuizVersion,
  type FreshAttemptInput,
  insertFreshAttempt,
  selectQuizFacts,
} from '../../src/modules/quizzes/quizzes.queries.js';
import { apiCaller } from '../helpers/api-call.js';
import {
  enrollmentRow,
  insertCourse,
  insertEnrollment,
  insertSignedInUser,
  queuedJobs,
  type SignedInUser,
} from '../helpers/factories/index.js';
import { useTestApp } from '../helpers/use-test-app.js';
import { attemptRow, attemptRowsOf, insertQuizWith } from './quiz-fixtures.js';

describe('the one-statement quiz start', () => {
  const suite = useTestApp({ cast: ['instructor'] });
  const { instructor } = suite.cast;
  let courseId: string;

  beforeAll(async () => {
    courseId = (await insertCourse(suite.db, instructor.id)).id;
  });

  const call = apiCaller(suite);

  async function enrolledStudent(): Promise<{ user: SignedInUser; enrollmentId: string }> {
    const user = await insertSignedInUser(suite.testApp);
    const enrollment = await insertEnrollment(suite.db, user.id, courseId);
    return { user, enrollmentId: enrollment.id };
  }

  /** A fresh student and quiz, and the input that starts the student's next attempt at it. */
  async function freshStart(settings: { maxAttempts?: number } = {}) {
    const { quiz, questions } = await insertQuizWith(suite.db, courseId, settings);
    const { user, enrollmentId } = await enrolledStudent();
    const facts = await selectQuizFacts(suite.db, quiz.id, user.id);
    const input: FreshAttemptInput = {
      quizId: quiz.id,
      quizVersion: facts?.quizVersion as string,
      userId: user.id,
      maxAttempts: quiz.maxAttempts,
      startedAt: new Date(),
      deadlineAt: null,
      questionOrder: questions.map((question) => ({ questionId: question.id, optionIds: [] })),
    };
    return { quiz, user, enrollmentId, input };
  }

  it('inserts the next attempt when the quiz is as read, the student has none open and attempts left', async () => {
    const { quiz, input } = await freshStart({ maxAttempts: 2 });
    const row = await insertFreshAttempt(suite.db, input);
    expect(row).toMatchObject({ attempt_number: 1 });
    const [stored] = await attemptRowsOf(suite.db, quiz.id);
    expect(stored).toMatchObject({ id: row?.id, attemptNumber: 1, questionOrder: input.questionOrder });
    expect(stored?.submittedAt).toBeNull();

    await suite.db
      .update(quizSubmissions)
      .set({ submittedAt: new Date() })
      .where(eq(quizSubmissions.quizId, quiz.id));
    expect(await insertFreshAttempt(suite.db, input)).toMatchObject({ attempt_number: 2 });
  });

  it('writes nothing when the quiz changed since it was read', async () => {
    const { quiz, input } = await freshStart();
    await bumpQuizVersion(suite.db, quiz.id);
    expect(await insertFreshAttempt(suite.db, input)).toBeUndefined();
    expect(await attemptRowsOf(suite.db, quiz.id)).toHaveLength(0);
  });

  it('writes nothing for an unpublished quiz or an enrollment that is not active', async () => {
    const unpublished = await freshStart();
    await suite.db.execute(sql`UPDATE quizzes SET is_published = false WHERE id = ${unpublished.quiz.id}`);
    const facts = await selectQuizFacts(suite.db, unpublished.quiz.id, unpublished.user.id);
    const input = { ...unpublished.input, quizVersion: facts?.quizVersion as string };
    expect(await insertFreshAttempt(suite.db, input)).toBeUndefined();

    const dropped = await freshStart();
    await suite.db
      .update(enrollments)
      .set({ status: 'dropped', droppedAt: new Date() })
      .where(eq(enrollments.id, dropped.enrollmentId));
    expect(await insertFreshAttempt(suite.db, dropped.input)).toBeUndefined();
    expect(await attemptRowsOf(suite.db, unpublished.quiz.id)).toHaveLength(0);
    expect(await attemptRowsOf(suite.db, dropped.quiz.id)).toHaveLength(0);
  });

  it('writes nothing for a draft course, an expired enrollment or the course’s own instructor', async () => {
    const draft = await freshStart();
    await suite.db.execute(sql`UPDATE courses SET status = 'draft' WHERE id = ${courseId}`);
    try {
      expect(await insertFreshAttempt(suite.db, draft.input)).toBeUndefined();
    } finally {
      await suite.db.execute(sql`UPDATE courses SET status = 'published' WHERE id = ${courseId}`);
    }

    const expired = await freshStart();
    await suite.db
      .update(enrollments)
      .set({ expiresAt: new Date(Date.now() - 60_000) })
      .where(eq(enrollments.id, expired.enrollmentId));
    expect(await insertFreshAttempt(suite.db, expired.input)).toBeUndefined();

    // Enrolled in their own course (nothing stops an admin doing so by hand): still staff.
    const own = await freshStart();
    await insertEnrollment(suite.db, instructor.id, courseId);
    expect(await insertFreshAttempt(suite.db, { ...own.input, userId: instructor.id })).toBeUndefined();
    for (const { quiz } of [draft, expired, own])
      expect(await attemptRowsOf(suite.db, quiz.id)).toHaveLength(0);
    // The same input for the enrolled student of the first quiz goes through, so the above is the rule.
    expect(await insertFreshAttempt(suite.db, draft.input)).toMatchObject({
      attempt_number: 1,
      enrollment_id: draft.enrollmentId,
    });
  });

  it('writes nothing while an attempt is open, or once the attempts are used up', async () => {
    const { quiz, input } = await freshStart({ maxAttempts: 1 });
    expect(await insertFreshAttempt(suite.db, input)).toBeDefined();
    expect(await insertFreshAttempt(suite.db, input)).toBeUndefined();
    await suite.db
      .update(quizSubmissions)
      .set({ submittedAt: new Date() })
      .where(eq(quizSubmissions.quizId, quiz.id));
    expect(await insertFreshAttempt(suite.db, input)).toBeUndefined();
    expect(await attemptRowsOf(suite.db, quiz.id)).toHaveLength(1);
  });

  it('answers a second start with the open attempt, read without a transaction', async () => {
    const { quiz } = await insertQuizWith(suite.db, courseId, { maxAttempts: 1 });
    const { user } = await enrolledStudent();
    const first = await call(user, 'POST', `/quizzes/${quiz.id}/attempts`);
    expect(first.statusCode, first.body).toBe(201);
    // The app's own database handle: the spy passes every call through, and counts the locked path's.
    const transactions = vi.spyOn(suite.db, 'transaction');
    try {
      const again = await call(user, 'POST', `/quizzes/${quiz.id}/attempts`);
      expect(again.statusCode, again.body).toBe(200);
      expect(again.json()).toEqual(first.json());
      expect(transactions).not.toHaveBeenCalled();
    } finally {
      transactions.mockRestore();
    }
    expect(await attemptRowsOf(suite.db, quiz.id)).toHaveLength(1);
  });

  describe('a start of a quiz this instance has read already', () => {
    /** The statements about quizzes sent to the database while `run` runs (the auth guard's aside). */
    async function quizStatementsDuring(run: () => Promise<unknown>): Promise<string[]> {
      const query = vi.spyOn(suite.db.$client, 'query');
      try {
        await run();
        return query.mock.calls
          .map(([statement]) =>
            typeof statement === 'string' ? statement : (statement as { text: string }).text,
          )
          .filter((text) => /quiz/.test(text));
      } finally {
        query.mockRestore();
      }
    }

    /** A quiz a first student has started, so that this instance holds it as last read. */
    async function seenQuiz() {
      const { quiz } = await insertQuizWith(suite.db, courseId);
      const first = await enrolledStudent();
      expect((await call(first.user, 'POST', `/quizzes/${quiz.id}/attempts`)).statusCode).toBe(201);
      return quiz;
    }

    it('takes one statement, the insert', async () => {
      const quiz = await seenQuiz();
      const { user, enrollmentId } = await enrolledStudent();
      let response: Awaited<ReturnType<typeof call>> | undefined;
      const statements = await quizStatementsDuring(async () => {
        response = await call(user, 'POST', `/quizzes/${quiz.id}/attempts`);
      });
      expect(response?.statusCode, response?.body).toBe(201);
      expect(statements).toHaveLength(1);
      expect(statements[0]).toMatch(/^\s*WITH quiz AS/);
      const mine = (await attemptRowsOf(suite.db, quiz.id)).filter((row) => row.userId === user.id);
      expect(mine).toMatchObject([{ id: response?.json().id, enrollmentId, attemptNumber: 1 }]);
    });

    it('still refuses whom the facts refuse, and writes nothing for them', async () => {
      const quiz = await seenQuiz();
      const stranger = await insertSignedInUser(suite.testApp);
      const lapsed = await enrolledStudent();
      await suite.db
        .update(enrollments)
        .set({ expiresAt: new Date(Date.now() - 60_000) })
        .where(eq(enrollments.id, lapsed.enrollmentId));
      const admin = await insertSignedInUser(suite.testApp, { role: 'admin' });
      await insertEnrollment(suite.db, admin.id, courseId);
      const refusals = [
        { user: stranger, status: 403, code: 'not_enrolled' },
        { user: lapsed.user, status: 403, code: 'not_enrolled' },
        { user: admin, status: 403, code: 'forbidden' },
      ];
      for (const { user, status, code } of refusals) {
        const response = await call(user, 'POST', `/quizzes/${quiz.id}/attempts`);
        expect(response.statusCode, response.body).toBe(status);
        expect(response.json()).toMatchObject({ code });
      }
      expect(await attemptRowsOf(suite.db, quiz.id)).toHaveLength(1);
    });

    it('is refused once the course is a draft again (404)', async () => {
      const course = await insertCourse(suite.db, instructor.id);
      const { quiz } = await insertQuizWith(suite.db, course.id);
      const [first, second] = [
        await insertSignedInUser(suite.testApp),
        await insertSignedInUser(suite.testApp),
      ];
      for (const user of [first, second]) await insertEnrollment(suite.db, user.id, course.id);
      expect((await call(first, 'POST', `/quizzes/${quiz.id}/attempts`)).statusCode).toBe(201);
      await suite.db.execute(sql`UPDATE courses SET status = 'draft' WHERE id = ${course.id}`);
      const response = await call(second, 'POST', `/quizzes/${quiz.id}/attempts`);
      expect(response.statusCode, response.body).toBe(404);
      expect(await attemptRowsOf(suite.db, quiz.id)).toHaveLength(1);
    });
  });

  it('moves the version strictly forward, even twice within one transaction', async () => {
    const { quiz, user } = await freshStart();
    const versions = await suite.db.transaction(async (tx) => {
      const seen: string[] = [];
      for (let i = 0; i < 2; i++) {
        await bumpQuizVersion(tx, quiz.id);
        seen.push((await selectQuizFacts(tx, quiz.id, user.id))?.quizVersion as string);
      }
      return seen;
    });
    expect(new Set(versions).size).toBe(2);
  });

  describe('a start after an edit of the questions shows them as edited', () => {
    /** A quiz whose questions this instance has cached (a start), with that attempt removed again. */
    async function cachedQuiz() {
      const { quiz, questions } = await insertQuizWith(suite.db, courseId);
      const first = await enrolledStudent();
      expect((await call(first.user, 'POST', `/quizzes/${quiz.id}/attempts`)).statusCode).toBe(201);
      await suite.db.delete(quizSubmissions).where(eq(quizSubmissions.quizId, quiz.id));
      return { quiz, questions };
    }

    async function startedPrompts(quizId: string): Promise<string[]> {
      const { user } = await enrolledStudent();
      const response = await call(user, 'POST', `/quizzes/${quizId}/attempts`);
      expect(response.statusCode, response.body).toBe(201);
      return response.json().questions.map((question: { prompt: string }) => question.prompt);
    }

    it('a reworded question', async () => {
      const { quiz, questions } = await cachedQuiz();
      const edit = await call(instructor, 'PATCH', `/questions/${questions[0]?.id}`, { prompt: 'Reworded?' });
      expect(edit.statusCode, edit.body).toBe(200);
      expect((await startedPrompts(quiz.id))[0]).toBe('Reworded?');
    });

    it('a reworded question, in an attempt already started', async () => {
      const { quiz, questions } = await insertQuizWith(suite.db, courseId);
      const { user } = await enrolledStudent();
      const attempt = (await call(user, 'POST', `/quizzes/${quiz.id}/attempts`)).json();
      await call(instructor, 'PATCH', `/questions/${questions[0]?.id}`, { prompt: 'Reworded since?' });
      const read = await call(user, 'GET', `/quiz-attempts/${attempt.id}`);
      expect(read.statusCode, read.body).toBe(200);
      expect(read.json().questions.map((question: { prompt: string }) => question.prompt)).toContain(
        'Reworded since?',
      );
    });

    it('an added question', async () => {
      const { quiz, questions } = await cachedQuiz();
      const added = await call(instructor, 'POST', `/quizzes/${quiz.id}/questions`, {
        type: 'true_false',
        prompt: 'Added later.',
        correctAnswer: true,
        points: 1,
      });
      expect(added.statusCode, added.body).toBe(201);
      const prompts = await startedPrompts(quiz.id);
      expect(prompts).toHaveLength(questions.length + 1);
      expect(prompts.at(-1)).toBe('Added later.');
    });

    it('a deleted question', async () => {
      const { quiz, questions } = await cachedQuiz();
      expect((await call(instructor, 'DELETE', `/questions/${questions[0]?.id}`)).statusCode).toBe(204);
      expect(await startedPrompts(quiz.id)).toEqual(questions.slice(1).map((question) => question.prompt));
    });

    it('reordered questions', async () => {
      const { quiz, questions } = await cachedQuiz();
      const reversed = [...questions].reverse();
      const reorder = await call(instructor, 'PUT', `/quizzes/${quiz.id}/questions/order`, {
        questionIds: reversed.map((question) => question.id),
      });
      expect(reorder.statusCode, reorder.body).toBe(200);
      expect(await startedPrompts(quiz.id)).toEqual(reversed.map((question) => question.prompt));
    });
  });

  describe('the unlocked submit', () => {
    const completionJobsOf = async (attemptId: string) =>
      (await queuedJobs(suite.db, 'event:completion-quiz-graded')).filter(
        (job) => (job.payload.payload as { attemptId: string }).attemptId === attemptId,
      );

    it('writes nothing when answers were saved after the attempt was read, or it was submitted since', async () => {
      const { quiz, questions } = await insertQuizWith(suite.db, courseId);
      const { user } = await enrolledStudent();
      const started = (await call(user, 'POST', `/quizzes/${quiz.id}/attempts`)).json();
      const read = await attemptRow(suite.db, started.id);
      const save = await call(user, 'PUT', `/quiz-attempts/${started.id}/answers`, {
        sequence: 1,
        answers: { [questions[0]?.id as string]: 'b' },
      });
      expect(save.statusCode, save.body).toBe(200);
      const events = createEventBus<DomainEvents>({ onSubscriberError: () => {} });
      const graded: string[] = [];
      events.subscribe('quiz-attempt.graded', async ({ attemptId }) => void graded.push(attemptId), {
        name: 'recorder',
      });
      const submitRead = () =>
        submitUnchangedAttempt({ db: suite.db, events }, read, quiz, { auto: false, questions });
      const itemRows = async () =>
        (
          await suite.db.execute(
            sql`SELECT question_id, points FROM quiz_item_results WHERE submission_id = ${started.id} ORDER BY 1`,
          )
        ).rows;
      expect(await submitRead()).toBeUndefined();
      expect((await attemptRow(suite.db, started.id)).submittedAt).toBeNull();
      expect(await itemRows()).toEqual([]);
      expect(graded).toEqual([]);

      // The student's submit then grades the saved answers (2 of the first question's points).
      const submitted = await call(user, 'POST', `/quiz-attempts/${started.id}/submit`);
      expect(submitted.statusCode, submitted.body).toBe(200);
      expect(submitted.json()).toMatchObject({ status: 'submitted', score: 2 });
      // An optional quiz: no completion job (it cannot be a learner's last requirement).
      expect(await completionJobsOf(started.id)).toEqual([]);
      const fresh = await attemptRow(suite.db, started.id);
      const freshItems = await itemRows();
      expect(freshItems).toHaveLength(questions.length);
      expect(await submitRead()).toBeUndefined();
      expect(await attemptRow(suite.db, started.id)).toEqual(fresh);
      // The stale grading (no points) did not overwrite the submitted attempt's item rows.
      expect(await itemRows()).toEqual(freshItems);
    });

    it('of a required quiz commits the completion rule’s job with it; of an optional quiz, none', async () => {
      const course = await insertCourse(suite.db, instructor.id);
      const { quiz, questions } = await insertQuizWith(suite.db, course.id, {
        isRequired: true,
        passingScore: 50,
      });
      const user = await insertSignedInUser(suite.testApp);
      const enrollment = await insertEnrollment(suite.db, user.id, course.id);
      const started = (await call(user, 'POST', `/quizzes/${quiz.id}/attempts`)).json();
      // The accepted answers, a short answer's as text.
      const answers = Object.fromEntries(
        questions.map((q) => [q.id, q.type === 'short_answer' ? 'Paris' : q.correctAnswer]),
      );
      const save = await call(user, 'PUT', `/quiz-attempts/${started.id}/answers`, { sequence: 1, answers });
      expect(save.statusCode, save.body).toBe(200);
      const submitted = await call(user, 'POST', `/quiz-attempts/${started.id}/submit`);
      expect(submitted.statusCode, submitted.body).toBe(200);
      expect(submitted.json()).toMatchObject({ status: 'submitted', passed: true });
      // The job came with the write (no worker runs in this file): the completion rule will run.
      expect(await completionJobsOf(started.id)).toHaveLength(1);
      expect((await enrollmentRow(suite.db, enrollment.id)).status).toBe('active');
    });

    it('submits the attempt as read when nothing changed', async () => {
      const { quiz, questions } = await insertQuizWith(suite.db, courseId);
      const { user } = await enrolledStudent();
      const started = (await call(user, 'POST', `/quizzes/${quiz.id}/attempts`)).json();
      const read = await attemptRow(suite.db, started.id);
      const submitted = await submitUnchangedAttempt(
        { db: suite.db, events: createEventBus<DomainEvents>({ onSubscriberError: () => {} }) },
        read,
        quiz,
        { auto: false, questions },
      );
      expect(submitted).toMatchObject({ id: started.id, gradingStatus: 'auto_graded', score: 0 });
      // What it returns is the row as stored.
      expect(submitted).toEqual(await attemptRow(suite.db, started.id));
    });
  });
});
