/**
 * Starting an attempt at a quiz (`POST /quizzes/:id/attempts`), by one of three paths:
 *
 * - The usual start is one statement, no transaction (startFresh, insertFreshAttempt): the quiz as
 *   this process last read it, re-checked by the insert (its version, the course, the student's
 *   enrollment, the attempts), so that a spike's starts after the first take that statement alone.
 * - A start that finds the student's attempt open and within its time answers with it (200), from
 *   one read without a lock: nothing is written.
 * - Everything else takes the locked path: the learner's enrollment row is locked for the
 *   transaction, so concurrent starts of one student run one after another; it answers with the
 *   open attempt, submits an overdue one first, or refuses (the window, the attempt limit).
 *
 * Whichever path, the attempt limit and "one open attempt" hold however many starts arrive at once
 * (unique constraints back both). The question order (and each question's option order) is drawn once
 * and stored on the attempt; the deadline is started_at + the time limit, capped by available_until.
 */
import { randomInt } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import { LocalCache } from '../../infrastructure/cache/local-cache.js';
import type { Database } from '../../infrastructure/database/client/client.js';
import {
  type AttemptQuestionOrder,
  enrollments,
  type Question,
  type QuizSubmission,
  quizSubmissions,
  quizzes,
} from '../../infrastructure/database/schema/index.js';
import type { DomainEventBus } from '../../infrastructure/events/domain-events.js';
import { unitOfWork } from '../../infrastructure/events/unit-of-work.js';
import { type Actor, isAdmin } from '../../shared/actor.js';
import { AppError } from '../../shared/errors.js';
import { isOverdue, submitLockedAttempt } from './attempt-submission.js';
import { CACHED_QUESTION_SETS, QUESTION_SET_TTL_MS, type QuestionSets } from './question-sets.js';
import { authorizeAttemptStart, type QuizFacts, quizNotFound } from './quiz-access.js';
import { toAttemptView } from './quiz-views.js';
import {
  insertFreshAttempt,
  selectOpenAttempt,
  selectQuestions,
  selectQuizFacts,
} from './quizzes.queries.js';
import type { AttemptView } from './quizzes.schemas.js';

export interface AttemptStartDependencies {
  db: Database;
  events: DomainEventBus;
  now: () => Date;
  questionSets: QuestionSets;
}

export interface StartedAttempt {
  attempt: AttemptView;
  /** False when an open attempt was answered with instead (200 rather than 201). */
  created: boolean;
}

/** The one generation of `lastReadQuizzes`: each entry is simply the quiz as last read. */
const LAST_READ = 'last-read';

/** A quiz as a start last read it, at its version. */
type QuizAtVersion = Pick<QuizFacts, 'quiz' | 'quizVersion'>;

function shuffled<T>(items: readonly T[]): T[] {
  const result = [...items];
  for (let i = result.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [result[i], result[j]] = [result[j] as T, result[i] as T];
  }
  return result;
}

/** The attempt's fixed order: questions (shuffled if the quiz says so), each with its option order. */
export function drawQuestionOrder(
  quiz: { shuffleQuestions: boolean; shuffleOptions: boolean },
  questions: readonly Pick<Question, 'id' | 'options'>[],
): AttemptQuestionOrder[] {
  const ordered = quiz.shuffleQuestions ? shuffled(questions) : [...questions];
  return ordered.map((question) => {
    const optionIds = question.options.map((option) => option.id);
    return { questionId: question.id, optionIds: quiz.shuffleOptions ? shuffled(optionIds) : optionIds };
  });
}

/** started_at + time limit, capped by available_until; null when neither applies. */
export function deadlineOf(
  quiz: { timeLimitMinutes: number | null; availableUntil: Date | null },
  startedAt: Date,
): Date | null {
  const byLimit =
    quiz.timeLimitMinutes === null ? null : new Date(startedAt.getTime() + quiz.timeLimitMinutes * 60_000);
  if (byLimit === null) return quiz.availableUntil;
  if (quiz.availableUntil === null) return byLimit;
  return byLimit < quiz.availableUntil ? byLimit : quiz.availableUntil;
}

