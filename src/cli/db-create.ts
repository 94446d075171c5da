import { escapeIdentifier } from 'pg';
import { DatabaseCommandError } from '../infrastructure/database/client/database-errors.js';
import { connectClient } from '../infrastructure/database/migrations/migrator.js';
import { runCommand } from './run-command.js';

await runCommand({}, async ({ databaseUrl }) => {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!name)
    throw new DatabaseCommandError(
      'DATABASE_URL names no database (expected …/learning_platform at the end).',
    );
  // CREATE DATABASE must be issued from another database on the same server.
  url.pathname = '/postgres';
  const client = await connectClient(url.toString(), 'learning-platform:create');
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount) {
      console.log(`Database "${name}" already exists.`);
      return 0;
    }
    await client.query(`CREATE DATABASE ${escapeIdentifier(name)}`);
    console.log(`Created database "${name}". Next: npm run db:migrate`);
    return 0;
  } finally {
    await client.end();
  }
});
