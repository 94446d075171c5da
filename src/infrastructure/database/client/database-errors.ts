import { errorChain } from '../../../shared/database-violations.js';

/**
 * An error meant for a person at a terminal: one paragraph saying what went wrong and how to fix it.
 * The CLIs and `npm start` print only its message and exit non-zero.
 */
export class DatabaseCommandError extends Error {
  override name = 'DatabaseCommandError';
  constructor(
    message: string,
    readonly code = 'database_command_failed',
  ) {
    super(message);
  }
}

interface PgLikeError {
  code?: string;
  message?: string;
  errno?: number;
  address?: string;
  port?: number;
  hostname?: string;
  table?: string;
}

/** Hides the password in a connection string before it is printed. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '****';
    return parsed.toString();
  } catch {
    return '(an unparseable DATABASE_URL)';
  }
}

function target(url: string): { host: string; port: string; database: string } {
  try {
    const parsed = new URL(url);
    return {
      host: parsed.hostname || 'localhost',
      port: parsed.port || '5432',
      database: decodeURIComponent(parsed.pathname.replace(/^\//, '')) || 'postgres',
    };
  } catch {
    return { host: 'localhost', port: '5432', database: 'learning_platform' };
  }
}

function causes(error: unknown): PgLikeError[] {
  // AggregateError (several addresses refused) and drizzle's wrapped errors keep the real one inside.
  return [...errorChain(error)] as PgLikeError[];
}

/**
 * Translates a connection or SQL error into the one-paragraph explanation with its fix.
 * `context` names what was being done ("applying migration 0003_x.sql").
 */
export function describeDatabaseError(error: unknown, url: string, context?: string): DatabaseCommandError {
  if (error instanceof DatabaseCommandError) return error;
  const { host, port, database } = target(url);
  const all = causes(error);
  const has = (code: string) => all.find((e) => e.code === code);
  const during = context ? ` while ${context}` : '';

  if (has('ECONNREFUSED')) {
    return new DatabaseCommandError(
      `Error: connect ECONNREFUSED ${host}:${port}. Nothing is accepting PostgreSQL connections at ${host}:${port}. Start the database (\`npm run docker:up\`, or check it with \`pg_isready -h ${host} -p ${port}\`), make sure DATABASE_URL in .env points at it, or unset DATABASE_URL to use the embedded PostgreSQL.`,
      'connection_refused',
    );
  }
  if (has('ENOTFOUND') || has('EAI_AGAIN')) {
    return new DatabaseCommandError(
      `Error: the database host "${host}" could not be resolved. Check the host name in DATABASE_URL (${redactUrl(url)}).`,
      'host_not_found',
    );
  }
  if (has('ETIMEDOUT') || all.some((e) => /timeout exceeded when trying to connect/i.test(e.message ?? ''))) {
    return new DatabaseCommandError(
      `Error: timed out connecting to PostgreSQL at ${host}:${port}. Check that the server is up and reachable from here (firewall, VPN, security group) and that DATABASE_URL is right.`,
      'connection_timeout',
    );
  }
  if (has('3D000')) {
    return new DatabaseCommandError(
      `Error: database "${database}" does not exist on ${host}:${port}. Create it with \`npm run db:create\` (or \`createdb ${database}\`), then run the command again.`,
      'database_missing',
    );
  }
  if (has('28P01') || has('28000')) {
    return new DatabaseCommandError(
      `Error: PostgreSQL rejected the credentials in DATABASE_URL (${redactUrl(url)}): ${has('28P01')?.message ?? has('28000')?.message}. Fix the user name and password in .env.`,
      'authentication_failed',
    );
  }
  const denied = has('42501');
  if (denied) {
    return new DatabaseCommandError(
      `Error: ${denied.message}${during}. The user in DATABASE_URL lacks the privilege. Grant it (for example \`GRANT ALL ON SCHEMA public TO <user>;\` and \`GRANT ALL ON ALL TABLES IN SCHEMA public TO <user>;\` run as a superuser), or use a user that owns the database.`,
      'permission_denied',
    );
  }
  const exists = has('42P07') ?? has('42710');
  if (exists) {
    return new DatabaseCommandError(
      `Error: ${exists.message}${during}. The database already holds this schema but the migration tracking table (drizzle.__drizzle_migrations) does not record it. If the schema is ours and complete, run \`npm run db:baseline\` to record the migrations as applied after checking it; otherwise empty it with \`psql "$DATABASE_URL" -f migrations/rollback/0000_rollback.sql\` and run \`npm run db:migrate\`.`,
      'already_exists',
    );
  }
  const lock = has('55P03');
  if (lock) {
    return new DatabaseCommandError(
      `Error: gave up waiting for the migration lock${during}: another db:migrate (or db:rollback) is running against ${database}. Wait for it to finish, or find it with \`SELECT pid, query FROM pg_stat_activity WHERE pid IN (SELECT pid FROM pg_locks WHERE locktype = 'advisory');\`. Raise MIGRATION_LOCK_TIMEOUT_MS to wait longer.`,
      'lock_timeout',
    );
  }
  const pg = all.find((e) => typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code));
  if (pg) {
    return new DatabaseCommandError(
      `Error: PostgreSQL reported ${pg.code}: ${pg.message}${during}. Nothing of the failing step was kept (it ran in a transaction unless it says migrate:no-transaction). Fix the cause and run the command again.`,
      'sql_error',
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return new DatabaseCommandError(`Error: ${message}${during}.`, 'unexpected');
}
