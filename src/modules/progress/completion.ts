/**
 * The completion rule, as one function: every caller that may have finished a course (a progress
 * write, the recount after a content change) asks `completeIfFinished`, inside its transaction.
 *
 * An enrollment is complete when every required lesson of its course is completed, every published
 * required quiz is passed (its counted score under the quiz's score policy reaches the passing score)
 * and every published required assignment has a counted grade of at least its passing score (percent
 * of max points). A course with no requirement at all (no required lesson, quiz or assignment) is
 * never completed by this rule; one whose only requirements are quizzes or assignments completes when
 * they pass. Callers: a progress write, the recount after a content change, and the subscribers of
 * `quiz-attempt.graded` and `assignment-submission.graded` (src/subscribers.ts), whichever comes last.
 *
 * Completion happens exactly once per enrollment: the enrollments module's conditional update
 * (`... WHERE status = 'active'`) lets only one transaction through, also when many requests finish
 * the last lesson at once. Before reading the facts it locks the enrollment row, as a progress write
 * does: a lesson completed and a quiz graded at the same moment serialise on it, so the second to take
 * the lock sees the first's commit (without it, each could read the other as missing, and nobody
 * would complete). That transaction, and only that one, writes the learner's notification
 * and publishes `enrollment.completed`, delivered after the commit (the certificate subscribes).
 */
import type { Database } from '../../infrastructure/database/client/client.js';
import type { DomainEventBus, DomainEvents } from '../../infrastructure/events/domain-events.js';
import { type TransactionEvents, unitOfWork } from '../../infrastructure/events/unit-of-work.js';
import type { Transaction } from '../../shared/transaction.js';
import { completeEnrollment, type EnrollmentProgress, findActiveEnrollment } from '../enrollments/index.js';
import { writeNotification } from '../notifications/index.js';
import {
  type CompletionFacts,
  lockEnrollmentForCompletion,
  selectCompletionFacts,
} from './progress.queries.js';

export interface CompletionCandidate {
  enrollmentId: string;
  userId: string;
  courseId: string;
}

/** How many requirements are still missing (zero when complete), read from the rows themselves. */
export function remainingRequirements(facts: CompletionFacts): number {
  const required = facts.requiredLessons + facts.requiredQuizzes + facts.requiredAssignments;
  // No requirement of any kind: nothing to complete, so nothing to award either.
  if (required === 0) return Number.POSITIVE_INFINITY;
  return (
    facts.requiredLessons -
    facts.completedLessons +
    (facts.requiredQuizzes - facts.passedQuizzes) +
    (facts.requiredAssignments - facts.passedAssignments)
  );
}

/** The notification's body, naming only the kinds of requirement the course has. */
export function completionBody(facts: CompletionFacts): string {
  const kinds = [
    facts.requiredLessons > 0 ? 'lesson' : undefined,
    facts.requiredQuizzes > 0 ? 'quiz' : undefined,
    facts.requiredAssignments > 0 ? 'assignment' : undefined,
  ].filter((kind) => kind !== undefined);
  const listed = kinds.length <= 1 ? kinds.join('') : `${kinds.slice(0, -1).join(', ')} and ${kinds.at(-1)}`;
  return `Congratulations: every required ${listed} is done.`;
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
  await lockEnrollmentForCompletion(tx, candidate.enrollmentId);
  const facts = await selectCompletionFacts(tx, candidate.userId, candidate.courseId);
  if (facts === undefined || remainingRequirements(facts) > 0) return undefined;
  const completed = await completeEnrollment(tx, candidate.enrollmentId);
  if (!completed?.completedAt) return undefined;
  await writeNotification(tx, events, {
    userId: completed.userId,
    type: 'enrollment',
    title: `You completed ${facts.title}`,
    body: completionBody(facts),
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

/**
 * A quiz attempt or an assignment submission of `userId` in `courseId` was graded (subscribed,
 * durably, to both graded events): completes the learner's active enrollment in that course if that
 * grade met its last requirement. Idempotent (a retried job finds the enrollment completed already).
 */
export function createGradedCompletion(deps: { db: Database; events: DomainEventBus }) {
  return {
    async gradeRecorded(graded: { userId: string; courseId: string }): Promise<void> {
      await unitOfWork(deps.db, deps.events, async (tx, changes) => {
        const enrollment = await findActiveEnrollment(tx, graded.userId, graded.courseId);
        if (!enrollment) return;
        await completeIfFinished(tx, changes, {
          enrollmentId: enrollment.id,
          userId: graded.userId,
          courseId: graded.courseId,
        });
      });
    },
  };
}

export type GradedCompletion = ReturnType<typeof createGradedCompletion>;
