/**
 * Submitting an attempt: grading its saved answers against the quiz's questions and writing the
 * result (score = points earned, max_score = points possible, score_percent 0..100, passed =
 * score_percent >= passing_score, NULL for surveys and while a question awaits a human;
 * grading_status auto_graded, or needs_review when an essay is in it) in one statement, and
 * publishing `quiz-attempt.graded` with it (in the caller's transaction, or as singleStatementWrite
 * does). One statement for the student's submit, the submit on next access after the deadline, and
 * the every-minute sweep (src/jobs.ts) alike.
 */
import { type SQL, sql } from 'drizzle-orm';
import type { Database } from '../../infrastructure/database/client/client.js';
import type {
  AttemptResults,
  Question,
  Quiz,
  QuizSubmission,
} from '../../infrastructure/database/schema/index.js';
import type { DomainEventBus, DomainEvents } from '../../infrastructure/events/domain-events.js';
import type { PublishedEvent } from '../../infrastructure/events/event-bus.js';
import {
  singleStatementWrite,
  type TransactionEvents,
  unitOfWork,
} from '../../infrastructure/events/unit-of-work.js';
import type { Executor, Transaction } from '../../shared/transaction.js';
import { type AnswerResult, type GradableQuestion, gradeAttempt, totalsOf } from './grading.js';
import { selectAttemptFacts, selectQuestionsByIds, writeSubmission } from './quizzes.queries.js';

/** Latency allowance after a deadline: a save sent just before it still counts. */
export const DEADLINE_GRACE_SECONDS = 5;

/** Attempts submitted per transaction by the sweep. */
export const OVERDUE_BATCH_SIZE = 100;

export function isOverdue(attempt: Pick<QuizSubmission, 'deadlineAt' | 'submittedAt'>, now: Date): boolean {
  return (
    attempt.submittedAt === null &&
    attempt.deadlineAt !== null &&
    now.getTime() > attempt.deadlineAt.getTime() + DEADLINE_GRACE_SECONDS * 1000
  );
}

/** passed: NULL for a survey and while needs_review; else the percent against the passing score. */
export function passedOf(
  quiz: Pick<Quiz, 'type' | 'passingScore'>,
  scorePercent: number | null,
  needsReview: boolean,
): boolean | null {
  if (quiz.type === 'survey' || needsReview || scorePercent === null) return null;
  return scorePercent >= quiz.passingScore;
}

/**
 * The score columns of an attempt graded with `results` (at submission, or by hand): the results, the
 * totals and pass/fail, and whether something still awaits review.
 */
export function scoredColumns(
  quiz: Pick<Quiz, 'type' | 'passingScore'>,
  results: Record<string, AnswerResult>,
) {
  const totals = totalsOf(results);
  return {
    needsReview: totals.needsReview,
    columns: {
      results: results as AttemptResults,
      score: totals.score,
      maxScore: totals.maxScore,
      scorePercent: totals.scorePercent,
      passed: passedOf(quiz, totals.scorePercent, totals.needsReview),
    },
  };
}

/**
 * Grades and submits an open attempt the caller holds locked (FOR UPDATE). Surveys are recorded, not
 * scored: every result is 0 of 0 points. `questions`: the attempt's, when the caller has them. Returns
 * the submitted row.
 */
export async function submitLockedAttempt(
  tx: Transaction,
  events: TransactionEvents<DomainEvents>,
  attempt: QuizSubmission,
  quiz: Quiz,
  options: { auto: boolean; questions?: Question[] },
): Promise<QuizSubmission> {
  const questions =
    options.questions ??
    (await selectQuestionsByIds(
      tx,
      attempt.questionOrder.map((entry) => entry.questionId),
    ));
  const submitted = await gradeAndWrite(tx, attempt, quiz, {
    auto: options.auto,
    questions,
    ifSequence: null,
  });
  if (!submitted) throw new Error(`submitLockedAttempt: attempt ${attempt.id} was not open`);
  const graded = gradedEvent(submitted, quiz);
  events.publish(graded.name, graded.payload);
  return submitted;
}

/**
 * As submitLockedAttempt for an attempt read without a lock: it is submitted only if it is still open
 * with the answers it was read with (their sequence); undefined otherwise, with nothing written.
 * Grading with questions read before is sound: once a quiz has attempts, nothing grading depends on
 * can change (quizzes.service refuses it). One statement, in a transaction only when the completion
 * rule's durable subscriber wants the event (a required quiz; see singleStatementWrite).
 */
