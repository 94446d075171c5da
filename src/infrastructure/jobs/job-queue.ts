/**
 * The background job queue (graphile-worker, PostgreSQL-backed): a typed registry of tasks and cron
 * schedules, and enqueueing that runs inside the caller's transaction.
 *
 * Guarantees:
 * - `enqueue(tx, ...)` / `enqueueMany(tx, ...)` insert through `graphile_worker.add_job(s)` on the
 *   executor given: inside a transaction the job commits with the write that caused it, or not at all.
 * - A job runs at least once (a worker that dies mid-job leaves it locked; graphile-worker frees it
 *   after 4 hours), so handlers must be idempotent.
 * - A handler that throws is retried with exponential backoff: attempt n failing waits e^min(n, 10)
 *   seconds (2.7 s, 7.4 s, 20 s, 55 s, 2.5 min, 6.7 min, 18 min, 50 min, 2.2 h, then 6.1 h each), up
 *   to the task's `maxAttempts` (default 25, about four days); then the job stays, failed, until an
 *   admin retries it (`POST /api/v1/admin/jobs/:id/retry`).
 *
 * Payload types are checked at compile time against the task map `T` (src/infrastructure/jobs/job-tasks.ts
 * for the application), as the event bus checks events.
 */
import { sql } from 'drizzle-orm';
import type { Executor } from '../../shared/transaction.js';
import { JOB_QUEUE_SCHEMA } from './queue-schema.js';

export type TaskMap<T> = { [K in keyof T]: object };

/** graphile-worker's default, used when neither the task nor the enqueue says otherwise. */
export const DEFAULT_MAX_ATTEMPTS = 25;

export interface EnqueueOptions {
  /** Not before this instant (default: now). */
  runAt?: Date;
  /** Attempts before the job counts as failed (default: the task's `maxAttempts`, else 25). */
  maxAttempts?: number;
  /**
   * Dedupe key: while a job with this key has not started, enqueueing again replaces it (payload,
   * run time, attempts reset) instead of adding a second; once it runs, a new one is added.
   */
  jobKey?: string;
  /** With `jobKey`: `preserve_run_at` keeps the waiting job's run time (debounce without delay). */
  jobKeyMode?: 'replace' | 'preserve_run_at';
  /** Jobs sharing a queue name run one at a time, in order (use few, fixed names). */
  queueName?: string;
  /** Lower runs first (default 0). */
  priority?: number;
}

/** One job of an `enqueueMany`. */
export type JobSpec<T extends TaskMap<T>> = {
  [K in keyof T & string]: { task: K; payload: T[K] } & Pick<
    EnqueueOptions,
    'runAt' | 'maxAttempts' | 'jobKey' | 'queueName' | 'priority'
  >;
}[keyof T & string];

/** What a handler is told about the job it runs. */
export interface JobContext {
  jobId: string;
  /** 1 on the first run. */
  attempt: number;
  maxAttempts: number;
  /** Aborted when the worker is shutting down and the job should stop early (it is then retried). */
  signal: AbortSignal;
}

export interface TaskDefinition<P> {
  /** Throw to fail the attempt (it is retried); resolve to complete the job (it is deleted). */
  handler: (payload: P, context: JobContext) => Promise<void>;
  /** Default attempts for this task's jobs. */
  maxAttempts?: number;
}

/** One handler per task of the map: a task without a handler does not compile. */
export type TaskDefinitions<T extends TaskMap<T>> = { [K in keyof T & string]: TaskDefinition<T[K]> };

/** A recurring job: graphile-worker's distributed cron (one job per tick across all workers). */
export interface CronSchedule<T extends TaskMap<T>> {
  task: keyof T & string;
  /** Standard five-field crontab pattern in UTC, e.g. `17 * * * *` (hourly at minute 17). */
  pattern: string;
  /** Stable name of the schedule (keeps track of its last run); default: the task name. */
  name?: string;
  /** Merged into the job's payload (graphile-worker adds `_cron: { ts }`). */
  payload?: Record<string, unknown>;
  maxAttempts?: number;
}

/** A job for an internal task (durable event subscribers), bypassing the task map. */
export interface RawJob {
  task: string;
  payload: object;
  maxAttempts?: number;
}

