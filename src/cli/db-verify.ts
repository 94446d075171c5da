import { verifyDatabase } from '../infrastructure/database/migrations/verify-database.js';
import { runCommand } from './run-command.js';

await runCommand({}, async ({ databaseUrl }) => {
  const report = await verifyDatabase({ databaseUrl });
  const { drift, counts } = report;
  if (drift.length > 0) {
    console.error(
      `❌ Schema verification failed: ${drift.length} difference(s) between the database and the schema:`,
    );
    for (const { object, problem } of drift) console.error(`  - ${object} ${problem}`);
    console.error(
      'Apply pending migrations with `npm run db:migrate`; if the database was changed by hand, revert that change or capture it in a new migration (`npm run db:generate`).',
    );
    return 1;
  }
  console.log('✅ All verification checks passed!');
  console.log('The database migration was applied successfully.');
  console.log(
    `  ${counts.guideTables}/24 tables and ${counts.guideEnums}/16 enum types of the migration guide; in all ` +
      `${counts.tables} tables, ${counts.enums} enum types, ${counts.columns} columns, ${counts.primaryKeys} primary keys, ` +
      `${counts.foreignKeys} foreign keys, ${counts.indexes} indexes, ${counts.uniqueConstraints} unique constraints, ` +
      `${counts.checkConstraints} check constraints; job queue schema at revision ${report.jobQueueRevision}`,
  );
  return 0;
});
