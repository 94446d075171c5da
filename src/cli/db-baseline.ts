import { baselineDatabase } from '../infrastructure/database/migrations/baseline.js';
import { runCommand } from './run-command.js';

await runCommand({}, async ({ config, databaseUrl }) => {
  console.log('Checking the schema before recording migrations as applied...');
  const recorded = await baselineDatabase({ databaseUrl, lockTimeoutMs: config.migrationLockTimeoutMs });
  if (recorded.length === 0) console.log('Nothing to baseline: every migration is already recorded.');
  for (const tag of recorded) console.log(`  recorded ${tag} as applied`);
  console.log('Baseline completed successfully');
  return 0;
});
