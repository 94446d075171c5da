import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/config.js';
import { readMigrationFiles } from '../../src/infrastructure/database/migrations/migration-files.js';
import { MIGRATION_LOCK_KEY, runMigrations } from '../../src/infrastructure/database/migrations/migrator.js';
import { type CliResult, runCli } from '../helpers/run-cli.js';
import { requireCommand } from '../helpers/suite-requirements.js';
import { createEmptyDatabase, databaseUrl, type TestDatabase } from '../helpers/test-database.js';

async function exec(url: string, sql: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end();
  }
}

const trackingCount = async (url: string) =>
  Number((await exec(url, 'SELECT count(*) FROM drizzle.__drizzle_migrations')).rows[0].count);

/** One paragraph with the fix, non-zero exit, and no stack trace. */
function expectOperatorError(result: CliResult, pattern: RegExp) {
  expect(result.code).not.toBe(0);
  expect(result.stderr).toMatch(pattern);
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
}

function drizzleKitMigrate(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(projectRoot, 'node_modules', '.bin', 'drizzle-kit'), ['migrate'], {
      cwd: projectRoot,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: url },
      stdio: 'ignore',
    });
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  });
}

const migrationCount = readMigrationFiles().length;
const withPgDump = requireCommand('pg_dump', 'db:backup (the pg_dump test of cli.test.ts)');
let database: TestDatabase;
beforeEach(async () => {
  database = await createEmptyDatabase();
});
afterEach(async () => {
  await database.drop();
});

describe('drizzle-kit compatibility', () => {
  it('after drizzle-kit migrate, db:migrate applies nothing and db:verify passes', async () => {
    expect(await drizzleKitMigrate(database.url)).toBe(0);
    expect(await trackingCount(database.url)).toBe(migrationCount);

    const result = await runMigrations({ databaseUrl: database.url });
    expect(result.applied).toEqual([]);
    expect(await trackingCount(database.url)).toBe(migrationCount);
    const verify = await runCli('db-verify', [], { DATABASE_URL: database.url });
    expect(verify.code).toBe(0);
  });

  it('after db:migrate, drizzle-kit migrate applies nothing', async () => {
    await runMigrations({ databaseUrl: database.url });
    expect(await drizzleKitMigrate(database.url)).toBe(0);
    expect(await trackingCount(database.url)).toBe(migrationCount);
  });
});

describe('db:status, --dry-run, db:baseline, db:create', () => {
  it('db:migrate --dry-run prints the pending SQL and applies nothing; db:status lists it as pending', async () => {
    const dryRun = await runCli('db-migrate', ['--dry-run'], { DATABASE_URL: database.url });
    expect(dryRun.code).toBe(0);
    expect(dryRun.stdout).toContain(`-- ${readMigrationFiles()[0]!.fileName}`);
    expect(dryRun.stdout).toContain('CREATE TABLE "users"');
    expect((await exec(database.url, "SELECT to_regclass('users') AS t")).rows[0].t).toBeNull();

    expect(dryRun.stdout).toContain(
      "-- job queue schema graphile_worker is missing: graphile-worker's migrator would bring it to revision 19",
    );
    expect((await exec(database.url, "SELECT to_regnamespace('graphile_worker') AS s")).rows[0].s).toBeNull();

    const status = await runCli('db-status', [], { DATABASE_URL: database.url });
    expect(status.stdout).toContain('Applied (0):');
    expect(status.stdout).toContain(`Pending (${migrationCount}):`);
  });

  it('db:status shows who applied each migration, when and how long it took', async () => {
    await runMigrations({ databaseUrl: database.url });
    const status = await runCli('db-status', [], { DATABASE_URL: database.url });
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(
      /✓ 0000_\w+ {2}\d{4}-\d\d-\d\dT[\d:.]+Z {2}db user postgres, os user .+@.+, \d+ ms/,
    );
    expect(status.stdout).toContain('Pending (0):');
    expect(status.stdout).toContain('Job queue schema (graphile_worker): revision 19, up to date');
  });

  it('db:baseline records migrations on a schema built without tracking, after checking it', async () => {
    await runMigrations({ databaseUrl: database.url });
    await exec(database.url, 'DROP SCHEMA drizzle CASCADE');
    const migrate = await runCli('db-migrate', [], { DATABASE_URL: database.url });
    expectOperatorError(migrate, /already exists.*npm run db:baseline/);

    const baseline = await runCli('db-baseline', [], { DATABASE_URL: database.url });
    expect(baseline.code).toBe(0);
    expect(await trackingCount(database.url)).toBe(migrationCount);
    expect((await runMigrations({ databaseUrl: database.url })).applied).toEqual([]);
  });

  it('db:baseline refuses a schema that differs, and records nothing', async () => {
    await runMigrations({ databaseUrl: database.url });
    await exec(database.url, 'DROP SCHEMA drizzle CASCADE; DROP TABLE refunds');
    const baseline = await runCli('db-baseline', [], { DATABASE_URL: database.url });
    expectOperatorError(baseline, /Refusing to baseline.*table refunds is missing/);
    expect(
      (await exec(database.url, "SELECT to_regclass('drizzle.__drizzle_migrations') AS t")).rows[0].t,
    ).toBeNull();
  });

  it('db:create creates the database named in DATABASE_URL, and says so when it exists', async () => {
    const name = `${database.name}_new`;
    const url = databaseUrl(name);
    try {
      const created = await runCli('db-create', [], { DATABASE_URL: url });
      expect(created.code).toBe(0);
      expect(created.stdout).toContain(`Created database "${name}"`);
      const again = await runCli('db-create', [], { DATABASE_URL: url });
      expect(again.stdout).toContain('already exists');
    } finally {
      await exec(databaseUrl('postgres'), `DROP DATABASE IF EXISTS ${name}`);
    }
  });
});

