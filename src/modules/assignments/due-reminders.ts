/**
 * The 24-hour due reminder (cron `assignments.send-due-reminders`, every 15 minutes): for each
 * published assignment of a published course due within the next 24 hours whose reminder has not gone
 * out, one `assignment_due` notification to every actively enrolled student (active, not past expiry)
 * without a submission, and the assignment marked (`due_reminder_sent_at`), in the same transaction.
 * Each assignment is claimed FOR UPDATE SKIP LOCKED, so concurrent runs (a retry, two workers) never
 * remind twice, and a run that fails leaves the assignment unmarked for the next one. A due date
 * changed later clears the mark (assignments.service.ts).
 */
import { and, eq, gt, isNull, lte, sql } from 'drizzle-orm';
import type { Database } from '../../infrastructure/database/client/client.js';
import {
  assignmentSubmissions,
  assignments,
  courses,
  enrollments,
} from '../../infrastructure/database/schema/index.js';
import type { DomainEventBus } from '../../infrastructure/events/domain-events.js';
import { unitOfWork } from '../../infrastructure/events/unit-of-work.js';
import { writeNotifications } from '../notifications/index.js';

export const REMINDER_WINDOW_MS = 24 * 60 * 60 * 1000;
/** Notifications written per statement (well under PostgreSQL's 65,535 parameters). */
const NOTIFICATION_CHUNK = 1_000;

export interface DueReminderDependencies {
  db: Database;
  events: DomainEventBus;
}

/** Sends every reminder due at `now`; returns how many assignments and students were reminded. */
export async function sendDueReminders(
  deps: DueReminderDependencies,
  options: { now?: Date; signal?: AbortSignal } = {},
): Promise<{ assignments: number; notifications: number }> {
  const now = options.now ?? new Date();
  const until = new Date(now.getTime() + REMINDER_WINDOW_MS);
  const totals = { assignments: 0, notifications: 0 };
  for (;;) {
    if (options.signal?.aborted) break;
    const sent = await unitOfWork(deps.db, deps.events, async (tx, changes) => {
      const [due] = await tx
        .select({
          id: assignments.id,
          title: assignments.title,
          courseId: assignments.courseId,
          dueAt: assignments.dueAt,
        })
        .from(assignments)
        .innerJoin(courses, eq(courses.id, assignments.courseId))
        .where(
          and(
            eq(assignments.isPublished, true),
            eq(courses.status, 'published'),
            isNull(assignments.dueReminderSentAt),
            gt(assignments.dueAt, now),
            lte(assignments.dueAt, until),
          ),
        )
        .orderBy(assignments.dueAt)
        .limit(1)
        .for('update', { of: assignments, skipLocked: true });
      if (!due?.dueAt) return undefined;
      const students = await tx
        .select({ userId: enrollments.userId })
        .from(enrollments)
        .where(
          and(
            eq(enrollments.courseId, due.courseId),
            eq(enrollments.status, 'active'),
            sql`(${enrollments.expiresAt} IS NULL OR ${enrollments.expiresAt} > ${now})`,
            sql`NOT EXISTS (SELECT 1 FROM ${assignmentSubmissions} WHERE ${assignmentSubmissions.assignmentId} = ${due.id} AND ${assignmentSubmissions.studentId} = ${enrollments.userId})`,
          ),
        );
      for (let start = 0; start < students.length; start += NOTIFICATION_CHUNK) {
        await writeNotifications(
          tx,
          changes,
          students.slice(start, start + NOTIFICATION_CHUNK).map((student) => ({
            userId: student.userId,
            type: 'assignment_due' as const,
            title: `Due soon: ${due.title}`,
            body: `Due ${due.dueAt?.toISOString()}. You have not submitted yet.`,
            payload: { assignmentId: due.id, courseId: due.courseId },
            linkUrl: `/assignments/${due.id}`,
          })),
        );
      }
      await tx.update(assignments).set({ dueReminderSentAt: now }).where(eq(assignments.id, due.id));
      return students.length;
    });
    if (sent === undefined) break;
    totals.assignments += 1;
    totals.notifications += sent;
  }
  return totals;
}
