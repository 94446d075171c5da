/**
 * `db:migrate` for a fixture migrations folder, in its own process so that a test can kill it with
 * SIGKILL mid-run. Same migrator and output lines as the CLI (`npm run db:migrate`), which always
 * reads the project's migrations/ folder. Usage: MIGRATE_DATABASE_URL=... run-migrator.ts <dir>
 */
import { runMigrations } from '../../../src/infrastructure/database/migrations/migrator.js';

const databaseUrl = process.env.MIGRATE_DATABASE_URL;
const migrationsDir = process.argv[2];
if (!databaseUrl || !migrationsDir) {
  process.stderr.write('usage: MIGRATE_DATABASE_URL=<url> run-migrator.ts <migrations dir>\n');
  process.exit(2);
}
try {
  const result = await runMigrations({
    databaseUrl,
    migrationsDir,
    lockTimeoutMs: 60_000,
    log: (line) => process.stdout.write(`${line}\n`),
  });
  process.stdout.write(`done: applied ${result.applied.length}, already ${result.alreadyApplied}\n`);
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
