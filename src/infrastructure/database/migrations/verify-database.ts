import { describeDatabaseError } from '../client/database-errors.js';
import { DEFAULT_MIGRATIONS_DIR, readMigrationFiles } from './migration-files.js';
import { planMigrations, readAppliedMigrations } from './migration-tracking.js';
import { connectClient } from './migrator.js';
import { type VerificationReport, verifySchema } from './schema-verifier.js';
import { readLatestSnapshot } from './snapshot.js';

export interface VerifyOptions {
  databaseUrl: string;
  migrationsDir?: string;
}

/** The live schema against the newest snapshot, plus any migration the database has not recorded. */
export async function verifyDatabase(options: VerifyOptions): Promise<VerificationReport> {
  const migrationsDir = options.migrationsDir ?? DEFAULT_MIGRATIONS_DIR;
  const snapshot = readLatestSnapshot(migrationsDir);
  const files = readMigrationFiles(migrationsDir);
  const client = await connectClient(options.databaseUrl, 'learning-platform:verify');
  try {
    const report = await verifySchema(client, snapshot).catch((error) => {
      throw describeDatabaseError(error, options.databaseUrl, 'reading the schema catalog');
    });
    const { pending } = planMigrations(files, await readAppliedMigrations(client));
    for (const migration of pending) {
      report.drift.push({
        object: `migration ${migration.tag}`,
        problem: 'is not recorded as applied (run `npm run db:migrate`)',
      });
    }
    return report;
  } finally {
    await client.end().catch(() => {});
  }
}