export function createAttemptStart(deps: AttemptStartDependencies) {
  const { db, events, now, questionSets } = deps;
  // Each of a spike's starts needs the quiz's settings, which only an edit changes (and an edit moves
  // the version, which the insert checks): a start with the quiz seen takes one statement.
  const lastReadQuizzes = new LocalCache<QuizAtVersion>({
    maxEntries: CACHED_QUESTION_SETS,
    maxBytes: Number.POSITIVE_INFINITY,
  });

  /**
   * The usual start in one statement, no transaction: the quiz open and unchanged since `facts` was
   * read, the student its learner (see insertFreshAttempt), no open attempt, attempts left.
   * Undefined when any of that does not hold or a concurrent start got there first; the caller then
   * reads the facts afresh, and the locked path decides, as the only one that answers with an
   * existing attempt or an error.
   */
  async function startFresh(actor: Actor, facts: QuizAtVersion): Promise<StartedAttempt | undefined> {
    const { quiz } = facts;
    const at = now();
    if (!quiz.isPublished || (quiz.availableFrom && at < quiz.availableFrom)) return undefined;
    if (quiz.availableUntil && at >= quiz.availableUntil) return undefined;
    const questionRows = await questionSets.at(db, quiz.id, facts.quizVersion);
    const fresh = {
      quizId: quiz.id,
      userId: actor.id,
      startedAt: at,
      deadlineAt: deadlineOf(quiz, at),
      questionOrder: drawQuestionOrder(quiz, questionRows),
    };
    const row = await insertFreshAttempt(db, {
      ...fresh,
      quizVersion: facts.quizVersion,
      maxAttempts: quiz.maxAttempts,
    });
    if (!row) return undefined;
    // The row as inserted: the given columns, the schema's defaults for the rest.
    const attempt: QuizSubmission = {
      ...fresh,
      id: row.id,
      enrollmentId: row.enrollment_id,
      attemptNumber: row.attempt_number,
      answers: {},
      score: null,
      maxScore: null,
      scorePercent: null,
      passed: null,
      answersSequence: 0,
      results: {},
      autoSubmitted: false,
      submittedAt: null,
      gradedAt: null,
      graderId: null,
      gradingStatus: 'pending',
      feedback: null,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
    const questionsById = new Map(questionRows.map((question) => [question.id, question]));
    return { attempt: toAttemptView(attempt, questionsById, false), created: true };
  }

  /**
   * A start that found the student's attempt open and within its time (a second click, a reload
   * mid-exam) answers with it, as the locked path would: only a read, as nothing is written. Undefined
   * when there is none or it is overdue; the locked path then submits it and decides.
   */
  async function resumeOpenAttempt(actor: Actor, facts: QuizFacts): Promise<AttemptView | undefined> {
    const open = await selectOpenAttempt(db, facts.quiz.id, actor.id);
    if (!open || isOverdue(open, now())) return undefined;
    return toAttemptView(open, await questionSets.of(open, facts.quizVersion), false);
  }

  return async function start(actor: Actor, quizId: string): Promise<StartedAttempt> {
    // The exam-start spike: its students' starts after the first find the quiz read already.
    const seen = isAdmin(actor) ? undefined : lastReadQuizzes.get(quizId, LAST_READ);
    const early = seen && (await startFresh(actor, seen));
    if (early) return early;
    const facts = await selectQuizFacts(db, quizId, actor.id);
    if (!facts) throw quizNotFound();
    lastReadQuizzes.set(
      quizId,
      { quiz: facts.quiz, quizVersion: facts.quizVersion },
      LAST_READ,
      Date.now() + QUESTION_SET_TTL_MS,
    );
    authorizeAttemptStart(actor, facts);
    // At the same version the insert above was refused already: the open attempt or the locked path answer.
    const fresh = seen?.quizVersion !== facts.quizVersion && (await startFresh(actor, facts));
    if (fresh) return fresh;
    const resumed = await resumeOpenAttempt(actor, facts);
    if (resumed) return { attempt: resumed, created: false };
    const enrollmentId = facts.enrollmentId as string;
    const outcome = await unitOfWork(db, events, async (tx, txEvents) => {
      // One start per student at a time: limits and the single open attempt are decided under it.
      await tx
        .select({ id: enrollments.id })
        .from(enrollments)
        .where(eq(enrollments.id, enrollmentId))
        .for('update');
      // Edits lock the quiz FOR UPDATE: a start sees the quiz and questions from before or after one, whole.
      const [quiz] = await tx.select().from(quizzes).where(eq(quizzes.id, quizId)).for('key share');
      if (!quiz?.isPublished) throw quizNotFound();
      // The student's attempts at this quiz (a handful): the open one and how many are used.
      const mine = await tx
        .select()
        .from(quizSubmissions)
        .where(and(eq(quizSubmissions.quizId, quizId), eq(quizSubmissions.userId, actor.id)));
      const open = mine.find((attempt) => attempt.submittedAt === null);
      const at = now();
      if (open && !isOverdue(open, at)) return { attempt: open, quiz, created: false, questions: undefined };
      if (open) {
        // Overdue: submitted first, under its row lock (a submit or the sweep may be at it too).
        const [locked] = await tx
          .select()
          .from(quizSubmissions)
          .where(and(eq(quizSubmissions.id, open.id), isNull(quizSubmissions.submittedAt)))
          .for('update');
        if (locked) await submitLockedAttempt(tx, txEvents, locked, quiz, { auto: true });
      }
      if (quiz.availableFrom && at < quiz.availableFrom) {
        throw new AppError('quiz_not_available', 'The quiz opens later.', {
          availableFrom: quiz.availableFrom.toISOString(),
        });
      }
      if (quiz.availableUntil && at >= quiz.availableUntil) {
        throw new AppError('quiz_not_available', 'The quiz is closed.', {
          availableUntil: quiz.availableUntil.toISOString(),
        });
      }
      const used = mine.length;
      if (quiz.maxAttempts !== null && used >= quiz.maxAttempts) {
        throw new AppError('attempt_limit_reached', `This quiz allows ${quiz.maxAttempts} attempt(s).`, {
          maxAttempts: quiz.maxAttempts,
        });
      }
      const questionRows = await selectQuestions(tx, quizId);
      const [attempt] = await tx
        .insert(quizSubmissions)
        .values({
          quizId,
          userId: actor.id,
          enrollmentId,
          attemptNumber: used + 1,
          startedAt: at,
          deadlineAt: deadlineOf(quiz, at),
          questionOrder: drawQuestionOrder(quiz, questionRows),
        })
        .returning();
      return { attempt: attempt as QuizSubmission, quiz, created: true, questions: questionRows };
    });
    const questionsById = outcome.questions
      ? new Map(outcome.questions.map((row) => [row.id, row]))
      : await questionSets.of(outcome.attempt);
    const view = toAttemptView(outcome.attempt, questionsById, false);
    return { attempt: view, created: outcome.created };
  };
}
