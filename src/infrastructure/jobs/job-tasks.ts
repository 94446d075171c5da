import type { JobQueue } from './job-queue.js';

/** A task that needs no input (cron ticks: graphile-worker adds `_cron: { ts }` to the payload). */
export type NoPayload = Record<string, never>;

/**
 * Every background task of the application and its payload. Payloads carry ids and small values
 * (the handler reads what it needs), never secrets: admins can read them through the jobs API.
 * Adding a task: one entry here, its handler (and any schedule) in src/jobs.ts, which does not
 * compile until every task here has a handler; the module that causes the work enqueues it with
 * `jobs.enqueue(tx, '<task>', payload)` inside its transaction. Durable event subscribers are tasks
 * too (`event:<subscriber>`), made from src/subscribers.ts, not listed here.
 */
export interface JobTasks {
  /** Cron, every 15 minutes: the 24-hour reminders of assignments due soon, once per assignment. */
  'assignments.send-due-reminders': NoPayload;
  /** Cron, hourly: deletes refresh and password-reset tokens past their expiry plus the retention. */
  'auth.purge-expired-tokens': NoPayload;
  /** A bulk enrolment accepted with 202: works through its rows in chunks (resumes after a crash). */
  'enrollments.bulk-enrol': { operationId: string };
  /** Cron, every 5 minutes: active enrollments past their `expires_at` become `expired`. */
  'enrollments.expire': NoPayload;
  /** Cron, hourly: deletes Idempotency-Key records past their 24-hour lifetime. */
  'enrollments.purge-idempotency-keys': NoPayload;
  /** Cron, every minute: open quiz attempts past their deadline (+ grace) are submitted with their saved answers. */
  'quizzes.submit-overdue-attempts': NoPayload;
}

export type JobTaskName = keyof JobTasks;

/** The application's queue. */
export type AppJobQueue = JobQueue<JobTasks>;
