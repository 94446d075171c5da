/**
 * The job queue's schema: graphile-worker's own tables and functions in the `graphile_worker`
 * schema, installed and upgraded by graphile-worker's migrator, which `db:migrate` (and
 * MIGRATE_ON_START) call after this project's migrations. Nothing else creates it: a worker or an
 * API instance that finds it missing or older than this version of graphile-worker expects refuses
 * to start and says to run `npm run db:migrate`. `migrations/rollback/0000_rollback.sql` drops it.
 */
import { Logger, runMigrations as runGraphileMigrations } from 'graphile-worker';
import pg from 'pg';

/** Where graphile-worker keeps everything (its default, named here so SQL and docs agree). */
export const JOB_QUEUE_SCHEMA = 'graphile_worker';

/**
 * The schema revision graphile-worker 0.17.3 installs (its migrations 000001–000019). A test checks
 * it against the package's own migration files, so an upgrade that adds one updates this number.
 */
export const JOB_QUEUE_SCHEMA_REVISION = 19;

/** graphile-worker's own log lines from its migrator are not wanted on a terminal. */
export const silentGraphileLogger = new Logger(() => () => {});

export interface JobQueueSchemaState {
  /** The newest applied revision; null when the schema is not installed. */
  revision: number | null;
  expected: number;
}

/** The queue schema's revision, read through any client or pool (no write). */
export async function readJobQueueSchema(client: Pick<pg.ClientBase, 'query'>): Promise<JobQueueSchemaState> {
  const { rows } = await client.query<{ installed: string | null }>(
    `SELECT to_regclass('${JOB_QUEUE_SCHEMA}.migrations')::text AS installed`,
  );
  if (rows[0]?.installed == null) return { revision: null, expected: JOB_QUEUE_SCHEMA_REVISION };
  const revision = await client.query<{ id: number | null }>(
    `SELECT max(id)::int AS id FROM ${JOB_QUEUE_SCHEMA}.migrations`,
  );
  return { revision: revision.rows[0]?.id ?? null, expected: JOB_QUEUE_SCHEMA_REVISION };
}

/** What is wrong with the queue schema for this version, or undefined when it is ready. */
export function jobQueueSchemaProblem(state: JobQueueSchemaState): string | undefined {
  if (state.revision === null) return 'is missing';
  if (state.revision < state.expected) return `is at revision ${state.revision}, expected ${state.expected}`;
  return undefined;
}

export class JobQueueSchemaError extends Error {
  override name = 'JobQueueSchemaError';
}

/** Throws the operator's explanation unless the queue schema is installed and current. */
export async function assertJobQueueSchema(client: Pick<pg.ClientBase, 'query'>): Promise<void> {
  const problem = jobQueueSchemaProblem(await readJobQueueSchema(client));
  if (problem) {
    throw new JobQueueSchemaError(
      `Error: the job queue's schema (${JOB_QUEUE_SCHEMA}) ${problem}. Run \`npm run db:migrate\` against this database (it installs and upgrades the queue with the other migrations), then start again.`,
    );
  }
}

export interface JobQueueMigrationResult {
  /** The revision before; null when the schema was not installed. */
  from: number | null;
  to: number;
  /** Whether anything was installed or upgraded. */
  changed: boolean;
  durationMs: number;
}

/**
 * Installs or upgrades the queue schema with graphile-worker's migrator (each of its migrations in
 * its own transaction, safe against concurrent runs), on a connection of its own.
 */
export async function migrateJobQueue(databaseUrl: string): Promise<JobQueueMigrationResult> {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: 1,
    application_name: 'learning-platform:migrate-queue',
  });
  // graphile-worker warns on the console about a pool without these listeners.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  const started = performance.now();
  try {
    const before = await readJobQueueSchema(pool);
    if (before.revision !== null && before.revision >= JOB_QUEUE_SCHEMA_REVISION) {
      return { from: before.revision, to: before.revision, changed: false, durationMs: 0 };
    }
    await runGraphileMigrations({ pgPool: pool, logger: silentGraphileLogger });
    const after = await readJobQueueSchema(pool);
    return {
      from: before.revision,
      to: after.revision ?? JOB_QUEUE_SCHEMA_REVISION,
      changed: true,
      durationMs: Math.round(performance.now() - started),
    };
  } finally {
    await pool.end().catch(() => {});
  }
}
