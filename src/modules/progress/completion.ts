/**
 * The completion rule, as one function: every caller that may have finished a course (a progress
 * write, the recount after a content change) asks `completeIfFinished`, inside its transaction.
 *
 * An enrollment is complete when every required lesson of its course is completed (a course with no
 * required lesson is never completed by this rule). The assessments issue extends the check here
 * (required quizzes passed, required assignments accepted): `remainingRequirements` is the place.
 *
 * Completion happens exactly once per enrollment: the enrollments module's conditional update
 * (`... WHERE status = 'active'`) lets only one transaction through, also when many requests finish
 * the last lesson at once. That transaction, and only that one, writes the learner's notification
 * and publishes `enrollment.completed`, delivered after the commit (the certificate subscribes).
 */
import type { DomainEvents } from '../../infrastructure/events/domain-events.js';
import type { TransactionEvents } from '../../infrastructure/events/unit-of-work.js';
import type { Transaction } from '../../shared/transaction.js';
import { completeEnrollment, type EnrollmentProgress } from '../enrollments/index.js';
import { writeNotification } from '../notifications/index.js';
import { selectCompletionFacts } from './progress.queries.js';

export interface CompletionCandidate {
  enrollmentId: string;
  userId: string;
  courseId: string;
}

/** What is still missing for completion (zero when complete), read from lesson_progress itself. */
function remainingRequirements(facts: { required: number; completed: number }): number {
  // No required lesson: nothing to complete, so nothing to award either.
  if (facts.required === 0) return Number.POSITIVE_INFINITY;
  return facts.required - facts.completed;
}

/**
 * Completes the enrollment if its requirements are met and it is still active: then writes the
 * "course completed" notification and publishes `enrollment.completed` in the same transaction.
 * Returns the completed enrollment, or undefined when nothing changed.
 */
export async function completeIfFinished(
  tx: Transaction,
  events: TransactionEvents<DomainEvents>,
  candidate: CompletionCandidate,
): Promise<EnrollmentProgress | undefined> {
  const facts = await selectCompletionFacts(tx, candidate.userId, candidate.courseId);
  if (facts === undefined || remainingRequirements(facts) > 0) return undefined;
  const completed = await completeEnrollment(tx, candidate.enrollmentId);
  if (!completed?.completedAt) return undefined;
  await writeNotification(tx, events, {
    userId: completed.userId,
    type: 'enrollment',
    title: `You completed ${facts.title}`,
    body: 'Congratulations: every required lesson is done.',
    payload: { courseId: completed.courseId, enrollmentId: completed.id },
    linkUrl: `/courses/${facts.slug}`,
  });
  events.publish('enrollment.completed', {
    enrollmentId: completed.id,
    userId: completed.userId,
    courseId: completed.courseId,
    completedAt: completed.completedAt.toISOString(),
  });
  return completed;
}
