/**
 * The SQL of the jobs module, over graphile-worker's tables in the queue schema (pinned
 * graphile-worker 0.17.3: `_private_jobs`, `_private_tasks`, `_private_job_queues`). Reads only;
 * a retry goes through graphile-worker's own `reschedule_jobs`.
 */
import { type SQL, sql } from 'drizzle-orm';
import { JOB_QUEUE_SCHEMA } from '../../infrastructure/jobs/queue-schema.js';
import type { Executor } from '../../shared/transaction.js';

/** A job's id: graphile-worker's bigint, as a decimal string (at most 18 digits, so it always fits). */
export const JOB_ID_PATTERN = '^[1-9][0-9]{0,17}$';

export const JOB_STATES = ['queued', 'scheduled', 'running', 'failed'] as const;
export type JobState = (typeof JOB_STATES)[number];

/** Longest `lastError` shown. */
export const LAST_ERROR_MAX_LENGTH = 500;

/** A job as read here; timestamps are ISO 8601 UTC strings with milliseconds. */
export interface JobRow {
  id: string;
  task: string;
  state: JobState;
  attempts: number;
  maxAttempts: number;
  lastError: string | null;
  runAt: string;
  createdAt: string;
  updatedAt: string;
  payload: unknown;
  key: string | null;
  queueName: string | null;
  priority: number;
  lockedAt: string | null;
  lockedBy: string | null;
}

const schema = sql.raw(JOB_QUEUE_SCHEMA);

/** A job's state, as the API names it (JobStateSchema says what each means). */
const STATE = sql`CASE
    WHEN j.locked_at IS NOT NULL THEN 'running'
    WHEN j.attempts >= j.max_attempts THEN 'failed'
    WHEN j.run_at > now() THEN 'scheduled'
    ELSE 'queued'
  END`;

const STATE_CONDITION: Record<JobState, SQL> = {
  running: sql`j.locked_at IS NOT NULL`,
  failed: sql`j.locked_at IS NULL AND j.attempts >= j.max_attempts`,
  scheduled: sql`j.locked_at IS NULL AND j.attempts < j.max_attempts AND j.run_at > now()`,
  queued: sql`j.locked_at IS NULL AND j.attempts < j.max_attempts AND j.run_at <= now()`,
};

/** A timestamptz as the API prints it (raw query results bypass drizzle's column mapping). */
const iso = (column: string) =>
  sql.raw(`to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);

const COLUMNS = sql`j.id::text AS id, t.identifier AS task, ${STATE} AS state, j.attempts::int AS attempts,
  j.max_attempts::int AS "maxAttempts", j.last_error AS "lastError", ${iso('j.run_at')} AS "runAt",
  ${iso('j.created_at')} AS "createdAt", ${iso('j.updated_at')} AS "updatedAt", j.payload, j.key,
  q.queue_name AS "queueName", j.priority::int AS priority, ${iso('j.locked_at')} AS "lockedAt",
  j.locked_by AS "lockedBy"`;

const FROM = sql`${schema}._private_jobs AS j
  JOIN ${schema}._private_tasks AS t ON t.id = j.task_id
  LEFT JOIN ${schema}._private_job_queues AS q ON q.id = j.job_queue_id`;

function rowsOf(result: { rows: unknown[] }): JobRow[] {
  return result.rows as JobRow[];
}

export interface JobListFilter {
  limit: number;
  state?: JobState;
  task?: string;
  /** Only jobs with a smaller id (the cursor: the last id of the previous page). */
  beforeId?: string;
}

/** Newest first (by id), `limit` rows. */
export async function selectJobs(db: Executor, filter: JobListFilter): Promise<JobRow[]> {
  const conditions: SQL[] = [];
  if (filter.state) conditions.push(STATE_CONDITION[filter.state]);
  if (filter.task !== undefined) conditions.push(sql`t.identifier = ${filter.task}`);
  if (filter.beforeId !== undefined) conditions.push(sql`j.id < ${filter.beforeId}::bigint`);
  const where = conditions.length > 0 ? sql`WHERE ${sql.join(conditions, sql` AND `)}` : sql``;
  return rowsOf(
    await db.execute(sql`SELECT ${COLUMNS} FROM ${FROM} ${where} ORDER BY j.id DESC LIMIT ${filter.limit}`),
  );
}

/** One job; `forUpdate` locks its row for the rest of the transaction. */
export async function selectJob(db: Executor, id: string, forUpdate = false): Promise<JobRow | undefined> {
  const lock = forUpdate ? sql`FOR UPDATE OF j` : sql``;
  return rowsOf(await db.execute(sql`SELECT ${COLUMNS} FROM ${FROM} WHERE j.id = ${id}::bigint ${lock}`))[0];
}

/** Due now with no attempts made (graphile-worker's `reschedule_jobs`), and workers told at once. */
export async function rescheduleNow(db: Executor, id: string): Promise<void> {
  await db.execute(
    sql`SELECT 1 FROM ${schema}.reschedule_jobs(ARRAY[${id}::bigint], run_at := now(), attempts := 0)`,
  );
  await db.execute(sql`SELECT pg_notify('jobs:insert', json_build_object('r', random(), 'count', 1)::text)`);
}