describe('db:rollback and db:backup', () => {
  it('db:rollback --to 0000 --yes reverts everything after 0000 and keeps 0000', async () => {
    await runMigrations({ databaseUrl: database.url });
    const result = await runCli('db-rollback', ['--to', '0000', '--yes'], { DATABASE_URL: database.url });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Rolled back ${migrationCount - 1} migration(s).`);
    expect(await trackingCount(database.url)).toBe(1);
    expect((await exec(database.url, "SELECT to_regclass('refresh_tokens') AS t")).rows[0].t).toBeNull();
    expect((await exec(database.url, "SELECT to_regclass('users') AS t")).rows[0].t).toBe('users');
    expect((await runMigrations({ databaseUrl: database.url })).applied).toHaveLength(migrationCount - 1);
  });

  it.skipIf(!withPgDump.available)(
    withPgDump.title('db:backup writes a timestamped pg_dump the database can be restored from'),
    async () => {
      await runMigrations({ databaseUrl: database.url });
      const dir = mkdtempSync(path.join(tmpdir(), 'lp-backup-'));
      try {
        const result = await runCli('db-backup', ['--dir', dir], { DATABASE_URL: database.url });
        expect(result.code).toBe(0);
        const files = readdirSync(dir);
        expect(files).toHaveLength(1);
        expect(files[0]).toMatch(/^backup_\d{8}_\d{6}\.sql$/);
        const dump = readFileSync(path.join(dir, files[0]!), 'utf8');
        expect(dump).toContain('CREATE TABLE public.users');
        expect(dump).toContain('__drizzle_migrations');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});

describe('operator errors: one paragraph with the fix, exit code 1', () => {
  it('connection refused', async () => {
    const result = await runCli('db-migrate', [], {
      DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/learning_platform',
    });
    expectOperatorError(result, /^Error: connect ECONNREFUSED 127\.0\.0\.1:1\..*npm run docker:up/);
  });

  it('database does not exist', async () => {
    const result = await runCli('db-migrate', [], { DATABASE_URL: databaseUrl(`${database.name}_missing`) });
    expectOperatorError(result, /database "\w+_missing" does not exist.*npm run db:create/);
  });

  it('permission denied', async () => {
    const role = `lp_noperm_${randomBytes(4).toString('hex')}`;
    await exec(
      database.url,
      `CREATE ROLE ${role} LOGIN PASSWORD 'role-password'; REVOKE ALL ON SCHEMA public FROM PUBLIC; REVOKE CREATE ON DATABASE ${database.name} FROM PUBLIC`,
    );
    try {
      const url = new URL(database.url);
      url.username = role;
      url.password = 'role-password';
      const result = await runCli('db-migrate', [], { DATABASE_URL: url.toString() });
      expectOperatorError(result, /permission denied.*GRANT ALL ON SCHEMA public/);
    } finally {
      await exec(database.url, `DROP OWNED BY ${role}; DROP ROLE ${role}`);
    }
  });

  it('relation already exists without tracking rows', async () => {
    await exec(database.url, 'CREATE TABLE users (id uuid PRIMARY KEY)');
    const result = await runCli('db-migrate', [], { DATABASE_URL: database.url });
    expectOperatorError(result, /relation "users" already exists.*npm run db:baseline.*0000_rollback\.sql/);
  });

  it('lock wait timeout', async () => {
    const holder = new pg.Client({ connectionString: database.url });
    await holder.connect();
    await holder.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      const result = await runCli('db-migrate', [], {
        DATABASE_URL: database.url,
        MIGRATION_LOCK_TIMEOUT_MS: '300',
      });
      expectOperatorError(result, /migration lock.*another db:migrate.*MIGRATION_LOCK_TIMEOUT_MS/);
    } finally {
      await holder.end();
    }
  });

  it('an invalid setting names the variable', async () => {
    const result = await runCli('db-migrate', [], { DATABASE_URL: 'mysql://x@localhost/db' });
    expectOperatorError(result, /^DATABASE_URL must start with postgresql: or postgres:/);
  });

  it('an unknown flag', async () => {
    const result = await runCli('db-migrate', ['--force'], { DATABASE_URL: database.url });
    expectOperatorError(result, /Unknown option '--force'/);
  });
});
