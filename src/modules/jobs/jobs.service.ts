/**
 * Background jobs for admins: list them by state and task, read one with its payload, and retry a
 * failed one. Admins only (a job's payload may name users). Reads graphile-worker's queue tables
 * (jobs.queries.ts); a retry goes through graphile-worker's `reschedule_jobs`.
 */
import { Type } from 'typebox';
import type { Database } from '../../infrastructure/database/client/client.js';
import { type Actor, requireRole } from '../../shared/actor.js';
import { AppError } from '../../shared/errors.js';
import { cursorDecoder, toPage } from '../../shared/keyset.js';
import {
  JOB_ID_PATTERN,
  type JobRow,
  type JobState,
  LAST_ERROR_MAX_LENGTH,
  rescheduleNow,
  selectJob,
  selectJobs,
} from './jobs.queries.js';

export interface JobView {
  id: string;
  task: string;
  state: JobState;
  attempts: number;
  maxAttempts: number;
  lastError: string | null;
  runAt: string;
  createdAt: string;
}

export interface JobDetailView extends JobView {
  payload: unknown;
  key: string | null;
  queueName: string | null;
  priority: number;
  lockedAt: string | null;
  lockedBy: string | null;
  updatedAt: string;
}

export interface ListJobsFilter {
  limit: number;
  cursor?: string;
  state?: JobState;
  task?: string;
}

const NO_SUCH_JOB = 'No job with this id (a job that completed is deleted).';

const decodeCursor = cursorDecoder(
  Type.Object({ id: Type.String({ pattern: JOB_ID_PATTERN }) }, { additionalProperties: false }),
);

/**
 * The error's message without a stack trace (should a handler have thrown one inside its message),
 * at most LAST_ERROR_MAX_LENGTH characters. The worker stores messages already stripped of query
 * parameters (src/infrastructure/jobs/job-errors.ts).
 */
export function shortError(lastError: string | null): string | null {
  if (lastError === null) return null;
  const frame = lastError.search(/\n\s+at /);
  const message = (frame === -1 ? lastError : lastError.slice(0, frame)).trim();
  return message.length > LAST_ERROR_MAX_LENGTH ? `${message.slice(0, LAST_ERROR_MAX_LENGTH - 1)}…` : message;
}

function toJobView(row: JobRow): JobView {
  return {
    id: row.id,
    task: row.task,
    state: row.state,
    attempts: row.attempts,
    maxAttempts: row.maxAttempts,
    lastError: shortError(row.lastError),
    runAt: row.runAt,
    createdAt: row.createdAt,
  };
}

function toJobDetailView(row: JobRow): JobDetailView {
  return {
    ...toJobView(row),
    payload: row.payload,
    key: row.key,
    queueName: row.queueName,
    priority: row.priority,
    lockedAt: row.lockedAt,
    lockedBy: row.lockedBy,
    updatedAt: row.updatedAt,
  };
}

export interface JobsServiceDependencies {
  db: Database;
}

export function createJobsService({ db }: JobsServiceDependencies) {
  return {
    /** Admin: jobs newest first, optionally of one state and one task. */
    async list(
      actor: Actor,
      filter: ListJobsFilter,
    ): Promise<{ data: JobView[]; nextCursor: string | null }> {
      requireRole(actor, 'admin');
      const position = decodeCursor(filter.cursor);
      const rows = await selectJobs(db, {
        limit: filter.limit + 1,
        state: filter.state,
        task: filter.task,
        beforeId: position?.id,
      });
      return toPage(rows, filter.limit, toJobView, (row) => ({ id: row.id }));
    },

    async get(actor: Actor, id: string): Promise<JobDetailView> {
      requireRole(actor, 'admin');
      const row = await selectJob(db, id);
      if (!row) throw new AppError('not_found', NO_SUCH_JOB);
      return toJobDetailView(row);
    },

    /**
     * Admin: a failed job runs again now, with its attempts reset (its last error stays until the
     * next attempt). Any other state is 409 `job_not_failed`: a queued or scheduled job will run
     * anyway, and a running one must not be started twice.
     */
    async retry(actor: Actor, id: string): Promise<JobDetailView> {
      requireRole(actor, 'admin');
      return db.transaction(async (tx) => {
        const row = await selectJob(tx, id, true);
        if (!row) throw new AppError('not_found', NO_SUCH_JOB);
        if (row.state !== 'failed') {
          throw new AppError('job_not_failed', `The job is ${row.state}; only a failed job can be retried.`, {
            state: row.state,
          });
        }
        await rescheduleNow(tx, id);
        const retried = await selectJob(tx, id);
        if (!retried) throw new AppError('not_found', NO_SUCH_JOB);
        return toJobDetailView(retried);
      });
    },
  };
}

export type JobsService = ReturnType<typeof createJobsService>;