export function submitUnchangedAttempt(
  deps: { db: Database; events: DomainEventBus },
  attempt: QuizSubmission,
  quiz: Quiz,
  options: { auto: boolean; questions: Question[] },
): Promise<QuizSubmission | undefined> {
  return singleStatementWrite(deps.db, deps.events, gradedEvent(attempt, quiz), (executor) =>
    gradeAndWrite(executor, attempt, quiz, { ...options, ifSequence: attempt.answersSequence }),
  );
}

function gradedEvent(attempt: Pick<QuizSubmission, 'id' | 'userId'>, quiz: Quiz) {
  return {
    name: 'quiz-attempt.graded',
    payload: {
      attemptId: attempt.id,
      quizId: quiz.id,
      userId: attempt.userId,
      courseId: quiz.courseId,
      required: quiz.isRequired,
    },
  } as const satisfies PublishedEvent<DomainEvents>;
}

/** Grades the attempt's saved answers and writes the result (writeSubmission); the row as submitted. */
async function gradeAndWrite(
  executor: Executor,
  attempt: QuizSubmission,
  quiz: Quiz,
  options: { auto: boolean; questions: Question[]; ifSequence: number | null },
): Promise<QuizSubmission | undefined> {
  const gradable: GradableQuestion[] = options.questions.map((row) => ({
    id: row.id,
    type: row.type,
    points: quiz.type === 'survey' ? 0 : Number(row.points),
    correctAnswer: row.correctAnswer ?? null,
    caseSensitive: row.caseSensitive,
    normalizeWhitespace: row.normalizeWhitespace,
    partialCredit: row.partialCredit,
  }));
  let results: Record<string, AnswerResult> = gradeAttempt(gradable, attempt.answers);
  if (quiz.type === 'survey') {
    results = Object.fromEntries(
      Object.keys(results).map((id) => [id, { points: 0, maxPoints: 0, correct: null, needsReview: false }]),
    );
  }
  const { needsReview, columns } = scoredColumns(quiz, results);
  const gradingStatus = needsReview ? 'needs_review' : 'auto_graded';
  const written = await writeSubmission(executor, {
    attemptId: attempt.id,
    ifSequence: options.ifSequence,
    ...columns,
    gradingStatus,
    auto: options.auto,
  });
  if (!written) return undefined;
  // The row as written: the statement changes these columns only.
  return { ...attempt, ...columns, ...written, gradingStatus, autoSubmitted: options.auto };
}

/**
 * Auto-submits open attempts past their deadline (plus the grace) with the answers saved by then, in
 * batches of `batchSize` per transaction (FOR UPDATE SKIP LOCKED: an attempt a request is submitting
 * right now is left to it). `scope` narrows it (one attempt, one user's attempts at one quiz) for the
 * submit on next access. Returns how many were submitted.
 */
export async function submitOverdueAttempts(
  deps: { db: Database; events: DomainEventBus },
  scope: { attemptId?: string; quizId?: string; userId?: string } = {},
  options: { batchSize?: number; signal?: AbortSignal } = {},
): Promise<number> {
  const batchSize = options.batchSize ?? OVERDUE_BATCH_SIZE;
  const conditions: SQL[] = [
    sql`submitted_at IS NULL`,
    sql`deadline_at IS NOT NULL`,
    sql`deadline_at < now() - make_interval(secs => ${DEADLINE_GRACE_SECONDS})`,
  ];
  if (scope.attemptId) conditions.push(sql`id = ${scope.attemptId}::uuid`);
  if (scope.quizId) conditions.push(sql`quiz_id = ${scope.quizId}::uuid`);
  if (scope.userId) conditions.push(sql`user_id = ${scope.userId}::uuid`);
  let total = 0;
  for (;;) {
    if (options.signal?.aborted) return total;
    const submitted = await unitOfWork(deps.db, deps.events, async (tx, events) => {
      const due = await tx.execute<{ id: string }>(sql`
        SELECT id FROM quiz_submissions
         WHERE ${sql.join(conditions, sql` AND `)}
         ORDER BY deadline_at
         LIMIT ${batchSize}
         FOR UPDATE SKIP LOCKED`);
      for (const { id } of due.rows) {
        const facts = await selectAttemptFacts(tx, id);
        if (facts) await submitLockedAttempt(tx, events, facts.attempt, facts.quiz, { auto: true });
      }
      return due.rows.length;
    });
    total += submitted;
    if (submitted < batchSize) return total;
  }
}
