import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../../config.js';
import { DatabaseCommandError, describeDatabaseError } from '../client/database-errors.js';
import { DEFAULT_MIGRATIONS_DIR, readMigrationFiles } from './migration-files.js';
import {
  planMigrations,
  readAppliedMigrations,
  TRACKING_TABLE_SQL,
  trackingTableExists,
} from './migration-tracking.js';
import { connectClient, type MigrationOptions, withMigrationLock } from './migrator.js';

export interface RollbackOptions extends MigrationOptions {
  /** Keep migrations up to and including this index; undefined reverts only the newest one; -1 reverts all. */
  toIndex?: number;
}

/**
 * Runs the rollback scripts of applied migrations, newest first. Each script removes its own
 * tracking row (so it also works through psql); the row is deleted here too in case a
 * hand-written script forgot.
 */
export async function runRollback(options: RollbackOptions): Promise<string[]> {
  const { databaseUrl, log = () => {} } = options;
  const files = readMigrationFiles(options.migrationsDir ?? DEFAULT_MIGRATIONS_DIR);
  const client = await connectClient(databaseUrl, 'learning-platform:rollback');
  try {
    return await withMigrationLock(client, databaseUrl, options.lockTimeoutMs ?? 60_000, async () => {
      const { applied } = planMigrations(files, await readAppliedMigrations(client));
      const newestFirst = applied.map((a) => a.file!).sort((a, b) => b.index - a.index);
      const keep = options.toIndex ?? (newestFirst[0] ? newestFirst[0].index - 1 : -1);
      const reverted: string[] = [];
      for (const migration of newestFirst.filter((m) => m.index > keep)) {
        if (!existsSync(migration.rollbackFile)) {
          throw new DatabaseCommandError(
            `No rollback script for ${migration.tag}: expected ${path.relative(projectRoot, migration.rollbackFile)}. Write one that reverts only this migration and deletes its row from ${TRACKING_TABLE_SQL}, then run the command again.`,
            'rollback_missing',
          );
        }
        const script = readFileSync(migration.rollbackFile, 'utf8');
        try {
          await client.query(script);
          if (await trackingTableExists(client)) {
            await client.query(`DELETE FROM ${TRACKING_TABLE_SQL} WHERE created_at = $1`, [
              migration.createdAt,
            ]);
          }
        } catch (error) {
          // A script with its own BEGIN leaves an aborted transaction open on failure.
          await client.query('ROLLBACK').catch(() => {});
          throw describeDatabaseError(error, databaseUrl, `running ${path.basename(migration.rollbackFile)}`);
        }
        reverted.push(migration.tag);
        log(`  reverted ${migration.tag}`);
      }
      return reverted;
    });
  } finally {
    await client.end().catch(() => {});
  }
}
