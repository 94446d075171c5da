import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { quizSubmissions } from '../../src/infrastructure/database/schema/index.js';
import type { DomainEvents } from '../../src/infrastructure/events/domain-events.js';
import { createEventBus } from '../../src/infrastructure/events/event-bus.js';
import { submitOverdueAttempts } from '../../src/modules/quizzes/index.js';
import { createQuizAttemptsService } from '../../src/modules/quizzes/quiz-attempts.service.js';
import { apiCaller } from '../helpers/api-call.js';
import {
  insertCourse,
  insertEnrollment,
  insertSignedInUser,
  queuedJobs,
  type SignedInUser,
} from '../helpers/factories/index.js';
import { useTestApp } from '../helpers/use-test-app.js';
import {
  attemptRow,
  attemptRowsOf,
  backdateAttempt,
  insertQuizWith,
  itemRowsOf,
  OBJECTIVE_QUESTIONS,
} from './quiz-fixtures.js';

type Graded = DomainEvents['quiz-attempt.graded'];

/** The answers that earn full points on OBJECTIVE_QUESTIONS, by position. */
const FULL_MARKS: unknown[] = ['b', ['a', 'c', 'd'], false, ' paris '];

describe('quiz attempts', () => {
  const suite = useTestApp({ cast: ['student', 'otherStudent', 'instructor', 'otherInstructor', 'admin'] });
  const { student, otherStudent, instructor, otherInstructor } = suite.cast;
  let courseId: string;

  beforeAll(async () => {
    courseId = (await insertCourse(suite.db, instructor.id)).id;
    await insertEnrollment(suite.db, student.id, courseId);
  });

  const call = apiCaller(suite);

  async function enrolledStudent(): Promise<SignedInUser> {
    const user = await insertSignedInUser(suite.testApp);
    await insertEnrollment(suite.db, user.id, courseId);
    return user;
  }

  function answersFor(ids: string[], values: unknown[]): Record<string, string | boolean | string[]> {
    return Object.fromEntries(ids.map((id, index) => [id, values[index] as string | boolean | string[]]));
  }

  it('starts an attempt: 201, deadline = start + limit, questions without answers; a second start returns it (200)', async () => {
    const { quiz } = await insertQuizWith(suite.db, courseId, { timeLimitMinutes: 20 });
    const response = await call(student, 'POST', `/quizzes/${quiz.id}/attempts`);
    expect(response.statusCode, response.body).toBe(201);
    const body = response.json();
    expect(body).toMatchObject({ status: 'open', attemptNumber: 1, gradingStatus: 'pending', results: null });
    expect(new Date(body.deadlineAt).getTime() - new Date(body.startedAt).getTime()).toBe(20 * 60_000);
    expect(body.questions).toHaveLength(OBJECTIVE_QUESTIONS.length);
    for (const question of body.questions) {
      expect(Object.keys(question).sort()).toEqual([
        'difficulty',
        'id',
        'options',
        'points',
        'prompt',
        'type',
      ]);
    }
    expect(response.body).not.toContain('Paris');
    expect(response.body).not.toContain('no divisors');
    const again = await call(student, 'POST', `/quizzes/${quiz.id}/attempts`);
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(body.id);
    expect(await attemptRowsOf(suite.db, quiz.id)).toHaveLength(1);
  });

  it('caps the deadline by available_until; untimed and unbounded attempts have none', async () => {
    const until = new Date(Date.now() + 5 * 60_000);
    const { quiz } = await insertQuizWith(suite.db, courseId, {
      timeLimitMinutes: 60,
      availableUntil: until,
    });
    const capped = await call(student, 'POST', `/quizzes/${quiz.id}/attempts`);
    expect(new Date(capped.json().deadlineAt).getTime()).toBe(until.getTime());
    const { quiz: untimed } = await insertQuizWith(suite.db, courseId);
    expect((await call(student, 'POST', `/quizzes/${untimed.id}/attempts`)).json().deadlineAt).toBeNull();
  });

  it('fixes a shuffled order per attempt: stored, and the same on every read', async () => {
    const seeds = Array.from({ length: 12 }, (_, i) => ({
      type: 'multiple_choice' as const,
      prompt: `Q${i}`,
      options: ['a', 'b', 'c', 'd', 'e'].map((id) => ({ id, text: id.toUpperCase() })),
      correctAnswer: 'a',
    }));
    const { quiz, questions } = await insertQuizWith(
      suite.db,
      courseId,
      { shuffleQuestions: true, shuffleOptions: true },
      seeds,
    );
    const started = (await call(student, 'POST', `/quizzes/${quiz.id}/attempts`)).json();
    const order = started.questions.map((q: { id: string }) => q.id);
    expect([...order].sort()).toEqual(questions.map((q) => q.id).sort());
    // 12! orders and 5!^12 option orders: the stored order is not the authored one.
    const optionOrders = started.questions.map((q: { options: { id: string }[] }) =>
      q.options.map((o) => o.id).join(''),
    );
    expect(
      order.join() === questions.map((q) => q.id).join() && optionOrders.every((o: string) => o === 'abcde'),
    ).toBe(false);
    const row = await attemptRow(suite.db, started.id);
    expect(row.questionOrder.map((entry) => entry.questionId)).toEqual(order);
    const read = (await call(student, 'GET', `/quiz-attempts/${started.id}`)).json();
    expect(read.questions).toEqual(started.questions);
  });

  it('refuses to start: not enrolled 403, unpublished 404, staff 403, outside the window 409; nothing written', async () => {
    const { quiz } = await insertQuizWith(suite.db, courseId);
    const { quiz: hidden } = await insertQuizWith(suite.db, courseId, { isPublished: false });
    const { quiz: later } = await insertQuizWith(suite.db, courseId, {
      availableFrom: new Date(Date.now() + 3_600_000),
    });
    const { quiz: closed } = await insertQuizWith(suite.db, courseId, {
      availableFrom: new Date(Date.now() - 7_200_000),
      availableUntil: new Date(Date.now() - 3_600_000),
    });
    const notEnrolled = await call(otherStudent, 'POST', `/quizzes/${quiz.id}/attempts`);
    expect(notEnrolled.statusCode).toBe(403);
    expect(notEnrolled.json().code).toBe('not_enrolled');
    expect((await call(student, 'POST', `/quizzes/${hidden.id}/attempts`)).statusCode).toBe(404);
    expect((await call(instructor, 'POST', `/quizzes/${quiz.id}/attempts`)).statusCode).toBe(403);
    expect((await call(otherInstructor, 'POST', `/quizzes/${hidden.id}/attempts`)).statusCode).toBe(404);
    for (const id of [later.id, closed.id]) {
      const response = await call(student, 'POST', `/quizzes/${id}/attempts`);
      expect(response.statusCode).toBe(409);
      expect(response.json().code).toBe('quiz_not_available');
    }
    for (const id of [quiz.id, hidden.id, later.id, closed.id])
      expect(await attemptRowsOf(suite.db, id)).toHaveLength(0);
  });

  it('holds the attempt limit and one open attempt under 10 concurrent starts', async () => {
    const { quiz } = await insertQuizWith(suite.db, courseId, { maxAttempts: 2 });
    const learner = await enrolledStudent();
    const startAll = () =>
      Promise.all(Array.from({ length: 10 }, () => call(learner, 'POST', `/quizzes/${quiz.id}/attempts`)));

    const first = await startAll();
    expect(first.map((r) => r.statusCode).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
    expect(new Set(first.map((r) => r.json().id)).size).toBe(1);
    expect((await call(learner, 'POST', `/quiz-attempts/${first[0]!.json().id}/submit`)).statusCode).toBe(
      200,
    );

    const second = await startAll();
    expect(second.filter((r) => r.statusCode === 201)).toHaveLength(1);
    expect(new Set(second.map((r) => r.json().id)).size).toBe(1);
    expect(second[0]!.json().attemptNumber).toBe(2);
    expect((await call(learner, 'POST', `/quiz-attempts/${second[0]!.json().id}/submit`)).statusCode).toBe(
      200,
    );

    const third = await startAll();
    expect(third.map((r) => r.statusCode)).toEqual(Array(10).fill(409));
    expect(third[0]!.json()).toMatchObject({ code: 'attempt_limit_reached', maxAttempts: 2 });
    expect(await attemptRowsOf(suite.db, quiz.id)).toHaveLength(2);
  });

  it('saves answers by sequence: an older or repeated save is 409 stale_answers and the newer answers stay', async () => {
    const { quiz, questions } = await insertQuizWith(suite.db, courseId);
    const attempt = (await call(student, 'POST', `/quizzes/${quiz.id}/attempts`)).json();
    const ids = questions.map((q) => q.id);
    const newer = await call(student, 'PUT', `/quiz-attempts/${attempt.id}/answers`, {
      sequence: 5,
      answers: answersFor(ids, FULL_MARKS),
    });
    expect(newer.statusCode, newer.body).toBe(200);
    expect(newer.json()).toMatchObject({ answersSequence: 5, results: null });
    for (const sequence of [4, 5]) {
      const older = await call(student, 'PUT', `/quiz-attempts/${attempt.id}/answers`, {
        sequence,
        answers: { [ids[0]!]: 'a' },
      });
      expect(older.statusCode).toBe(409);
      expect(older.json()).toMatchObject({ code: 'stale_answers', answersSequence: 5 });
    }
    const row = await attemptRow(suite.db, attempt.id);
    expect(row.answersSequence).toBe(5);
    expect(row.answers).toEqual(answersFor(ids, FULL_MARKS));
  });

  it('keeps the newest of concurrent saves arriving out of order', async () => {
    const { quiz, questions } = await insertQuizWith(suite.db, courseId);
    const learner = await enrolledStudent();
    const attempt = (await call(learner, 'POST', `/quizzes/${quiz.id}/attempts`)).json();
    const mc = questions[0]!.id;
    const values = ['a', 'b', 'c'];
    const responses = await Promise.all(
      [3, 1, 7, 2, 6, 4, 5].map((sequence) =>
        call(learner, 'PUT', `/quiz-attempts/${attempt.id}/answers`, {
          sequence,
          answers: { [mc]: values[sequence % 3] },
        }),
      ),
    );
    expect(responses.every((r) => r.statusCode === 200 || r.json().code === 'stale_answers')).toBe(true);
    const row = await attemptRow(suite.db, attempt.id);
    expect(row.answersSequence).toBe(7);
    expect(row.answers).toEqual({ [mc]: values[7 % 3] });
  });

  it('refuses answers that do not fit (422 invalid_answers) and saves by anyone but the student', async () => {
    const { quiz, questions } = await insertQuizWith(suite.db, courseId);
    const attempt = (await call(student, 'POST', `/quizzes/${quiz.id}/attempts`)).json();
    for (const answers of [
      { [questions[0]!.id]: 'z' },
      { [questions[2]!.id]: 'false' },
      { [crypto.randomUUID()]: 'b' },
    ]) {
      const response = await call(student, 'PUT', `/quiz-attempts/${attempt.id}/answers`, {
        sequence: 1,
        answers,
      });
      expect(response.statusCode).toBe(422);
      expect(response.json().code).toBe('invalid_answers');
    }
    const body = { sequence: 9, answers: { [questions[0]!.id]: 'b' } };
    expect((await call(otherStudent, 'PUT', `/quiz-attempts/${attempt.id}/answers`, body)).statusCode).toBe(
      404,
    );
    expect(
      (await call(otherInstructor, 'PUT', `/quiz-attempts/${attempt.id}/answers`, body)).statusCode,
    ).toBe(404);
    expect((await call(instructor, 'PUT', `/quiz-attempts/${attempt.id}/answers`, body)).statusCode).toBe(
      403,
    );
    const row = await attemptRow(suite.db, attempt.id);
    expect(row).toMatchObject({ answersSequence: 0, answers: {} });
  });

  it('submits: grades every type, writes score, percent, passed, status; publishes quiz-attempt.graded', async () => {
    const { quiz, questions } = await insertQuizWith(suite.db, courseId, { passingScore: 50 });
    const published: Graded[] = [];
    const events = createEventBus<DomainEvents>({ onSubscriberError: () => {} });
    events.subscribe('quiz-attempt.graded', async (payload) => void published.push(payload), {
      name: 'recorder',
    });
    const service = createQuizAttemptsService({ db: suite.db, events });
    const learner = await enrolledStudent();
    const { attempt } = await service.start(learner, quiz.id);
    // 2 + 2 (two of three correct chosen, one wrong: (2-1)/3 of 3 = 1) ... see below.
    await service.saveAnswers(learner, attempt.id, {
      sequence: 1,
      answers: answersFor(
        questions.map((q) => q.id),
        ['b', ['a', 'c', 'b'], true, 'PARIS'],
      ),
    });
    const submitted = await service.submit(learner, attempt.id);
    // mc 2/2, ms (2 right − 1 wrong)/3 × 3 = 1/3, tf 0/1, short 4/4 → 7 of 10.
    expect(submitted).toMatchObject({
      status: 'submitted',
      score: 7,
      maxScore: 10,
      scorePercent: 70,
      passed: true,
      gradingStatus: 'auto_graded',
      autoSubmitted: false,
      results: null,
    });
    const row = await attemptRow(suite.db, attempt.id);
    expect(row).toMatchObject({
      score: 7,
      maxScore: 10,
      scorePercent: 70,
      passed: true,
      gradingStatus: 'auto_graded',
    });
    expect(row.results[questions[1]!.id]).toEqual({
      points: 1,
      maxPoints: 3,
      correct: false,
      needsReview: false,
    });
    // The same results as rows, for the statistics: one per question, with the attempt's quiz.
    const [mc, ms, tf, short] = questions.map((q) => q.id) as [string, string, string, string];
    expect(await itemRowsOf(suite.db, attempt.id)).toEqual({
      [mc]: { quizId: quiz.id, points: 2, maxPoints: 2, correct: true },
      [ms]: { quizId: quiz.id, points: 1, maxPoints: 3, correct: false },
      [tf]: { quizId: quiz.id, points: 0, maxPoints: 1, correct: false },
      [short]: { quizId: quiz.id, points: 4, maxPoints: 4, correct: true },
    });
    expect(published).toEqual([
      { attemptId: attempt.id, quizId: quiz.id, userId: learner.id, courseId, required: false },
    ]);
    await expect(service.submit(learner, attempt.id)).rejects.toMatchObject({ code: 'attempt_submitted' });
  });

  it('a submit enqueues the completion check only for a quiz required for completion', async () => {
    const completionJobs = async () => (await queuedJobs(suite.db, 'event:completion-quiz-graded')).length;
    const before = await completionJobs();
    const learner = await enrolledStudent();
    for (const isRequired of [false, true]) {
      const { quiz } = await insertQuizWith(suite.db, courseId, { isRequired });
      const started = await call(learner, 'POST', `/quizzes/${quiz.id}/attempts`);
      const submitted = await call(learner, 'POST', `/quiz-attempts/${started.json().id}/submit`);
      expect(submitted.statusCode, submitted.body).toBe(200);
    }
    expect(await completionJobs()).toBe(before + 1);
  });

  it('shows per-question results only as the review setting allows', async () => {
    const review = async (settings: Parameters<typeof insertQuizWith>[2]) => {
      const { quiz } = await insertQuizWith(suite.db, courseId, settings);
      const attempt = (await call(student, 'POST', `/quizzes/${quiz.id}/attempts`)).json();
      const submitted = await call(student, 'POST', `/quiz-attempts/${attempt.id}/submit`);
      expect(submitted.statusCode).toBe(200);
      const staff = await call(instructor, 'GET', `/quiz-attempts/${attempt.id}`);
      expect(staff.json().results).toHaveLength(OBJECTIVE_QUESTIONS.length);
      return submitted;
    };
    const closed = await review({ showCorrectAnswers: false });
    expect(closed.json().results).toBeNull();
    expect(closed.body).not.toContain('Paris');
    const notYet = await review({
      showCorrectAnswers: true,
      showCorrectAnswersAt: new Date(Date.now() + 86_400_000),
    });
    expect(notYet.json().results).toBeNull();
    const open = await review({ showCorrectAnswers: true });
    expect(open.json().results[3]).toMatchObject({ correctAnswer: ['Paris'], points: 0, correct: false });
    expect(open.json().results[0].explanation).toBe('7 has no divisors but 1 and itself.');
  });

  it('after the deadline (+5 s grace): saves are 409 attempt_expired and the attempt is submitted with the saved answers', async () => {
    const { quiz, questions } = await insertQuizWith(suite.db, courseId, { timeLimitMinutes: 10 });
    const attempt = (await call(student, 'POST', `/quizzes/${quiz.id}/attempts`)).json();
    const ids = questions.map((q) => q.id);
    await call(student, 'PUT', `/quiz-attempts/${attempt.id}/answers`, {
      sequence: 1,
      answers: answersFor(ids, FULL_MARKS),
    });
    // Inside the grace: still saved.
    await backdateAttempt(suite.db, attempt.id, 11, 2);
    const inGrace = await call(student, 'PUT', `/quiz-attempts/${attempt.id}/answers`, {
      sequence: 2,
      answers: answersFor(ids, ['b', ['a', 'c', 'd'], false, 'Lyon']),
    });
    expect(inGrace.statusCode, inGrace.body).toBe(200);
    await backdateAttempt(suite.db, attempt.id, 11, 6);
    const late = await call(student, 'PUT', `/quiz-attempts/${attempt.id}/answers`, {
      sequence: 3,
      answers: answersFor(ids, FULL_MARKS),
    });
    expect(late.statusCode).toBe(409);
    expect(late.json().code).toBe('attempt_expired');
    const row = await attemptRow(suite.db, attempt.id);
    expect(row).toMatchObject({
      answersSequence: 2,
      autoSubmitted: true,
      gradingStatus: 'auto_graded',
      score: 6,
    });
    expect(row.submittedAt).not.toBeNull();
  });

  it('auto-submits an overdue attempt on its next read, and on the next start', async () => {
    const { quiz } = await insertQuizWith(suite.db, courseId, { timeLimitMinutes: 5, maxAttempts: 3 });
    const learner = await enrolledStudent();
    const first = (await call(learner, 'POST', `/quizzes/${quiz.id}/attempts`)).json();
    await backdateAttempt(suite.db, first.id, 6, 60);
    const read = await call(learner, 'GET', `/quiz-attempts/${first.id}`);
    expect(read.json()).toMatchObject({ status: 'submitted', autoSubmitted: true, score: 0 });
    const second = (await call(learner, 'POST', `/quizzes/${quiz.id}/attempts`)).json();
    await backdateAttempt(suite.db, second.id, 6, 60);
    const third = await call(learner, 'POST', `/quizzes/${quiz.id}/attempts`);
    expect(third.statusCode).toBe(201);
    expect(third.json().attemptNumber).toBe(3);
    expect(await attemptRow(suite.db, second.id)).toMatchObject({
      autoSubmitted: true,
      gradingStatus: 'auto_graded',
    });
  });

  it('the sweep (quizzes.submit-overdue-attempts) submits overdue attempts in batches and leaves the rest', async () => {
    const { quiz, questions } = await insertQuizWith(suite.db, courseId, { timeLimitMinutes: 5 });
    const learners = await Promise.all(Array.from({ length: 5 }, () => enrolledStudent()));
    const attempts: { id: string }[] = [];
    for (const learner of learners)
      attempts.push((await call(learner, 'POST', `/quizzes/${quiz.id}/attempts`)).json());
    await call(learners[0]!, 'PUT', `/quiz-attempts/${attempts[0]!.id}/answers`, {
      sequence: 1,
      answers: answersFor(
        questions.map((q) => q.id),
        FULL_MARKS,
      ),
    });
    for (const attempt of attempts.slice(0, 4)) await backdateAttempt(suite.db, attempt.id, 6, 30);
    const published: Graded[] = [];
    const events = createEventBus<DomainEvents>({ onSubscriberError: () => {} });
    events.subscribe('quiz-attempt.graded', async (payload) => void published.push(payload), {
      name: 'recorder',
    });
    expect(await submitOverdueAttempts({ db: suite.db, events }, {}, { batchSize: 3 })).toBe(4);
    expect(published).toHaveLength(4);
    const rows = await attemptRowsOf(suite.db, quiz.id);
    expect(rows.filter((row) => row.autoSubmitted)).toHaveLength(4);
    expect(rows.find((row) => row.id === attempts[0]!.id)).toMatchObject({ score: 10, passed: true });
    expect(rows.find((row) => row.id === attempts[4]!.id)?.submittedAt).toBeNull();
    // The sweep writes the item rows too: full marks on the answered attempt, zero on the unanswered.
    const [first, unanswered, open] = [attempts[0]!.id, attempts[1]!.id, attempts[4]!.id];
    expect(Object.values(await itemRowsOf(suite.db, first)).map((item) => item.points)).toEqual(
      expect.arrayContaining([2, 3, 1, 4]),
    );
    expect(Object.values(await itemRowsOf(suite.db, first)).every((item) => item.correct)).toBe(true);
    const zero = Object.values(await itemRowsOf(suite.db, unanswered));
    expect(zero).toHaveLength(4);
    expect(zero.every((item) => item.points === 0 && item.correct === false)).toBe(true);
    expect(await itemRowsOf(suite.db, open)).toEqual({});
    expect(await submitOverdueAttempts({ db: suite.db, events })).toBe(0);
  });

  it('shows an attempt to its student and the course staff only; lists own attempts to learners, all to staff', async () => {
    const { quiz } = await insertQuizWith(suite.db, courseId);
    const mine = (await call(student, 'POST', `/quizzes/${quiz.id}/attempts`)).json();
    const learner = await enrolledStudent();
    const theirs = (await call(learner, 'POST', `/quizzes/${quiz.id}/attempts`)).json();
    expect((await call(otherStudent, 'GET', `/quiz-attempts/${mine.id}`)).statusCode).toBe(404);
    expect((await call(learner, 'GET', `/quiz-attempts/${mine.id}`)).statusCode).toBe(404);
    expect((await call(otherInstructor, 'GET', `/quiz-attempts/${mine.id}`)).statusCode).toBe(404);
    expect((await call(instructor, 'GET', `/quiz-attempts/${mine.id}`)).statusCode).toBe(200);
    expect((await call(learner, 'POST', `/quiz-attempts/${mine.id}/submit`)).statusCode).toBe(404);
    const own = await call(student, 'GET', `/quizzes/${quiz.id}/attempts`);
    expect(own.json().data.map((a: { id: string }) => a.id)).toEqual([mine.id]);
    const all = await call(instructor, 'GET', `/quizzes/${quiz.id}/attempts?limit=1`);
    expect(all.json().data).toHaveLength(1);
    const next = await call(
      instructor,
      'GET',
      `/quizzes/${quiz.id}/attempts?limit=1&cursor=${all.json().nextCursor}`,
    );
    expect([...all.json().data, ...next.json().data].map((a: { id: string }) => a.id).sort()).toEqual(
      [mine.id, theirs.id].sort(),
    );
    expect((await call(otherStudent, 'GET', `/quizzes/${quiz.id}/attempts`)).statusCode).toBe(403);
    const row = await suite.db.select().from(quizSubmissions).where(eq(quizSubmissions.id, mine.id));
    expect(row[0]?.submittedAt).toBeNull();
  });
});
