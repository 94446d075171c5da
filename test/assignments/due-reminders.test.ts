import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import {
  assignmentSubmissions,
  assignments,
  enrollments,
} from '../../src/infrastructure/database/schema/index.js';
import type { DomainEvents } from '../../src/infrastructure/events/domain-events.js';
import { createEventBus } from '../../src/infrastructure/events/event-bus.js';
import { createJobQueue } from '../../src/infrastructure/jobs/job-queue.js';
import type { JobTasks } from '../../src/infrastructure/jobs/job-tasks.js';
import { wireJobs } from '../../src/jobs.js';
import { sendDueReminders } from '../../src/modules/assignments/index.js';
import { insertSignedInUser, notificationsOf } from '../helpers/factories/index.js';
import { useTestApp } from '../helpers/use-test-app.js';
import { insertAssignmentWorld } from './assignment-fixtures.js';

const HOUR = 3_600_000;

describe('assignment due reminders', () => {
  const suite = useTestApp({ cast: ['instructor'] });
  const { instructor } = suite.cast;
  const deps = () => ({
    db: suite.db,
    events: createEventBus<DomainEvents>({ onSubscriberError: () => {} }),
  });
  const dueNotes = async (userId: string, assignmentId: string) =>
    (await notificationsOf(suite.db, userId)).filter(
      (note) => note.type === 'assignment_due' && note.payload.assignmentId === assignmentId,
    );

  it('reminds, once, the actively enrolled students without a submission, 24 h before the due date', async () => {
    const now = new Date('2030-03-01T12:00:00.000Z');
    const [pending, submitted, dropped, expired] = await Promise.all(
      [0, 1, 2, 3].map(() => insertSignedInUser(suite.testApp, { role: 'student' })),
    );
    const { assignment, courseId } = await insertAssignmentWorld(
      suite.db,
      { instructorId: instructor.id, studentIds: [pending!.id, submitted!.id, dropped!.id, expired!.id] },
      { dueAt: new Date(now.getTime() + 23 * HOUR) },
    );
    await suite.db
      .insert(assignmentSubmissions)
      .values({ assignmentId: assignment.id, studentId: submitted!.id, content: 'done' });
    await suite.db
      .update(enrollments)
      .set({ status: 'dropped', droppedAt: now })
      .where(eq(enrollments.userId, dropped!.id));
    await suite.db
      .update(enrollments)
      .set({ expiresAt: new Date(now.getTime() - HOUR) })
      .where(eq(enrollments.userId, expired!.id));
    // Not in the window, not published, or already reminded: left alone.
    const later = await insertAssignmentWorld(
      suite.db,
      { instructorId: instructor.id, studentIds: [pending!.id] },
      { dueAt: new Date(now.getTime() + 25 * HOUR) },
    );
    const hidden = await insertAssignmentWorld(
      suite.db,
      { instructorId: instructor.id, studentIds: [pending!.id] },
      { dueAt: new Date(now.getTime() + HOUR), isPublished: false },
    );
    const past = await insertAssignmentWorld(
      suite.db,
      { instructorId: instructor.id, studentIds: [pending!.id] },
      { dueAt: new Date(now.getTime() - HOUR) },
    );

    const [first, second] = await Promise.all([
      sendDueReminders(deps(), { now }),
      sendDueReminders(deps(), { now }),
    ]);
    expect(first!.assignments + second!.assignments).toBe(1);
    expect(first!.notifications + second!.notifications).toBe(1);
    expect(await dueNotes(pending!.id, assignment.id)).toEqual([
      expect.objectContaining({
        title: `Due soon: ${assignment.title}`,
        payload: { assignmentId: assignment.id, courseId },
      }),
    ]);
    for (const user of [submitted!, dropped!, expired!])
      expect(await dueNotes(user.id, assignment.id)).toEqual([]);
    for (const other of [later, hidden, past])
      expect(await dueNotes(pending!.id, other.assignment.id)).toEqual([]);
    const [row] = await suite.db.select().from(assignments).where(eq(assignments.id, assignment.id));
    expect(row?.dueReminderSentAt?.toISOString()).toBe(now.toISOString());

    // A retry or the next run sends nothing more.
    expect(await sendDueReminders(deps(), { now: new Date(now.getTime() + 15 * 60_000) })).toEqual({
      assignments: 0,
      notifications: 0,
    });
    expect(await dueNotes(pending!.id, assignment.id)).toHaveLength(1);
    // The later one comes due in the window of a later run.
    expect((await sendDueReminders(deps(), { now: new Date(now.getTime() + 2 * HOUR) })).assignments).toBe(1);
    expect(await dueNotes(pending!.id, later.assignment.id)).toHaveLength(1);
  });

  it('is a scheduled task every 15 minutes', () => {
    const jobs = createJobQueue<JobTasks>(suite.db);
    wireJobs(jobs, {
      config: suite.testApp.config,
      db: suite.db,
      events: deps().events,
      log: { info: () => {} },
    });
    expect(jobs.schedules.find((s) => s.task === 'assignments.send-due-reminders')).toMatchObject({
      pattern: '*/15 * * * *',
    });
  });
});
