import { JOB_QUEUE_SCHEMA, jobQueueSchemaProblem, readJobQueueSchema } from '../../jobs/queue-schema.js';
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

/**
 * The live schema against the newest snapshot, plus any migration the database has not recorded,
 * plus the job queue's schema (graphile-worker's, checked by its revision: its objects are its own).
 */
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
    const queue = await readJobQueueSchema(client);
    const problem = jobQueueSchemaProblem(queue);
    if (problem) {
      report.drift.push({
        object: `job queue schema ${JOB_QUEUE_SCHEMA}`,
        problem: `${problem} (run \`npm run db:migrate\`)`,
      });
    }
    report.jobQueueRevision = queue.revision;
    return report;
  } finally {
    await client.end().catch(() => {});
  }
}
