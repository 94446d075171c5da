import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../config.js';
import { DatabaseCommandError } from '../infrastructure/database/client/database-errors.js';
import { runCommand } from './run-command.js';

function timestamp(date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getUTCFullYear()}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}_${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}`;
}

await runCommand({ dir: { type: 'string', default: 'backups' } }, async ({ databaseUrl, args }) => {
  const dir = path.resolve(projectRoot, args.dir ?? 'backups');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `backup_${timestamp()}.sql`);
  // The password goes through the environment, not argv, so it does not show in `ps`.
  const url = new URL(databaseUrl);
  const password = decodeURIComponent(url.password);
  url.password = '';
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn('pg_dump', ['--no-owner', '--file', file, url.toString()], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, ...(password ? { PGPASSWORD: password } : {}) },
    });
    child.on('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'ENOENT'
          ? new DatabaseCommandError(
              'pg_dump was not found on PATH. Install the PostgreSQL client tools (Debian/Ubuntu: `apt-get install postgresql-client`; macOS: `brew install libpq`) in a version at least as new as the server, then run the command again.',
              'pg_dump_missing',
            )
          : error,
      ),
    );
    child.on('exit', (exitCode) => resolve(exitCode ?? 1));
  });
  if (code !== 0) {
    throw new DatabaseCommandError(
      `pg_dump exited with code ${code} (its message is above). A "server version mismatch" means the pg_dump on PATH is older than the server: install a newer client.`,
    );
  }
  console.log(`Backup written to ${path.relative(process.cwd(), file) || file}`);
  return 0;
});
