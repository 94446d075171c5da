import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { projectRoot } from '../config.js';
import { completeNewMigrations } from '../infrastructure/database/migrations/migration-authoring.js';
import {
  DEFAULT_MIGRATIONS_DIR,
  readJournal,
} from '../infrastructure/database/migrations/migration-files.js';

/**
 * `drizzle-kit generate` (schema → SQL + snapshot + journal), then what it does not do:
 * the duplicate_object guard on enums and a rollback script for each new migration.
 * Extra arguments go to drizzle-kit (e.g. `npm run db:generate -- --name add_refresh_tokens`).
 * Needs no database: drizzle-kit diffs the TypeScript schema against the last snapshot.
 */
const drizzleKit = path.join(projectRoot, 'node_modules', '.bin', 'drizzle-kit');
const result = spawnSync(
  drizzleKit,
  ['generate', '--config', path.join(projectRoot, 'drizzle.config.ts'), ...process.argv.slice(2)],
  {
    cwd: projectRoot,
    stdio: 'inherit',
  },
);
if (result.error) {
  process.stderr.write(`Could not run drizzle-kit (${result.error.message}). Run \`npm install\` first.\n`);
  process.exit(1);
}
if (result.status !== 0) process.exit(result.status ?? 1);

try {
  const completed = await completeNewMigrations(
    DEFAULT_MIGRATIONS_DIR,
    readJournal(DEFAULT_MIGRATIONS_DIR).entries,
  );
  for (const migration of completed) {
    const guard = migration.guardedEnums ? 'enum creation guarded; ' : '';
    console.log(
      `${migration.tag}: ${guard}rollback script ${path.relative(projectRoot, migration.rollbackFile)}`,
    );
  }
} catch (error) {
  process.stderr.write(
    `drizzle-kit generated the migration, but finishing it failed: ${(error as Error).message}\n`,
  );
  process.exit(1);
}
