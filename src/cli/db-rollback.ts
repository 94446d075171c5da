import { readMigrationFiles } from '../infrastructure/database/migrations/migration-files.js';
import { runRollback } from '../infrastructure/database/migrations/rollback.js';
import { runCommand } from './run-command.js';

await runCommand(
  {
    yes: { type: 'boolean', default: false },
    to: { type: 'string' },
    all: { type: 'boolean', default: false },
  },
  async ({ config, databaseUrl, args }) => {
    let toIndex: number | undefined;
    if (args.all) toIndex = -1;
    else if (args.to !== undefined) {
      const match = readMigrationFiles().find((m) => m.tag.startsWith(args.to!.padStart(4, '0')));
      if (!/^\d{1,4}$/.test(args.to) || !match) {
        console.error(
          `--to takes the number of a migration to keep (for example --to 0001); "${args.to}" is not one.`,
        );
        return 1;
      }
      toIndex = match.index;
    }
    if (!args.yes) {
      console.error(
        'db:rollback deletes data: it drops what the reverted migrations created. Back up first (`npm run db:backup`), then run it again with --yes. Without --to it reverts the newest migration; --to 0001 keeps 0000-0001; --all empties the database.',
      );
      return 1;
    }
    console.log('Rolling back migrations...');
    const reverted = await runRollback({
      databaseUrl,
      toIndex,
      lockTimeoutMs: config.migrationLockTimeoutMs,
      log: (line) => console.log(line),
    });
    console.log(
      reverted.length === 0 ? 'Nothing to roll back.' : `Rolled back ${reverted.length} migration(s).`,
    );
    return 0;
  },
);
