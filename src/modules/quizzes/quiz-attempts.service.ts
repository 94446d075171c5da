/**
 * Taking a quiz: starting an attempt (attempt-start.ts), saving answers, submitting, reading attempts.
 *
 * - Deadline: started_at + the time limit, capped by the quiz's available_until. Saves are refused
 *   DEADLINE_GRACE_SECONDS after it (409 attempt_expired); an overdue attempt is submitted with its
 *   saved answers on its next access (any attempt route) and by the every-minute sweep.
 * - Saves carry the client's sequence number: a conditional UPDATE stores them only if the number
 *   is above the stored one; an older or repeated save is 409 `stale_answers`, naming the stored
 *   sequence (the newer answers stay). A save replaces the whole answer set.
 * - Submits: the student's open attempt is graded and written in one statement when nothing changed
 *   since it was read; otherwise under the attempt's row lock.
 */
import { and, desc, eq, isNull, lt, or, type SQL, sql } from 'drizzle-orm';
import type { Database } from '../../infrastructure/database/client/client.js';
import {
  type Question,
  type QuizAnswers,
  type QuizSubmission,
  quizSubmissions,
} from '../../infrastructure/database/schema/index.js';
import type { DomainEventBus } from '../../infrastructure/events/domain-events.js';
import { unitOfWork } from '../../infrastructure/events/unit-of-work.js';
import { type Actor, isAdmin } from '../../shared/actor.js';
import { AppError, type FieldError } from '../../shared/errors.js';
import { decodeTimestampIdCursor, microsecondKey, toPage } from '../../shared/keyset.js';
import { createAttemptStart } from './attempt-start.js';
import {
  DEADLINE_GRACE_SECONDS,
  isOverdue,
  submitLockedAttempt,
  submitOverdueAttempts,
  submitUnchangedAttempt,
} from './attempt-submission.js';
import { answerFits } from './question-rules.js';
import { createQuestionSets } from './question-sets.js';
import { attemptNotFound, authorizeQuizRead, quizNotFound } from './quiz-access.js';
import { reviewOpen, toAttemptSummary, toAttemptView } from './quiz-views.js';
import { type AttemptFacts, selectAttemptFacts, selectQuizFacts } from './quizzes.queries.js';
import type { AttemptSummary, AttemptView, SaveAnswersInput } from './quizzes.schemas.js';

export interface QuizAttemptsServiceDependencies {
  db: Database;
  events: DomainEventBus;
  /** The current time (tests pass a fixed one). */
  now?: () => Date;
}

const isStaffOf = (actor: Actor, facts: Pick<AttemptFacts, 'instructorId'>) =>
  isAdmin(actor) || facts.instructorId === actor.id;

export function createQuizAttemptsService(deps: QuizAttemptsServiceDependencies) {
  const { db, events } = deps;
  const now = deps.now ?? (() => new Date());
  const questionSets = createQuestionSets(db);
  const start = createAttemptStart({ db, events, now, questionSets });

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
    const questionsById = await questionSets.of(facts.attempt, facts.quizVersion);
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
    return toAttemptView(facts.attempt, await questionSets.of(facts.attempt, facts.quizVersion), showResults);
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
    start,

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
      const questionsById = await questionSets.of(facts.attempt, facts.quizVersion);
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
        const questions = [...(await questionSets.of(facts.attempt, facts.quizVersion, tx)).values()];
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
