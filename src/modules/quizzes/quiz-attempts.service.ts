/**
 * Taking a quiz: starting an attempt, saving answers, submitting, reading attempts.
 *
 * - Start: the learner's enrollment row is locked for the transaction, so concurrent starts of one
 *   student run one after another: the attempt limit and "one open attempt" hold however many arrive
 *   at once (the partial unique index backs the latter). An open attempt is returned (200) instead
 *   of a second one; an overdue one is submitted first. The question order (and each question's
 *   option order) is drawn once and stored on the attempt.
 * - Deadline: started_at + the time limit, capped by the quiz's available_until. Saves are refused
 *   DEADLINE_GRACE_SECONDS after it (409 attempt_expired); an overdue attempt is submitted with its
 *   saved answers on its next access (any attempt route) and by the every-minute sweep.
 * - Saves carry the client's sequence number: a conditional UPDATE stores them only if the number
 *   is above the stored one; an older or repeated save is 409 `stale_answers`, naming the stored
 *   sequence (the newer answers stay). A save replaces the whole answer set.
 */
import { randomInt } from 'node:crypto';
import { and, desc, eq, isNull, lt, or, type SQL, sql } from 'drizzle-orm';
import { LocalCache } from '../../infrastructure/cache/local-cache.js';
import type { Database } from '../../infrastructure/database/client/client.js';
import {
  type AttemptQuestionOrder,
  enrollments,
  type Question,
  type QuizAnswers,
  type QuizSubmission,
  quizSubmissions,
  quizzes,
} from '../../infrastructure/database/schema/index.js';
import type { DomainEventBus } from '../../infrastructure/events/domain-events.js';
import { unitOfWork } from '../../infrastructure/events/unit-of-work.js';
import { type Actor, isAdmin } from '../../shared/actor.js';
import { AppError, type FieldError } from '../../shared/errors.js';
import { decodeTimestampIdCursor, microsecondKey, toPage } from '../../shared/keyset.js';
import type { Executor } from '../../shared/transaction.js';
import {
  DEADLINE_GRACE_SECONDS,
  isOverdue,
  submitLockedAttempt,
  submitOverdueAttempts,
  submitUnchangedAttempt,
} from './attempt-submission.js';
import { answerFits } from './question-rules.js';
import {
  attemptNotFound,
  authorizeAttemptStart,
  authorizeQuizRead,
  type QuizFacts,
  quizNotFound,
} from './quiz-access.js';
import { reviewOpen, toAttemptSummary, toAttemptView } from './quiz-views.js';
import {
  type AttemptFacts,
  insertFreshAttempt,
  selectAttemptFacts,
  selectOpenAttempt,
  selectQuestions,
  selectQuestionsByIds,
  selectQuizFacts,
} from './quizzes.queries.js';
import type { AttemptSummary, AttemptView, SaveAnswersInput } from './quizzes.schemas.js';

export interface QuizAttemptsServiceDependencies {
  db: Database;
  events: DomainEventBus;
  /** The current time (tests pass a fixed one). */
  now?: () => Date;
}

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

/** Quizzes whose questions this process keeps, and for how long at most (each under its version). */
const CACHED_QUESTION_SETS = 500;
const QUESTION_SET_TTL_MS = 10 * 60_000;
/** The one generation of `lastReadQuizzes`: each entry is simply the quiz as last read. */
const LAST_READ = 'last-read';

/** A quiz as a start last read it, at its version. */
type QuizAtVersion = Pick<QuizFacts, 'quiz' | 'quizVersion'>;

const isStaffOf = (actor: Actor, facts: Pick<AttemptFacts, 'instructorId'>) =>
  isAdmin(actor) || facts.instructorId === actor.id;

