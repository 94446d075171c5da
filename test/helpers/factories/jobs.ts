import { sql } from 'drizzle-orm';
import type { Database } from '../../../src/infrastructure/database/client/client.js';
import { JOB_QUEUE_SCHEMA } from '../../../src/infrastructure/jobs/queue-schema.js';
import type { Executor } from '../../../src/shared/transaction.js';
import { waitFor } from '../processes.js';

const schema = sql.raw(JOB_QUEUE_SCHEMA);

export type InsertedJobState = 'queued' | 'scheduled' | 'running' | 'failed';

export interface InsertJobInput {
  task?: string;
  payload?: object;
  /** Default queued. failed: every attempt used, with `lastError`; running: locked by a made-up worker. */
  state?: InsertedJobState;
  maxAttempts?: number;
  lastError?: string;
  key?: string;
}

/**
 * A job written straight into the queue (graphile-worker's `add_job`, then its row set to the state
 * asked for), for tests of what reads the queue. No worker runs it unless a test starts one.
 */
export async function insertJob(db: Database, input: InsertJobInput = {}): Promise<{ id: string }> {
  const state = input.state ?? 'queued';
  const maxAttempts = input.maxAttempts ?? 3;
  const { rows } = await db.execute<{ id: string }>(sql`
    SELECT (${schema}.add_job(${input.task ?? 'test.inserted'}::text,
      payload => ${JSON.stringify(input.payload ?? {})}::json,
      max_attempts => ${maxAttempts}::int,
      job_key => ${input.key ?? null}::text)).id::text AS id`);
  const id = rows[0]!.id;
  if (state === 'failed') {
    await db.execute(sql`UPDATE ${schema}._private_jobs
      SET attempts = max_attempts, last_error = ${input.lastError ?? 'the test made it fail'},
          run_at = now() + interval '1 hour'
      WHERE id = ${id}::bigint`);
  } else if (state === 'scheduled') {
    await db.execute(
      sql`UPDATE ${schema}._private_jobs SET run_at = now() + interval '1 day' WHERE id = ${id}::bigint`,
    );
  } else if (state === 'running') {
    await db.execute(sql`UPDATE ${schema}._private_jobs
      SET locked_at = now(), locked_by = 'worker-made-up-by-a-test', attempts = 1 WHERE id = ${id}::bigint`);
  }
  return { id };
}

export interface QueuedJob {
  id: string;
  task: string;
  payload: Record<string, unknown>;
  attempts: number;
  maxAttempts: number;
  lastError: string | null;
  runAt: Date;
  key: string | null;
  lockedAt: Date | null;
}

interface RawQueuedJob extends Omit<QueuedJob, 'runAt' | 'lockedAt'> {
  runAt: number;
  lockedAt: number | null;
}

/** Every job in the queue (oldest first), optionally of one task. */
export async function queuedJobs(db: Executor, task?: string): Promise<QueuedJob[]> {
  const { rows } = await db.execute(sql`
    SELECT j.id::text AS id, t.identifier AS task, j.payload, j.attempts::int AS attempts,
           j.max_attempts::int AS "maxAttempts", j.last_error AS "lastError", (extract(epoch FROM j.run_at) * 1000)::float8 AS "runAt",
           j.key, (extract(epoch FROM j.locked_at) * 1000)::float8 AS "lockedAt"
      FROM ${schema}._private_jobs j JOIN ${schema}._private_tasks t ON t.id = j.task_id
     WHERE ${task === undefined ? sql`true` : sql`t.identifier = ${task}`}
     ORDER BY j.id`);
  // Raw results skip drizzle's column mapping: instants come as epoch milliseconds.
  return (rows as unknown as RawQueuedJob[]).map((row) => ({
    ...row,
    runAt: new Date(Number(row.runAt)),
    lockedAt: row.lockedAt === null ? null : new Date(Number(row.lockedAt)),
  }));
}

/** Makes a job due now (as if its backoff had passed), without touching its attempts. */
export async function makeJobDue(db: Executor, id: string): Promise<void> {
  await db.execute(sql`UPDATE ${schema}._private_jobs SET run_at = now() WHERE id = ${id}::bigint`);
  await db.execute(sql`SELECT pg_notify('jobs:insert', '{"count":1}')`);
}

/**
 * Waits until the worker has recorded each of `identifiers` as a known crontab (a runner records
 * its schedule shortly after it starts, not before the app's `ready`), and returns every identifier
 * recorded. Fails after 10 s.
 */
export async function waitForCrontabs(db: Executor, identifiers: readonly string[]): Promise<string[]> {
  return waitFor(
    `the crontabs ${identifiers.join(', ')}`,
    async () => {
      const { rows } = await db.execute<{ identifier: string }>(
        sql`SELECT identifier FROM ${schema}._private_known_crontabs ORDER BY identifier`,
      );
      const recorded = rows.map((row) => row.identifier);
      return identifiers.every((identifier) => recorded.includes(identifier)) ? recorded : undefined;
    },
    { timeoutMs: 10_000 },
  );
}