export interface JobQueue<T extends TaskMap<T>> {
  /** Adds one job on `executor` (a transaction: the job commits with it); resolves with the job's id. */
  enqueue<K extends keyof T & string>(
    executor: Executor,
    task: K,
    payload: T[K],
    options?: EnqueueOptions,
  ): Promise<string>;
  /**
   * Adds many jobs in one statement on `executor` (10,000 in about 0.2 s); resolves with how many
   * rows were written. Job keys must be unique within one call.
   */
  enqueueMany(executor: Executor, jobs: readonly JobSpec<T>[]): Promise<number>;
  /** Jobs of internal tasks (`event:<subscriber>`), on `executor` or else on the queue's database. */
  enqueueRaw(executor: Executor | undefined, jobs: readonly RawJob[]): Promise<void>;
  /** Sets every task's handler (src/jobs.ts); called once at start-up. */
  define(definitions: TaskDefinitions<T>): void;
  /** Adds cron schedules (src/jobs.ts). */
  schedule(items: readonly CronSchedule<T>[]): void;
  /** The handlers and schedules the runner runs. */
  readonly definitions: Readonly<Partial<TaskDefinitions<T>>>;
  readonly schedules: readonly CronSchedule<T>[];
}

function maxAttemptsOf(value: number | undefined): number | null {
  if (value === undefined) return null;
  if (!Number.isInteger(value) || value < 1 || value > 32_767) {
    throw new RangeError(`maxAttempts must be a whole number from 1 to 32767, got ${value}`);
  }
  return value;
}

interface SpecRow {
  t: string;
  p: object;
  q: string | null;
  r: string | null;
  m: number | null;
  k: string | null;
  o: number | null;
}

/** `specs` (JSON of SpecRow) → `graphile_worker.add_jobs(job_spec[])`: one statement for any number. */
async function addJobs(executor: Executor, rows: readonly SpecRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const schema = sql.raw(JOB_QUEUE_SCHEMA);
  const result = await executor.execute<{ count: number }>(sql`
    SELECT count(*)::int AS count FROM ${schema}.add_jobs(ARRAY(
      SELECT ROW(e->>'t', e->'p', e->>'q', (e->>'r')::timestamptz, (e->>'m')::int, e->>'k', (e->>'o')::int, NULL)::${schema}.job_spec
        FROM json_array_elements(${JSON.stringify(rows)}::json) AS e
    ))`);
  return result.rows[0]?.count ?? 0;
}

/** `db`: where `enqueueRaw` writes when no transaction is given (an event published after its commit). */
export function createJobQueue<T extends TaskMap<T>>(db: Executor): JobQueue<T> {
  let definitions: Partial<TaskDefinitions<T>> = {};
  const schedules: CronSchedule<T>[] = [];
  const taskMaxAttempts = (task: keyof T & string) => definitions[task]?.maxAttempts;

  return {
    async enqueue(executor, task, payload, options = {}) {
      const schema = sql.raw(JOB_QUEUE_SCHEMA);
      const result = await executor.execute<{ id: string }>(sql`
        SELECT (${schema}.add_job(
          ${task}::text,
          payload => ${JSON.stringify(payload)}::json,
          queue_name => ${options.queueName ?? null}::text,
          run_at => ${options.runAt?.toISOString() ?? null}::timestamptz,
          max_attempts => ${maxAttemptsOf(options.maxAttempts ?? taskMaxAttempts(task))}::int,
          job_key => ${options.jobKey ?? null}::text,
          priority => ${options.priority ?? null}::int,
          job_key_mode => ${options.jobKeyMode ?? 'replace'}::text
        )).id::text AS id`);
      const id = result.rows[0]?.id;
      if (id === undefined) throw new Error(`enqueue of ${task} returned no job`);
      return id;
    },

    enqueueMany(executor, jobs) {
      return addJobs(
        executor,
        jobs.map((job) => ({
          t: job.task,
          p: job.payload,
          q: job.queueName ?? null,
          r: job.runAt?.toISOString() ?? null,
          m: maxAttemptsOf(job.maxAttempts ?? taskMaxAttempts(job.task)),
          k: job.jobKey ?? null,
          o: job.priority ?? null,
        })),
      );
    },

    async enqueueRaw(executor, jobs) {
      await addJobs(
        executor ?? db,
        jobs.map((job) => ({
          t: job.task,
          p: job.payload,
          q: null,
          r: null,
          m: maxAttemptsOf(job.maxAttempts),
          k: null,
          o: null,
        })),
      );
    },

    define(next) {
      definitions = { ...next };
    },

    schedule(items) {
      for (const item of items) {
        if (schedules.some((s) => (s.name ?? s.task) === (item.name ?? item.task))) {
          throw new Error(`cron schedule ${item.name ?? item.task} is defined twice`);
        }
        schedules.push(item);
      }
    },

    get definitions() {
      return definitions;
    },
    schedules,
  };
}
