/**
 * The worker: runs the queue's jobs and cron schedules with graphile-worker, on a connection pool
 * of its own (the handlers' own queries use the application's pool). Started inside `npm start`
 * (WORKER_ENABLED) or alone by `npm run worker` (src/worker.ts); any number of workers may share a
 * database. It never creates the queue's schema: it refuses to start until `db:migrate` has.
 */
import {
  Logger,
  type LogLevel,
  parseCronItems,
  type Runner,
  run,
  type Task,
  type TaskList,
} from 'graphile-worker';
import pg from 'pg';
import { jobErrorForLog, toStoredJobError } from './job-errors.js';
import type { JobContext, JobQueue, TaskDefinition, TaskMap } from './job-queue.js';
import { assertJobQueueSchema } from './queue-schema.js';

/** The pino-shaped logger the worker reports to (the application's). */
export interface RunnerLog {
  error(object: object, message: string): void;
  warn(object: object, message: string): void;
  info(object: object, message: string): void;
  debug(object: object, message: string): void;
}

export interface JobRunnerOptions<T extends TaskMap<T>> {
  databaseUrl: string;
  queue: JobQueue<T>;
  /** Tasks outside the task map: one per durable event subscriber (durable-events.ts). */
  extraTasks?: Readonly<Record<string, TaskDefinition<never>>>;
  /** Jobs run at the same time (WORKER_CONCURRENCY). */
  concurrency: number;
  /**
   * Jobs fetched (and locked) per round trip and handed out locally (graphile-worker's
   * `localQueue.size`); 0 or 1 fetches one job at a time.
   */
  fetchBatchSize?: number;
  /** How often to look for jobs whose time has come (new jobs arrive through LISTEN at once). */
  pollIntervalMs?: number;
  log: RunnerLog;
}

export interface JobRunner {
  /** The task names this runner handles. */
  readonly tasks: readonly string[];
  /**
   * Stops taking jobs, releases the ones fetched but not started, and waits for the running ones:
   * their handlers' `signal` is aborted after 2 s, and a job that still has not ended after
   * `graceMs` is left locked (graphile-worker frees it after 4 hours). Then the pool closes.
   */
  stop(graceMs?: number): Promise<void>;
}

/**
 * graphile-worker's log lines, into the application's logger. Per-job lines ("Completed task …")
 * become debug; a job's failure is logged by the task wrapper instead (graphile-worker's own line
 * carries the job with its payload, and the error's message, which may hold query parameters).
 */
function graphileLogger(log: RunnerLog): Logger {
  return new Logger((scope) => (level: LogLevel, message: string, meta?: unknown) => {
    const context = { component: 'worker', ...(scope.label ? { scope: scope.label } : {}) };
    if ((meta as { failure?: boolean } | undefined)?.failure) return;
    if (level === 'error') log.error(context, message);
    else if (level === 'warning') log.warn(context, message);
    else log.debug(context, message);
  });
}

function wrap(task: string, definition: TaskDefinition<never>, log: RunnerLog): Task {
  return async (payload, helpers) => {
    const context: JobContext = {
      jobId: helpers.job.id,
      attempt: helpers.job.attempts,
      maxAttempts: helpers.job.max_attempts,
      signal: helpers.abortSignal,
    };
    try {
      await definition.handler(payload as never, context);
    } catch (error) {
      const final = context.attempt >= context.maxAttempts;
      // Never the payload: it may hold an email address or a user's data.
      (final ? log.error : log.warn).call(
        log,
        {
          component: 'worker',
          task,
          jobId: context.jobId,
          attempt: context.attempt,
          maxAttempts: context.maxAttempts,
          err: jobErrorForLog(error),
        },
        final ? 'a background job failed for the last time' : 'a background job failed; it will be retried',
      );
      throw toStoredJobError(error);
    }
  };
}

/** Starts a worker; resolves once it is connected and looking for jobs. */
export async function startJobRunner<T extends TaskMap<T>>(options: JobRunnerOptions<T>): Promise<JobRunner> {
  const { queue, log } = options;
  const definitions = {
    ...(queue.definitions as Record<string, TaskDefinition<never>>),
    ...options.extraTasks,
  };
  const taskList: TaskList = {};
  for (const [task, definition] of Object.entries(definitions)) taskList[task] = wrap(task, definition, log);

  const pool = new pg.Pool({
    connectionString: options.databaseUrl,
    // One connection listens for new jobs, one fetches and completes them in batches.
    max: options.concurrency + 2,
    application_name: 'learning-platform:worker',
  });
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));

  let runner: Runner;
  try {
    await assertJobQueueSchema(pool);
    const batch = options.fetchBatchSize ?? 0;
    runner = await run({
      pgPool: pool,
      taskList,
      parsedCronItems: parseCronItems(
        queue.schedules.map((item) => ({
          task: item.task,
          match: item.pattern,
          identifier: item.name ?? item.task,
          payload: item.payload ?? {},
          options: {
            backfillPeriod: 0,
            maxAttempts: item.maxAttempts ?? queue.definitions[item.task]?.maxAttempts,
            // A tick that finds the previous tick's job still waiting (no worker ran) replaces it.
            jobKey: `cron:${item.name ?? item.task}`,
          },
        })),
      ),
      noHandleSignals: true,
      logger: graphileLogger(log),
      preset: {
        worker: {
          concurrentJobs: options.concurrency,
          pollInterval: options.pollIntervalMs ?? 2_000,
          ...(batch > 1 ? { localQueue: { size: batch } } : {}),
          // Completions go out in batches of whatever finished in the same turn of the event loop.
          completeJobBatchDelay: 0,
          failJobBatchDelay: 0,
          gracefulShutdownAbortTimeout: 2_000,
        },
      },
    });
  } catch (error) {
    await pool.end().catch(() => {});
    throw error;
  }
  // A worker that stops by itself (its database went away for good) is reported; the API stays up.
  runner.promise.catch((error: unknown) =>
    log.error({ component: 'worker', err: jobErrorForLog(error) }, 'the job worker stopped with an error'),
  );

  let stopping: Promise<void> | undefined;
  return {
    tasks: Object.keys(taskList),
    stop(graceMs = 10_000) {
      stopping ??= (async () => {
        let timer: NodeJS.Timeout | undefined;
        const timedOut = new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), graceMs);
        });
        const outcome = await Promise.race([runner.stop().then(() => 'stopped' as const), timedOut]).catch(
          () => 'stopped' as const,
        );
        clearTimeout(timer);
        if (outcome === 'timeout') {
          // Their handlers did not end on the abort signal: the jobs stay locked and graphile-worker
          // hands them to a worker again once the lock expires (4 hours).
          log.warn({ component: 'worker', graceMs }, 'jobs still running at shutdown were left unfinished');
          void pool.end().catch(() => {});
          return;
        }
        await pool.end().catch(() => {});
      })();
      return stopping;
    },
  };
}
