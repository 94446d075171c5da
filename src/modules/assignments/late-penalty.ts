/**
 * The late rule of an assignment, computed on the server when a submission arrives (never taken from
 * the client): each started day after `due_at` takes `late_penalty_percent` off, up to
 * `late_penalty_max_percent`. The penalty is fixed on the submission (`penalty_percent`); the counted
 * score is grade × (1 − penalty_percent / 100).
 */
import { AppError } from '../../shared/errors.js';

export const DAY_MS = 86_400_000;

export interface LatePolicy {
  dueAt: Date | null;
  allowLate: boolean;
  latePenaltyPercent: number;
  latePenaltyMaxPercent: number;
}

export interface Lateness {
  isLate: boolean;
  /** Started days after the due date (0 when on time). */
  daysLate: number;
  penaltyPercent: number;
}

/** How late a submission at `at` is, or 409 `past_due` when the assignment refuses late work. */
export function latenessAt(policy: LatePolicy, at: Date): Lateness {
  if (policy.dueAt === null || at.getTime() <= policy.dueAt.getTime()) {
    return { isLate: false, daysLate: 0, penaltyPercent: 0 };
  }
  if (!policy.allowLate) {
    throw new AppError('past_due', 'The due date has passed and this assignment does not accept late work.', {
      dueAt: policy.dueAt.toISOString(),
    });
  }
  const daysLate = Math.ceil((at.getTime() - policy.dueAt.getTime()) / DAY_MS);
  const penaltyPercent = Math.min(daysLate * policy.latePenaltyPercent, policy.latePenaltyMaxPercent);
  return { isLate: true, daysLate, penaltyPercent };
}

/** The score that counts (gradebook, pass/fail): the grade less the late penalty, to two decimals. */
export function countedScore(grade: number, penaltyPercent: number): number {
  return Math.round(grade * (100 - penaltyPercent)) / 100;
}
