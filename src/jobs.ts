import type { Config } from './config.js';
import type { Database } from './infrastructure/database/client/client.js';
import type { DomainEventBus } from './infrastructure/events/domain-events.js';
import type { AppJobQueue } from './infrastructure/jobs/job-tasks.js';
import { sendDueReminders } from './modules/assignments/index.js';
import { purgeExpiredTokens } from './modules/auth/index.js';
import {
  expireEnrollments,
  failBulkOperation,
  purgeIdempotencyKeys,
  runBulkEnrolment,
} from './modules/enrollments/index.js';
import { submitOverdueAttempts } from './modules/quizzes/index.js';

export interface JobDependencies {
  config: Pick<Config, 'expiredTokenRetentionDays'>;
  db: Database;
  /** Jobs that change enrollments publish what the request paths publish. */
  events: DomainEventBus;
  log: { info(object: object, message: string): void };
}

/**
 * Every background task's handler and every schedule, in one place (as src/subscribers.ts is for
 * events). Adding a task: its payload in JobTasks (src/infrastructure/jobs/job-tasks.ts), one entry
 * in `define` (it does not compile without), a `schedule` entry if it recurs, and an enqueue in the
 * module that causes the work, inside that work's transaction:
 * `await jobs.enqueue(tx, 'enrollments.bulk-enrol', { operationId })`.
 * Handlers run at least once and may run again after a crash or a retry: make them idempotent.
 * Retries: attempt n failing waits e^min(n, 10) s (2.7 s, 7.4 s, 20 s, … 6.1 h), up to `maxAttempts`.
 */
export function wireJobs(jobs: AppJobQueue, deps: JobDependencies): void {
  jobs.define({
    // Assignments: one reminder per assignment due within 24 h; a retry sends only what is left.
    'assignments.send-due-reminders': {
      // The next run, 15 minutes later, catches up anyway.
      maxAttempts: 3,
      handler: async (_payload, { signal }) => {
        const sent = await sendDueReminders({ db: deps.db, events: deps.events }, { signal });
        if (sent.assignments > 0)
          deps.log.info({ component: 'worker', ...sent }, 'sent assignment due reminders');
      },
    },
    // Auth: tokens nobody can use any more (expired longer than EXPIRED_TOKEN_RETENTION_DAYS ago).
    'auth.purge-expired-tokens': {
      // The next hourly run retries anyway.
      maxAttempts: 3,
      handler: async (_payload, { signal }) => {
        const purged = await purgeExpiredTokens(deps.db, {
          retentionDays: deps.config.expiredTokenRetentionDays,
          signal,
        });
        if (purged.refreshTokens + purged.passwordResetTokens > 0) {
          deps.log.info({ component: 'worker', ...purged }, 'purged expired tokens');
        }
      },
    },
    // Enrollments: a bulk enrolment, chunk by chunk; a retry resumes with the rows left.
    'enrollments.bulk-enrol': {
      maxAttempts: 10,
      handler: async ({ operationId }, { signal, attempt, maxAttempts }) => {
        try {
          await runBulkEnrolment({ db: deps.db, events: deps.events }, operationId, { signal });
        } catch (error) {
          // The last attempt: the operation says so instead of staying `running` for ever.
          if (attempt >= maxAttempts && !signal.aborted) {
            await failBulkOperation(
              deps.db,
              operationId,
              'The background job failed on every attempt; rows without an outcome were not processed.',
            );
          }
          throw error;
        }
      },
    },
    'enrollments.expire': {
      // The next run, 5 minutes later, catches up anyway.
      maxAttempts: 3,
      handler: async (_payload, { signal }) => {
        const expired = await expireEnrollments({ db: deps.db, events: deps.events }, { signal });
        if (expired > 0) deps.log.info({ component: 'worker', expired }, 'expired enrollments');
      },
    },
    'enrollments.purge-idempotency-keys': {
      maxAttempts: 3,
      handler: async (_payload, { signal }) => {
        const purged = await purgeIdempotencyKeys(deps.db, { signal });
        if (purged > 0) deps.log.info({ component: 'worker', purged }, 'purged idempotency keys');
      },
    },
    // Quizzes: the deadline sweep (attempts are also submitted on their next access).
    'quizzes.submit-overdue-attempts': {
      // The next run, a minute later, catches up anyway.
      maxAttempts: 3,
      handler: async (_payload, { signal }) => {
        const submitted = await submitOverdueAttempts({ db: deps.db, events: deps.events }, {}, { signal });
        if (submitted > 0)
          deps.log.info({ component: 'worker', submitted }, 'auto-submitted overdue quiz attempts');
      },
    },
  });

  jobs.schedule([
    { task: 'assignments.send-due-reminders', pattern: '*/15 * * * *' },
    // Hourly, at minute 17 (UTC): off the top of the hour, when other schedules tend to run.
    { task: 'auth.purge-expired-tokens', pattern: '17 * * * *' },
    { task: 'enrollments.expire', pattern: '*/5 * * * *' },
    { task: 'enrollments.purge-idempotency-keys', pattern: '47 * * * *' },
    { task: 'quizzes.submit-overdue-attempts', pattern: '* * * * *' },
  ]);
}
