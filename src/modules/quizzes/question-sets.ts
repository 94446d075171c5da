/**
 * This process's copies of quizzes' questions, each under its quiz's version (`quizzes.updated_at`,
 * which every edit of the quiz or of its questions moves strictly forward): a start spike is hundreds
 * of students starting one quiz, and every attempt route shows the attempt's questions, so a quiz's
 * questions are read once per version rather than once per request.
 */
import { LocalCache } from '../../infrastructure/cache/local-cache.js';
import type { Database } from '../../infrastructure/database/client/client.js';
import type { Question, QuizSubmission } from '../../infrastructure/database/schema/index.js';
import type { Executor } from '../../shared/transaction.js';
import { selectQuestions, selectQuestionsByIds } from './quizzes.queries.js';

/** Quizzes whose questions this process keeps, and for how long at most (each under its version). */
export const CACHED_QUESTION_SETS = 500;
export const QUESTION_SET_TTL_MS = 10 * 60_000;

export interface QuestionSets {
  at(executor: Executor, quizId: string, quizVersion: string): Promise<Question[]>;
  of(attempt: QuizSubmission, quizVersion?: string, executor?: Executor): Promise<Map<string, Question>>;
}

export function createQuestionSets(db: Database): QuestionSets {
  const copies = new LocalCache<Question[]>({
    maxEntries: CACHED_QUESTION_SETS,
    maxBytes: Number.POSITIVE_INFINITY,
  });

  /**
   * The quiz's questions at `quizVersion`. A set read after an edit committed may be stored under
   * the version before it; no start uses it, as the insert checks the version (see
   * insertFreshAttempt), and the next read of the quiz brings the new version, which misses.
   */
  async function at(executor: Executor, quizId: string, quizVersion: string): Promise<Question[]> {
    const cached = copies.get(quizId, quizVersion);
    if (cached) return cached;
    const rows = await selectQuestions(executor, quizId);
    copies.set(quizId, rows, quizVersion, Date.now() + QUESTION_SET_TTL_MS);
    return rows;
  }

  /**
   * The attempt's questions by id, taken from its quiz's set at `quizVersion` when given (read in
   * the same statement as the attempt), else read by id.
   */
  async function of(
    attempt: QuizSubmission,
    quizVersion?: string,
    executor: Executor = db,
  ): Promise<Map<string, Question>> {
    const ids = attempt.questionOrder.map((entry) => entry.questionId);
    if (quizVersion !== undefined) {
      const set = new Map((await at(executor, attempt.quizId, quizVersion)).map((row) => [row.id, row]));
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

  return { at, of };
}