export function createQuizAttemptsService(deps: QuizAttemptsServiceDependencies) {
  const { db, events } = deps;
  const now = deps.now ?? (() => new Date());
  // A start spike is hundreds of students starting one quiz: its questions are read once per version.
  const questionSets = new LocalCache<Question[]>({
    maxEntries: CACHED_QUESTION_SETS,
    maxBytes: Number.POSITIVE_INFINITY,
  });
  // And each of its students' starts needs the quiz's settings, which only an edit changes (and an
  // edit moves the version, which the insert checks): a start with the quiz seen takes one statement.
  const lastReadQuizzes = new LocalCache<QuizAtVersion>({
    maxEntries: CACHED_QUESTION_SETS,
    maxBytes: Number.POSITIVE_INFINITY,
  });

  /**
   * The quiz's questions at `quizVersion`. A set read after an edit committed may be stored under
   * the version before it; no start uses it, as the insert checks the version (see
   * insertFreshAttempt), and the next read of the quiz brings the new version, which misses.
   */
  async function questionsAt(executor: Executor, quizId: string, quizVersion: string): Promise<Question[]> {
    const cached = questionSets.get(quizId, quizVersion);
    if (cached) return cached;
    const rows = await selectQuestions(executor, quizId);
    questionSets.set(quizId, rows, quizVersion, Date.now() + QUESTION_SET_TTL_MS);
    return rows;
  }

  /**
   * The attempt's questions by id, taken from its quiz's set at `quizVersion` when given (read in
   * the same statement as the attempt), else read by id.
   */
  async function questionsOf(
    attempt: QuizSubmission,
    quizVersion?: string,
    executor: Executor = db,
  ): Promise<Map<string, Question>> {
    const ids = attempt.questionOrder.map((entry) => entry.questionId);
    if (quizVersion !== undefined) {
      const set = new Map(
        (await questionsAt(executor, attempt.quizId, quizVersion)).map((row) => [row.id, row]),
      );
      const own = ids.flatMap((id) => {
        const question = set.get(id);
        return question ? [[id, question] as const] : [];
      });
      // Attempts freeze their quiz's questions (quizzes.service refuses such edits), so this holds.
      if (own.length === ids.length) return new Map(own);
    }
    const rows = await selectQuestionsByIds(executor, ids);
    return new Map(rows.map((row) => [row.id, row]));
  }

  /**
   * The usual start in one statement, no transaction: the quiz open and unchanged since `facts` was
   * read, the student its learner (see insertFreshAttempt), no open attempt, attempts left.
   * Undefined when any of that does not hold or a concurrent start got there first; the caller then
   * reads the facts afresh, and the locked path decides, as the only one that answers with an
   * existing attempt or an error.
   */
  async function startFresh(
    actor: Actor,
    facts: QuizAtVersion,
  ): Promise<{ attempt: AttemptView; created: true } | undefined> {
    const { quiz } = facts;
    const at = now();
    if (!quiz.isPublished || (quiz.availableFrom && at < quiz.availableFrom)) return undefined;
    if (quiz.availableUntil && at >= quiz.availableUntil) return undefined;
    const questionRows = await questionsAt(db, quiz.id, facts.quizVersion);
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
    return toAttemptView(open, await questionsOf(open, facts.quizVersion), false);
  }

  /** The attempt if `actor` may see it (its student, course staff), submitted first if overdue. */
  async function visibleAttempt(actor: Actor, attemptId: string): Promise<AttemptFacts & { staff: boolean }> {
    let facts = await selectAttemptFacts(db, attemptId);
    if (!facts) throw attemptNotFound();
    const staff = isStaffOf(actor, facts);
    if (!staff && facts.attempt.userId !== actor.id) throw attemptNotFound();
    if (isOverdue(facts.attempt, now())) {
      await submitOverdueAttempts(deps, { attemptId });
      facts = (await selectAttemptFacts(db, attemptId)) ?? facts;
    }
    return { ...facts, staff };
  }

  /**
   * The usual submit: the student's open attempt, read without a lock (a prepared statement) and
   * written in one more statement, only if still open with the same answers. Undefined otherwise
   * (someone else's attempt, already submitted, a save or submit in between): the locked path then
   * decides and answers.
   */
  async function submitUnlocked(actor: Actor, attemptId: string): Promise<AttemptView | undefined> {
    const facts = await selectAttemptFacts(db, attemptId);
    if (!facts || facts.attempt.userId !== actor.id || facts.attempt.submittedAt !== null) return undefined;
    const questionsById = await questionsOf(facts.attempt, facts.quizVersion);
    const submitted = await submitUnchangedAttempt(deps, facts.attempt, facts.quiz, {
      auto: isOverdue(facts.attempt, now()),
      questions: [...questionsById.values()],
    });
    return submitted && toAttemptView(submitted, questionsById, reviewOpen(facts.quiz, now()));
  }

  /** Saves and submits are the student's own: staff see the attempt (403), others do not (404). */
  async function ownAttempt(actor: Actor, attemptId: string) {
    const facts = await visibleAttempt(actor, attemptId);
    if (facts.attempt.userId !== actor.id) {
      throw new AppError('forbidden', 'Only the student who took the attempt can answer or submit it.');
    }
    return facts;
  }

  async function viewOf(facts: AttemptFacts, staff: boolean): Promise<AttemptView> {
    const showResults = staff || reviewOpen(facts.quiz, now());
    return toAttemptView(facts.attempt, await questionsOf(facts.attempt, facts.quizVersion), showResults);
  }

  function answerErrors(questionsById: Map<string, Question>, answers: QuizAnswers): FieldError[] {
    const errors: FieldError[] = [];
    for (const [questionId, answer] of Object.entries(answers)) {
      const question = questionsById.get(questionId);
      const field = `/body/answers/${questionId}`;
      if (!question) errors.push({ field, message: 'is not a question of this attempt' });
      else if (!answerFits({ ...question, correctAnswer: null }, answer)) {
        errors.push({ field, message: `does not fit a ${question.type} question` });
      }
    }
    return errors;
  }

  return {
    async start(actor: Actor, quizId: string): Promise<{ attempt: AttemptView; created: boolean }> {
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
        if (open && !isOverdue(open, at))
          return { attempt: open, quiz, created: false, questions: undefined };
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
        : await questionsOf(outcome.attempt);
      const view = toAttemptView(outcome.attempt, questionsById, false);
      return { attempt: view, created: outcome.created };
    },

    async saveAnswers(actor: Actor, attemptId: string, input: SaveAnswersInput): Promise<AttemptView> {
      const facts = await ownAttempt(actor, attemptId);
      const refusal = (attempt: QuizSubmission) =>
        attempt.autoSubmitted && attempt.submittedAt !== null
          ? new AppError(
              'attempt_expired',
              'The time for this attempt is over; it was submitted with the answers saved before the deadline.',
              {
                deadlineAt: attempt.deadlineAt?.toISOString() ?? null,
              },
            )
          : new AppError('attempt_submitted', 'This attempt is already submitted.');
      if (facts.attempt.submittedAt !== null) throw refusal(facts.attempt);
      const questionsById = await questionsOf(facts.attempt, facts.quizVersion);
      const errors = answerErrors(questionsById, input.answers);
      if (errors.length > 0) {
        throw new AppError('invalid_answers', 'Some answers do not fit the attempt’s questions.', { errors });
      }
      const [saved] = await db
        .update(quizSubmissions)
        .set({ answers: input.answers, answersSequence: input.sequence, updatedAt: sql`now()` })
        .where(
          and(
            eq(quizSubmissions.id, attemptId),
            isNull(quizSubmissions.submittedAt),
            lt(quizSubmissions.answersSequence, input.sequence),
            or(
              isNull(quizSubmissions.deadlineAt),
              sql`now() <= ${quizSubmissions.deadlineAt} + make_interval(secs => ${DEADLINE_GRACE_SECONDS})`,
            ) as SQL,
          ),
        )
        .returning();
      if (saved) return toAttemptView(saved, questionsById, false);
      // Not stored: find out why (submitted meanwhile, past the deadline, or an older save).
      const current = await visibleAttempt(actor, attemptId);
      if (current.attempt.submittedAt !== null) throw refusal(current.attempt);
      if (Number(current.attempt.answersSequence) < input.sequence) {
        // Only the deadline can have refused it (the database's clock passed it first).
        throw refusal({ ...current.attempt, autoSubmitted: true, submittedAt: now() });
      }
      throw new AppError(
        'stale_answers',
        'Answers with a newer sequence number are already saved; they stay.',
        {
          answersSequence: Number(current.attempt.answersSequence),
        },
      );
    },

    /** One transaction on the locked attempt: authorization, grading, the write; the view from the same rows. */
    async submit(actor: Actor, attemptId: string): Promise<AttemptView> {
      const unlocked = await submitUnlocked(actor, attemptId);
      if (unlocked) return unlocked;
      const submitted = await unitOfWork(db, events, async (tx, txEvents) => {
        const facts = await selectAttemptFacts(tx, attemptId, true);
        if (!facts) throw attemptNotFound();
        if (facts.attempt.userId !== actor.id) {
          if (!isStaffOf(actor, facts)) throw attemptNotFound();
          throw new AppError('forbidden', 'Only the student who took the attempt can answer or submit it.');
        }
        if (facts.attempt.submittedAt !== null) {
          throw new AppError('attempt_submitted', 'This attempt is already submitted.');
        }
        const questions = [...(await questionsOf(facts.attempt, facts.quizVersion, tx)).values()];
        const attempt = await submitLockedAttempt(tx, txEvents, facts.attempt, facts.quiz, {
          auto: isOverdue(facts.attempt, now()),
          questions,
        });
        return { quiz: facts.quiz, attempt, questions };
      });
      const showResults = reviewOpen(submitted.quiz, now());
      return toAttemptView(
        submitted.attempt,
        new Map(submitted.questions.map((row) => [row.id, row])),
        showResults,
      );
    },

    async get(actor: Actor, attemptId: string): Promise<AttemptView> {
      const facts = await visibleAttempt(actor, attemptId);
      return viewOf(facts, facts.staff);
    },

    /** Staff: every attempt at the quiz; a learner: their own. Newest first, keyset pages. */
    async list(
      actor: Actor,
      quizId: string,
      query: { limit: number; cursor?: string | undefined },
    ): Promise<{ data: AttemptSummary[]; nextCursor: string | null }> {
      const cursor = decodeTimestampIdCursor(query.cursor);
      const facts = await selectQuizFacts(db, quizId, actor.id);
      if (!facts) throw quizNotFound();
      const staff = authorizeQuizRead(actor, facts) === 'staff';
      const scope = staff ? { quizId } : { quizId, userId: actor.id };
      await submitOverdueAttempts(deps, scope);
      const conditions: SQL[] = [eq(quizSubmissions.quizId, quizId)];
      if (!staff) conditions.push(eq(quizSubmissions.userId, actor.id));
      if (cursor) {
        conditions.push(
          sql`(${quizSubmissions.startedAt}, ${quizSubmissions.id}) < (${cursor.p}::timestamptz, ${cursor.id}::uuid)`,
        );
      }
      const rows = await db
        .select({ attempt: quizSubmissions, key: microsecondKey(quizSubmissions.startedAt) })
        .from(quizSubmissions)
        .where(and(...conditions))
        .orderBy(desc(quizSubmissions.startedAt), desc(quizSubmissions.id))
        .limit(query.limit + 1);
      return toPage(
        rows,
        query.limit,
        (row) => toAttemptSummary(row.attempt),
        (row) => ({ p: row.key, id: row.attempt.id }),
      );
    },
  };
}

export type QuizAttemptsService = ReturnType<typeof createQuizAttemptsService>;
