import { readMigrationStatus } from '../infrastructure/database/migrations/migrator.js';
import { JOB_QUEUE_SCHEMA, jobQueueSchemaProblem } from '../infrastructure/jobs/queue-schema.js';
import { runCommand } from './run-command.js';

await runCommand({}, async ({ databaseUrl }) => {
  const { applied, pending, jobQueue } = await readMigrationStatus({ databaseUrl });
  console.log(`Applied (${applied.length}):`);
  for (const { tag, row } of applied) {
    const when = row.appliedAt ? row.appliedAt.toISOString() : 'unknown time';
    const who = [
      row.appliedByDbUser && `db user ${row.appliedByDbUser}`,
      row.appliedByOsUser && `os user ${row.appliedByOsUser}`,
    ]
      .filter(Boolean)
      .join(', ');
    const took = row.durationMs === null ? '' : `, ${row.durationMs} ms`;
    console.log(`  ✓ ${tag}  ${when}  ${who || 'applied by drizzle-kit'}${took}`);
  }
  console.log(`Pending (${pending.length}):`);
  for (const migration of pending) {
    console.log(`  • ${migration.tag}${migration.transactional ? '' : '  (no-transaction)'}`);
  }
  const problem = jobQueueSchemaProblem(jobQueue);
  console.log(
    problem
      ? `Job queue schema (${JOB_QUEUE_SCHEMA}): ${problem}; \`npm run db:migrate\` installs it`
      : `Job queue schema (${JOB_QUEUE_SCHEMA}): revision ${jobQueue.revision}, up to date`,
  );
  return 0;
});
