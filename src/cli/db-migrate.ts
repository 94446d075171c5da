import { readMigrationStatus, runMigrations } from '../infrastructure/database/migrations/migrator.js';
import {
  JOB_QUEUE_SCHEMA,
  JOB_QUEUE_SCHEMA_REVISION,
  jobQueueSchemaProblem,
} from '../infrastructure/jobs/queue-schema.js';
import { runCommand } from './run-command.js';

await runCommand(
  { 'dry-run': { type: 'boolean', default: false } },
  async ({ config, databaseUrl, args }) => {
    if (args['dry-run']) {
      const { pending, jobQueue } = await readMigrationStatus({ databaseUrl });
      console.log(`Dry run: ${pending.length} pending migration(s); nothing is applied.`);
      for (const migration of pending) {
        const mode = migration.transactional
          ? 'in one transaction'
          : 'statement by statement, no transaction';
        console.log(`\n-- ${migration.fileName} (${mode})\n${migration.sql.trimEnd()}`);
      }
      const queueProblem = jobQueueSchemaProblem(jobQueue);
      if (queueProblem) {
        console.log(
          `\n-- job queue schema ${JOB_QUEUE_SCHEMA} ${queueProblem}: graphile-worker's migrator would bring it to revision ${JOB_QUEUE_SCHEMA_REVISION}`,
        );
      }
      return 0;
    }
    console.log('Running migrations...');
    const result = await runMigrations({
      databaseUrl,
      lockTimeoutMs: config.migrationLockTimeoutMs,
      log: (line) => console.log(line),
    });
    if (result.applied.length === 0 && !result.jobQueue.changed) {
      console.log(`  nothing to apply (${result.alreadyApplied} migration(s) already applied)`);
    }
    console.log('Migrations completed successfully');
    return 0;
  },
);
