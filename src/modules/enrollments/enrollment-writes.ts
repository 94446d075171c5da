/**
 * The writes every enrolment path shares (a learner's own request, an instructor or admin enrolling
 * someone, a confirmed payment): insert or reactivate the one row per learner and course, keep
 * `courses.enrollment_count` exact in the same transaction, and publish what happened. The rules
 * (who may, which courses, prerequisites, payment) are checked by the callers first.
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import { type Enrollment, enrollments } from '../../infrastructure/database/schema/index.js';
import type { DomainEvents } from '../../infrastructure/events/domain-events.js';
import type { TransactionEvents } from '../../infrastructure/events/unit-of-work.js';
import type { Transaction } from '../../shared/transaction.js';
import { adjustEnrollmentCount } from '../courses/index.js';
import { type NotificationDraft, writeNotifications } from '../notifications/index.js';
import { type EnrolmentCourse, findEnrollmentOf } from './enrollments.queries.js';

export type EnrolOutcome = 'enrolled' | 'reactivated' | 'already_enrolled';

export interface EnrolTarget {
  course: Pick<EnrolmentCourse, 'id' | 'title' | 'slug' | 'accessDurationDays'>;
  userId: string;
  /** Who enrolled the learner, when not the learner themself. */
  enrolledBy: string | null;
  paymentId?: string | undefined;
}

/** `expires_at` of an enrollment that starts now: the course's access duration from now, or never. */
export function expiresAtFor(accessDurationDays: number | null) {
  return accessDurationDays === null
    ? sql`NULL::timestamptz`
    : sql`now() + make_interval(days => ${accessDurationDays}::int)`;
}

/**
 * Enrols `target.userId` in the course: an active or completed enrollment stays as it is
 * (`already_enrolled`); a dropped or expired one becomes active again with its progress and a new
 * access window (`reactivated`); otherwise a row is inserted (`enrolled`). Concurrent calls for the
 * same learner and course agree: the unique (user_id, course_id) constraint lets one insert win
 * (ON CONFLICT DO NOTHING waits for it), and a reactivation only applies to a row still inactive.
 */
export async function enrolInTransaction(
  tx: Transaction,
  changes: TransactionEvents<DomainEvents>,
  target: EnrolTarget,
): Promise<{ enrollment: Enrollment; outcome: EnrolOutcome }> {
  const existing = await findEnrollmentOf(tx, target.userId, target.course.id);
  if (existing && (existing.status === 'active' || existing.status === 'completed')) {
    return { enrollment: existing, outcome: 'already_enrolled' };
  }
  if (existing) {
    const [reactivated] = await tx
      .update(enrollments)
      .set({
        status: 'active',
        droppedAt: null,
        expiresAt: expiresAtFor(target.course.accessDurationDays),
        enrolledBy: target.enrolledBy,
        ...(target.paymentId === undefined ? {} : { paymentId: target.paymentId }),
      })
      .where(and(eq(enrollments.id, existing.id), inArray(enrollments.status, ['dropped', 'expired'])))
      .returning();
    if (!reactivated) return alreadyEnrolled(tx, target);
    // An expired enrollment still counted; a dropped one comes back into the count.
    if (existing.status === 'dropped') await countChanged(tx, changes, target.course.id, 1);
    publishEnrolled(changes, reactivated, target, true);
    await writeNotifications(tx, changes, [enrolmentConfirmed(target.course, reactivated)]);
    return { enrollment: reactivated, outcome: 'reactivated' };
  }
  const [inserted] = await tx
    .insert(enrollments)
    .values({
      userId: target.userId,
      courseId: target.course.id,
      status: 'active',
      expiresAt: expiresAtFor(target.course.accessDurationDays),
      enrolledBy: target.enrolledBy,
      paymentId: target.paymentId ?? null,
    })
    .onConflictDoNothing({ target: [enrollments.userId, enrollments.courseId] })
    .returning();
  if (!inserted) return alreadyEnrolled(tx, target);
  await countChanged(tx, changes, target.course.id, 1);
  publishEnrolled(changes, inserted, target, false);
  await writeNotifications(tx, changes, [enrolmentConfirmed(target.course, inserted)]);
  return { enrollment: inserted, outcome: 'enrolled' };
}

/** Another transaction enrolled the learner meanwhile (it has committed: we waited for its row). */
async function alreadyEnrolled(tx: Transaction, target: EnrolTarget) {
  const enrollment = await findEnrollmentOf(tx, target.userId, target.course.id);
  if (!enrollment) throw new Error('enrollment vanished while enrolling');
  return { enrollment, outcome: 'already_enrolled' as const };
}

function publishEnrolled(
  changes: TransactionEvents<DomainEvents>,
  enrollment: Enrollment,
  target: EnrolTarget,
  reactivated: boolean,
): void {
  changes.publish('enrollment.created', {
    enrollmentId: enrollment.id,
    userId: enrollment.userId,
    courseId: enrollment.courseId,
    enrolledBy: target.enrolledBy,
    reactivated,
  });
}

/** "Enrollment confirmed", written in the enrolling transaction (type `enrollment`). */
export function enrolmentConfirmed(
  course: Pick<EnrolmentCourse, 'id' | 'title' | 'slug'>,
  enrollment: { id: string; userId: string },
): NotificationDraft {
  return {
    userId: enrollment.userId,
    type: 'enrollment',
    title: `You are enrolled in “${course.title}”`,
    body: 'Your enrollment is confirmed: start with the first lesson whenever you are ready.',
    payload: { courseId: course.id, enrollmentId: enrollment.id },
    linkUrl: `/courses/${course.slug}`,
  };
}

/** Adjusts the course's count in this transaction and tells the catalog after commit. */
export async function countChanged(
  tx: Transaction,
  changes: TransactionEvents<DomainEvents>,
  courseId: string,
  delta: number,
): Promise<void> {
  if (delta === 0) return;
  await adjustEnrollmentCount(tx, courseId, delta);
  changes.publish('course.enrollment-count.changed', { courseId });
}
