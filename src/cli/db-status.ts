import { readMigrationStatus } from '../infrastructure/database/migrations/migrator.js';
import { runCommand } from './run-command.js';

await runCommand({}, async ({ databaseUrl }) => {
  const { applied, pending } = await readMigrationStatus({ databaseUrl });
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
  return 0;
});
