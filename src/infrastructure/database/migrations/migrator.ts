import { hostname, userInfo } from 'node:os';
import pg from 'pg';
import {
  JOB_QUEUE_SCHEMA,
  type JobQueueMigrationResult,
  type JobQueueSchemaState,
  migrateJobQueue,
  readJobQueueSchema,
} from '../../jobs/queue-schema.js';
import { describeDatabaseError } from '../client/database-errors.js';
import { DEFAULT_MIGRATIONS_DIR, type MigrationFile, readMigrationFiles } from './migration-files.js';
import {
  type AppliedMigrationRow,
  ensureTrackingTable,
  planMigrations,
  readAppliedMigrations,
  recordApplied,
} from './migration-tracking.js';

/**
 * One fixed advisory-lock key for every process that changes the schema (migrate, rollback, baseline).
 * Session-level, on a dedicated connection: a transaction-level lock would be released between migrations.
 */
export const MIGRATION_LOCK_KEY = 7_318_004_211;

export interface MigrationOptions {
  databaseUrl: string;
  migrationsDir?: string;
  /** How long to wait for another migrator's lock; 0 waits forever. */
  lockTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface AppliedMigration {
  tag: string;
  durationMs: number;
}

export interface MigrationRunResult {
  applied: AppliedMigration[];
  alreadyApplied: number;
  /** The job queue's schema (graphile-worker's own migrator, run after this project's migrations). */
  jobQueue: JobQueueMigrationResult;
}

/** `npm start`'s summary line of a migration run. */
export function describeMigrationRun(result: MigrationRunResult): string {
  const queue = result.jobQueue.changed ? `the job queue schema (revision ${result.jobQueue.to})` : undefined;
  if (result.applied.length === 0) return queue ? `Migrations: applied ${queue}` : 'Migrations: up to date';
  const tags = `${result.applied.length} (${result.applied.map((m) => m.tag).join(', ')})`;
  return `Migrations: applied ${tags}${queue ? ` and ${queue}` : ''}`;
}

export function osUserLabel(): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry for this uid (some containers)
  }
  return `${user}@${hostname()}`;
}

/** Connects one dedicated client, translating connection failures into the operator paragraph. */
export async function connectClient(databaseUrl: string, applicationName: string): Promise<pg.Client> {
  const client = new pg.Client({
    connectionString: databaseUrl,
    application_name: applicationName,
    connectionTimeoutMillis: 10_000,
  });
  client.on('error', () => {}); // reported through the failing query instead
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => {});
    throw describeDatabaseError(error, databaseUrl, 'connecting');
  }
  return client;
}

/**
 * Runs `work` while holding the migration advisory lock on `client`. Other migrators wait
 * (up to `lockTimeoutMs`), then find nothing left to do.
 */
export async function withMigrationLock<T>(
  client: pg.Client,
  databaseUrl: string,
  lockTimeoutMs: number,
  work: () => Promise<T>,
): Promise<T> {
  try {
    await client.query(`SET lock_timeout = ${Math.max(0, Math.floor(lockTimeoutMs))}`);
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query('SET lock_timeout = 0');
  } catch (error) {
    throw describeDatabaseError(error, databaseUrl, 'waiting for the migration lock');
  }
  try {
    return await work();
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => {});
  }
}

async function applyOne(client: pg.Client, migration: MigrationFile, osUser: string): Promise<number> {
  const started = performance.now();
  if (migration.transactional) {
    // The whole file goes as one simple-protocol query: drizzle's breakpoints are SQL comments,
    // so this is the same SQL in one round trip instead of one per statement.
    await client.query('BEGIN');
    try {
      await client.query(migration.sql);
      await recordApplied(client, migration, osUser, Math.round(performance.now() - started));
      await client.query('COMMIT');
    } catch (error) {
      // Stryker disable next-line StringLiteral: equivalent, every caller ends this connection right after the error, and PostgreSQL rolls the open transaction back then
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    }
  } else {
    for (const statement of migration.statements) await client.query(statement);
    await recordApplied(client, migration, osUser, Math.round(performance.now() - started));
  }
  return Math.round(performance.now() - started);
}

/**
 * Applies every pending migration, each in its own transaction together with its tracking row, then
 * installs or upgrades the job queue's schema (graphile_worker) with graphile-worker's migrator, all
 * under the migration lock. This is the only code that creates the queue schema (`db:migrate`, and
 * `npm start` when MIGRATE_ON_START).
 */
export async function runMigrations(options: MigrationOptions): Promise<MigrationRunResult> {
  const { databaseUrl, log = () => {} } = options;
  const files = readMigrationFiles(options.migrationsDir ?? DEFAULT_MIGRATIONS_DIR);
  const client = await connectClient(databaseUrl, 'learning-platform:migrate');
  try {
    return await withMigrationLock(client, databaseUrl, options.lockTimeoutMs ?? 60_000, async () => {
      let rows: AppliedMigrationRow[];
      try {
        await ensureTrackingTable(client);
        rows = await readAppliedMigrations(client);
      } catch (error) {
        throw describeDatabaseError(error, databaseUrl, 'preparing the migration tracking table');
      }
      const { pending, applied } = planMigrations(files, rows);
      const osUser = osUserLabel();
      const done: AppliedMigration[] = [];
      for (const migration of pending) {
        try {
          const durationMs = await applyOne(client, migration, osUser);
          done.push({ tag: migration.tag, durationMs });
          log(`  applied ${migration.tag} (${durationMs} ms)`);
        } catch (error) {
          throw describeDatabaseError(error, databaseUrl, `applying migration ${migration.fileName}`);
        }
      }
      let jobQueue: JobQueueMigrationResult;
      try {
        jobQueue = await migrateJobQueue(databaseUrl);
      } catch (error) {
        throw describeDatabaseError(
          error,
          databaseUrl,
          `installing the job queue schema (${JOB_QUEUE_SCHEMA})`,
        );
      }
      if (jobQueue.changed) {
        const from = jobQueue.from === null ? '' : ` from revision ${jobQueue.from}`;
        log(
          `  applied job queue schema ${JOB_QUEUE_SCHEMA} revision ${jobQueue.to}${from} (${jobQueue.durationMs} ms)`,
        );
      }
      return { applied: done, alreadyApplied: applied.length, jobQueue };
    });
  } finally {
    await client.end().catch(() => {});
  }
}

export interface MigrationStatus {
  applied: { tag: string; row: AppliedMigrationRow }[];
  pending: MigrationFile[];
  jobQueue: JobQueueSchemaState;
}

/** Read-only: what is applied (with its audit trail) and what is pending. Validates like a migrate would. */
export async function readMigrationStatus(options: Omit<MigrationOptions, 'log'>): Promise<MigrationStatus> {
  const files = readMigrationFiles(options.migrationsDir ?? DEFAULT_MIGRATIONS_DIR);
  const client = await connectClient(options.databaseUrl, 'learning-platform:status');
  try {
    const rows = await readAppliedMigrations(client).catch((error) => {
      throw describeDatabaseError(error, options.databaseUrl, 'reading the migration tracking table');
    });
    const plan = planMigrations(files, rows);
    const jobQueue = await readJobQueueSchema(client).catch((error) => {
      throw describeDatabaseError(
        error,
        options.databaseUrl,
        `reading the job queue schema (${JOB_QUEUE_SCHEMA})`,
      );
    });
    return {
      jobQueue,
      applied: plan.applied.map(({ row, file }) => ({
        tag: file?.tag ?? row.tag ?? String(row.createdAt),
        row,
      })),
      pending: plan.pending,
    };
  } finally {
    await client.end().catch(() => {});
  }
}
