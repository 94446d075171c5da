import { DatabaseCommandError } from '../client/database-errors.js';
import { DEFAULT_MIGRATIONS_DIR, readMigrationFiles } from './migration-files.js';
import {
  ensureTrackingTable,
  planMigrations,
  readAppliedMigrations,
  recordApplied,
} from './migration-tracking.js';
import { connectClient, type MigrationOptions, osUserLabel, withMigrationLock } from './migrator.js';
import { verifySchema } from './schema-verifier.js';
import { readLatestSnapshot } from './snapshot.js';

/**
 * Records every migration as applied on a database whose schema was built some other way
 * (restored dump, `drizzle-kit push`), but only after checking that the schema is exactly ours.
 */
export async function baselineDatabase(options: MigrationOptions): Promise<string[]> {
  const migrationsDir = options.migrationsDir ?? DEFAULT_MIGRATIONS_DIR;
  const files = readMigrationFiles(migrationsDir);
  const snapshot = readLatestSnapshot(migrationsDir);
  const client = await connectClient(options.databaseUrl, 'learning-platform:baseline');
  try {
    return await withMigrationLock(client, options.databaseUrl, options.lockTimeoutMs ?? 60_000, async () => {
      const { drift } = await verifySchema(client, snapshot);
      if (drift.length > 0) {
        const sample = drift
          .slice(0, 5)
          .map((d) => `${d.object} ${d.problem}`)
          .join('; ');
        throw new DatabaseCommandError(
          `Refusing to baseline: the database schema differs from the migrations in ${drift.length} place(s): ${sample}${drift.length > 5 ? '; …' : ''}. Run \`npm run db:verify\` for the full list; fix the schema or empty the database and run \`npm run db:migrate\` instead.`,
          'baseline_drift',
        );
      }
      await ensureTrackingTable(client);
      const { pending } = planMigrations(files, await readAppliedMigrations(client));
      await client.query('BEGIN');
      try {
        for (const migration of pending) await recordApplied(client, migration, osUserLabel(), 0);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      }
      return pending.map((m) => m.tag);
    });
  } finally {
    await client.end().catch(() => {});
  }
}
