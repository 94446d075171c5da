import type pg from 'pg';
import { DatabaseCommandError } from '../client/database-errors.js';
import type { MigrationFile } from './migration-files.js';

/** drizzle-kit's own tracking table: keeping it means `drizzle-kit migrate` and ours agree. */
export const TRACKING_SCHEMA = 'drizzle';
export const TRACKING_TABLE = '__drizzle_migrations';
export const TRACKING_TABLE_SQL = `"${TRACKING_SCHEMA}"."${TRACKING_TABLE}"`;

export interface AppliedMigrationRow {
  id: number;
  hash: string;
  createdAt: number;
  tag: string | null;
  appliedAt: Date | null;
  appliedByDbUser: string | null;
  appliedByOsUser: string | null;
  durationMs: number | null;
}

/**
 * drizzle-kit creates (id, hash, created_at) and inserts only those two columns, so the audit
 * columns are nullable with defaults: rows written by `drizzle-kit migrate` still get a time and user.
 */
export async function ensureTrackingTable(client: pg.ClientBase): Promise<void> {
  await client.query(`
    CREATE SCHEMA IF NOT EXISTS "${TRACKING_SCHEMA}";
    CREATE TABLE IF NOT EXISTS ${TRACKING_TABLE_SQL} (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint);
    ALTER TABLE ${TRACKING_TABLE_SQL}
      ADD COLUMN IF NOT EXISTS tag text,
      ADD COLUMN IF NOT EXISTS applied_at timestamptz DEFAULT now(),
      ADD COLUMN IF NOT EXISTS applied_by_db_user text DEFAULT current_user,
      ADD COLUMN IF NOT EXISTS applied_by_os_user text,
      ADD COLUMN IF NOT EXISTS duration_ms integer;
  `);
}

export async function trackingTableExists(client: pg.ClientBase): Promise<boolean> {
  const { rows } = await client.query<{ exists: boolean }>('SELECT to_regclass($1) IS NOT NULL AS exists', [
    `${TRACKING_SCHEMA}.${TRACKING_TABLE}`,
  ]);
  return rows[0]?.exists ?? false;
}

/** Reads the tracking rows; works on a table drizzle-kit created without our audit columns. */
export async function readAppliedMigrations(client: pg.ClientBase): Promise<AppliedMigrationRow[]> {
  if (!(await trackingTableExists(client))) return [];
  const { rows: columns } = await client.query<{ column_name: string }>(
    'SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2',
    [TRACKING_SCHEMA, TRACKING_TABLE],
  );
  const has = new Set(columns.map((c) => c.column_name));
  const pick = (name: string) => (has.has(name) ? name : `NULL AS ${name}`);
  const { rows } = await client.query(
    `SELECT id, hash, created_at, ${pick('tag')}, ${pick('applied_at')}, ${pick('applied_by_db_user')},
            ${pick('applied_by_os_user')}, ${pick('duration_ms')}
       FROM ${TRACKING_TABLE_SQL} ORDER BY created_at, id`,
  );
  return rows.map((row) => ({
    id: Number(row.id),
    hash: String(row.hash),
    createdAt: Number(row.created_at),
    tag: row.tag ?? null,
    appliedAt: row.applied_at ?? null,
    appliedByDbUser: row.applied_by_db_user ?? null,
    appliedByOsUser: row.applied_by_os_user ?? null,
    durationMs: row.duration_ms ?? null,
  }));
}

export async function recordApplied(
  client: pg.ClientBase,
  migration: MigrationFile,
  osUser: string,
  durationMs: number,
): Promise<void> {
  await client.query(
    `INSERT INTO ${TRACKING_TABLE_SQL} (hash, created_at, tag, applied_by_os_user, duration_ms) VALUES ($1, $2, $3, $4, $5)`,
    [migration.hash, migration.createdAt, migration.tag, osUser, durationMs],
  );
}

export interface MigrationPlan {
  applied: { file: MigrationFile | undefined; row: AppliedMigrationRow }[];
  pending: MigrationFile[];
}

/**
 * Matches tracking rows to files (by drizzle's key, the journal `when`) and refuses the two states
 * drizzle's migrator passes over in silence: an applied file that changed, and a gap in the order.
 */
export function planMigrations(files: MigrationFile[], rows: AppliedMigrationRow[]): MigrationPlan {
  const byCreatedAt = new Map(files.map((file) => [file.createdAt, file]));
  const appliedKeys = new Set(rows.map((row) => row.createdAt));
  const applied = rows.map((row) => ({ row, file: byCreatedAt.get(row.createdAt) }));

  for (const { row, file } of applied) {
    if (!file) {
      throw new DatabaseCommandError(
        `The database records an applied migration${row.tag ? ` ${row.tag}` : ''} (created_at ${row.createdAt}) that migrations/meta/_journal.json does not list. The database is ahead of this code: deploy the code that contains that migration, or revert it with its rollback script.`,
        'unknown_applied_migration',
      );
    }
    if (file.hash !== row.hash) {
      throw new DatabaseCommandError(
        `Checksum mismatch: migrations/${file.fileName} was changed after it was applied to this database (recorded sha256 ${row.hash.slice(0, 12)}…, file now ${file.hash.slice(0, 12)}…). Applied migrations are immutable: restore the file from version control (git checkout -- migrations/${file.fileName}) and put the change in a new migration with \`npm run db:generate\`.`,
        'checksum_mismatch',
      );
    }
  }

  const newestApplied = Math.max(-Infinity, ...rows.map((row) => row.createdAt));
  const pending = files.filter((file) => !appliedKeys.has(file.createdAt));
  // Stryker disable next-line EqualityOperator: equivalent, a pending file never has the createdAt of an applied row (it would be applied), so `<=` finds the same files
  const outOfOrder = pending.find((file) => file.createdAt < newestApplied);
  if (outOfOrder) {
    throw new DatabaseCommandError(
      `Out-of-order migration: migrations/${outOfOrder.fileName} was never applied, but a newer migration already was. drizzle would skip it silently. Regenerate it after the newest migration (move the schema change into a new \`npm run db:generate\`), or, if it is safe, roll back the newer migrations with \`npm run db:rollback\` and migrate again.`,
      'out_of_order',
    );
  }
  return { applied, pending };
}
