/**
 * Automatic grading of one answer, per question type: pure functions of the question and the answer
 * (no database), so every rule is unit-tested on its own (test/quizzes/grading.test.ts).
 *
 * - multiple_choice: the chosen option id is the correct one.
 * - multiple_select: the chosen set equals the correct set; with `partial_credit`, the share
 *   (correct chosen − wrong chosen) / correct count of the points, floored at 0.
 * - true_false: the chosen boolean is the correct one.
 * - short_answer: the text equals one accepted answer, ignoring case unless `case_sensitive`, with
 *   leading, trailing and repeated inner whitespace collapsed when `normalize_whitespace`.
 * - essay: nothing to compare: 0 points for now and `needsReview` (an instructor grades it by hand).
 * A missing or malformed answer earns 0 points (it is not an error at grading time).
 */
import type { CorrectAnswer, QuestionType } from '../../infrastructure/database/schema/index.js';

export interface GradableQuestion {
  id: string;
  type: QuestionType;
  points: number;
  correctAnswer: CorrectAnswer;
  caseSensitive: boolean;
  normalizeWhitespace: boolean;
  partialCredit: boolean;
}

export interface AnswerResult {
  points: number;
  maxPoints: number;
  /** Null for an essay (not decided until graded by hand). */
  correct: boolean | null;
  needsReview: boolean;
  feedback?: string;
}

/** Points are numeric(8,2) in the database: round to cents so stored and computed totals agree. */
export const roundPoints = (value: number): number => Math.round(value * 100) / 100;

const asStringSet = (value: unknown): Set<string> | undefined =>
  Array.isArray(value) && value.every((item) => typeof item === 'string') ? new Set(value) : undefined;

/** The short-answer comparison form of a text under the question's matching rules. */
export function normalizeShortAnswer(
  text: string,
  rules: Pick<GradableQuestion, 'caseSensitive' | 'normalizeWhitespace'>,
): string {
  const spaced = rules.normalizeWhitespace ? text.trim().replace(/\s+/g, ' ') : text;
  return rules.caseSensitive ? spaced : spaced.toLowerCase();
}

/** The share of the points (0..1) a multiple_select answer earns. */
export function multipleSelectShare(
  correct: readonly string[],
  chosen: Set<string>,
  partial: boolean,
): number {
  const correctSet = new Set(correct);
  let right = 0;
  let wrong = 0;
  for (const option of chosen) {
    if (correctSet.has(option)) right++;
    else wrong++;
  }
  if (right === correctSet.size && wrong === 0) return 1;
  if (!partial || correctSet.size === 0) return 0;
  return Math.max(0, (right - wrong) / correctSet.size);
}

/** The share of the points (0..1) an answer earns, or undefined when it needs a human. */
function shareOf(question: GradableQuestion, answer: unknown): number | undefined {
  const expected = question.correctAnswer;
  switch (question.type) {
    case 'multiple_choice':
      return typeof answer === 'string' && answer === expected ? 1 : 0;
    case 'true_false':
      return typeof answer === 'boolean' && answer === expected ? 1 : 0;
    case 'multiple_select': {
      const chosen = asStringSet(answer);
      if (!chosen || !Array.isArray(expected)) return 0;
      return multipleSelectShare(expected, chosen, question.partialCredit);
    }
    case 'short_answer': {
      if (typeof answer !== 'string' || !Array.isArray(expected)) return 0;
      const given = normalizeShortAnswer(answer, question);
      return expected.some((accepted) => normalizeShortAnswer(accepted, question) === given) ? 1 : 0;
    }
    case 'essay':
      return undefined;
  }
}

export function gradeAnswer(question: GradableQuestion, answer: unknown): AnswerResult {
  const share = shareOf(question, answer);
  if (share === undefined) {
    return { points: 0, maxPoints: question.points, correct: null, needsReview: true };
  }
  return {
    points: roundPoints(share * question.points),
    maxPoints: question.points,
    correct: share === 1,
    needsReview: false,
  };
}

export interface AttemptTotals {
  score: number;
  maxScore: number;
  /** 0..100 with two decimals; null when there are no points to earn (a survey). */
  scorePercent: number | null;
  needsReview: boolean;
}

/** Totals of an attempt's per-question results. */
export function totalsOf(results: Record<string, AnswerResult>): AttemptTotals {
  let score = 0;
  let maxScore = 0;
  let needsReview = false;
  for (const result of Object.values(results)) {
    score += result.points;
    maxScore += result.maxPoints;
    if (result.needsReview) needsReview = true;
  }
  score = roundPoints(score);
  maxScore = roundPoints(maxScore);
  const scorePercent = maxScore > 0 ? Math.min(100, roundPoints((score / maxScore) * 100)) : null;
  return { score, maxScore, scorePercent, needsReview };
}

/** Grades every question of an attempt against its answers (question id → answer). */
export function gradeAttempt(
  questions: readonly GradableQuestion[],
  answers: Record<string, unknown>,
): Record<string, AnswerResult> {
  const results: Record<string, AnswerResult> = {};
  for (const question of questions) results[question.id] = gradeAnswer(question, answers[question.id]);
  return results;
}
