import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_MIGRATIONS_DIR,
  readMigrationFiles,
} from '../../src/infrastructure/database/migrations/migration-files.js';
import {
  readAppliedMigrations,
  TRACKING_TABLE_SQL,
} from '../../src/infrastructure/database/migrations/migration-tracking.js';
import {
  connectClient,
  MIGRATION_LOCK_KEY,
  runMigrations,
  withMigrationLock,
} from '../../src/infrastructure/database/migrations/migrator.js';
import { readLatestSnapshot } from '../../src/infrastructure/database/migrations/snapshot.js';
import { verifyDatabase } from '../../src/infrastructure/database/migrations/verify-database.js';
import { copyMigrations, type MigrationsCopy } from '../helpers/migration-copies.js';
import { createEmptyDatabase, type TestDatabase } from '../helpers/test-database.js';

const realMigrationCount = readMigrationFiles().length;

async function query<T extends pg.QueryResultRow>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

const tableExists = async (url: string, name: string) =>
  (await query<{ found: boolean }>(url, 'SELECT to_regclass($1) IS NOT NULL AS found', [name]))[0]?.found;

const trackingRows = async (url: string) => {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await readAppliedMigrations(client);
  } finally {
    await client.end();
  }
};

let database: TestDatabase;
let fixture: MigrationsCopy | undefined;

beforeEach(async () => {
  database = await createEmptyDatabase();
});
afterEach(async () => {
  fixture?.remove();
  fixture = undefined;
  await database.drop();
});
afterAll(() => fixture?.remove());

describe('db:migrate on an empty database', () => {
  it('applies every migration, records each with its audit trail, and the result verifies', async () => {
    const before = performance.now();
    const lines: string[] = [];
    const result = await runMigrations({ databaseUrl: database.url, log: (line) => lines.push(line) });
    const wholeRunMs = performance.now() - before;
    // What db:migrate prints: one line per migration with its time, then the job queue's install.
    expect(lines).toEqual([
      ...result.applied.map((m) => `  applied ${m.tag} (${m.durationMs} ms)`),
      `  applied job queue schema graphile_worker revision ${result.jobQueue.to} (${result.jobQueue.durationMs} ms)`,
    ]);

    expect(result.applied.map((m) => m.tag)).toEqual(readMigrationFiles().map((m) => m.tag));
    // The job queue's install is timed as a duration: within the run's own time.
    expect(result.jobQueue).toMatchObject({ changed: true, from: null });
    expect(result.jobQueue.durationMs).toBeGreaterThan(0);
    expect(result.jobQueue.durationMs).toBeLessThanOrEqual(wholeRunMs);
    const rows = await trackingRows(database.url);
    expect(rows).toHaveLength(realMigrationCount);
    for (const row of rows) {
      expect(row.appliedByDbUser).toBe(new URL(database.url).username);
      expect(row.appliedByOsUser).toMatch(/.+@.+/);
      expect(row.appliedAt).toBeInstanceOf(Date);
      // The time of its SQL, recorded inside its transaction: at most what the run reports for it.
      const reported = result.applied.find((applied) => applied.tag === row.tag);
      expect(Number.isInteger(row.durationMs), `${row.tag}: ${row.durationMs}`).toBe(true);
      expect(row.durationMs).toBeLessThanOrEqual(reported!.durationMs);
    }
    const report = await verifyDatabase({ databaseUrl: database.url });
    expect(report.drift).toEqual([]);
    expect(report.counts.guideTables).toBe(24);
    expect(report.counts.guideEnums).toBe(16);
    expect(report.counts.tables).toBe(Object.keys(readLatestSnapshot(DEFAULT_MIGRATIONS_DIR).tables).length);
    expect(report.counts.enums).toBe(Object.keys(readLatestSnapshot(DEFAULT_MIGRATIONS_DIR).enums).length);
  });

  it('records how long each migration took, in the tracking row and in its result', async () => {
    fixture = copyMigrations();
    const { tag } = fixture.add('slow', 'SELECT pg_sleep(0.3);');
    const result = await runMigrations({ databaseUrl: database.url, migrationsDir: fixture.dir });
    const reported = result.applied.find((applied) => applied.tag === tag)!.durationMs;
    const recorded = (await trackingRows(database.url)).find((row) => row.tag === tag)!.durationMs!;
    expect(recorded).toBeGreaterThanOrEqual(300);
    expect(reported).toBeGreaterThanOrEqual(recorded);
    expect(reported).toBeLessThan(recorded + 2_000);
    // A duration in milliseconds (not a clock reading, not seconds).
    expect(recorded).toBeLessThan(300 + 2_000);
  });

  it('is a no-op when run again', async () => {
    await runMigrations({ databaseUrl: database.url });
    const lines: string[] = [];
    const again = await runMigrations({ databaseUrl: database.url, log: (line) => lines.push(line) });
    expect(again.applied).toEqual([]);
    // Nothing applied, nothing printed: not even the job queue, already at its revision.
    expect(again.jobQueue.changed).toBe(false);
    expect(lines).toEqual([]);
    expect(again.alreadyApplied).toBe(realMigrationCount);
    expect(await trackingRows(database.url)).toHaveLength(realMigrationCount);
  });

  it('applies each migration exactly once when five migrators run at the same time', async () => {
    fixture = copyMigrations();
    // A slow extra migration widens the window in which the others must wait for the lock.
    fixture.add(
      'slow',
      'SELECT pg_sleep(0.3);\n--> statement-breakpoint\nCREATE TABLE concurrency_probe (id int);',
    );
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        runMigrations({ databaseUrl: database.url, migrationsDir: fixture!.dir }),
      ),
    );

    const appliedTags = results.flatMap((r) => r.applied.map((m) => m.tag));
    expect(appliedTags).toHaveLength(realMigrationCount + 1);
    expect(new Set(appliedTags).size).toBe(realMigrationCount + 1);
    const rows = await trackingRows(database.url);
    expect(rows).toHaveLength(realMigrationCount + 1);
    expect(new Set(rows.map((r) => r.hash)).size).toBe(realMigrationCount + 1);
  });

  it('waits for the lock, then gives up with the lock-timeout explanation', async () => {
    const holder = new pg.Client({ connectionString: database.url });
    await holder.connect();
    await holder.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      const started = Date.now();
      await expect(runMigrations({ databaseUrl: database.url, lockTimeoutMs: 300 })).rejects.toMatchObject({
        code: 'lock_timeout',
        message: expect.stringMatching(/waiting for the migration lock[\s\S]*MIGRATION_LOCK_TIMEOUT_MS/),
      });
      expect(Date.now() - started).toBeLessThan(5000);
      expect(await tableExists(database.url, 'users')).toBe(false);
    } finally {
      await holder.end();
    }
  });
});

describe('the migration lock and connection', () => {
  it('waits for table locks as long as needed once it holds the migration lock', async () => {
    await runMigrations({ databaseUrl: database.url });
    fixture = copyMigrations();
    fixture.add('alter_users', 'ALTER TABLE users ADD COLUMN fixture_nickname text;');
    // Someone reads users in a long transaction: the ALTER must wait for it, longer than the
    // migrator waits for its own lock (lockTimeoutMs applies to that lock only).
    const reader = new pg.Client({ connectionString: database.url });
    await reader.connect();
    try {
      await reader.query('BEGIN');
      await reader.query('LOCK TABLE users IN ACCESS SHARE MODE');
      const run = runMigrations({
        databaseUrl: database.url,
        migrationsDir: fixture.dir,
        lockTimeoutMs: 200,
      });
      await new Promise((resolve) => setTimeout(resolve, 600));
      await reader.query('COMMIT');
      const result = await run;
      expect(result.applied.map((applied) => applied.tag)).toEqual([expect.stringMatching(/_alter_users$/)]);
    } finally {
      await reader.end();
    }
  });

  it('runs under its own application name, then releases the lock and its connection', async () => {
    fixture = copyMigrations();
    fixture.add('slow', 'SELECT pg_sleep(0.5);');
    const databaseName = new URL(database.url).pathname.slice(1);
    const backends = () =>
      query<{ application_name: string }>(
        database.url,
        'SELECT application_name FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [databaseName],
      );
    const run = runMigrations({ databaseUrl: database.url, migrationsDir: fixture.dir });
    const deadline = Date.now() + 10_000;
    let seen: string[] = [];
    while (!seen.includes('learning-platform:migrate') && Date.now() < deadline) {
      seen = (await backends()).map((backend) => backend.application_name);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(seen, 'the migrator is recognisable in pg_stat_activity').toContain('learning-platform:migrate');
    await run;
    expect(await backends(), 'connections left behind').toEqual([]);
  });

  it('withMigrationLock releases the lock when its work is done (the connection stays open)', async () => {
    const client = await connectClient(database.url, 'lock-test');
    try {
      await withMigrationLock(client, database.url, 1_000, async () => {});
      const other = await query<{ locked: boolean }>(
        database.url,
        'SELECT pg_try_advisory_lock($1) AS locked',
        [MIGRATION_LOCK_KEY],
      );
      expect(other[0]?.locked).toBe(true);
    } finally {
      await client.end();
    }
  });
});

describe('failure and special migrations', () => {
  it('rolls back only the failing migration and keeps the ones before it', async () => {
    fixture = copyMigrations();
    fixture.add('good', 'CREATE TABLE fixture_good (id int);');
    fixture.add(
      'bad',
      'CREATE TABLE fixture_half_done (id int);\n--> statement-breakpoint\nINSERT INTO no_such_table VALUES (1);',
    );

    await expect(
      runMigrations({ databaseUrl: database.url, migrationsDir: fixture.dir }),
    ).rejects.toMatchObject({
      message: expect.stringMatching(/no_such_table.*applying migration 000\d_bad\.sql/),
    });
    expect(await tableExists(database.url, 'fixture_good')).toBe(true);
    expect(await tableExists(database.url, 'fixture_half_done')).toBe(false);
    const rows = await trackingRows(database.url);
    expect(rows).toHaveLength(realMigrationCount + 1);
  });

  it('a migration whose file ran but whose tracking row cannot be written is rolled back whole (never applied unrecorded)', async () => {
    fixture = copyMigrations();
    // The file itself succeeds, and makes the insert of its own tracking row fail.
    fixture.add(
      'unrecordable',
      `CREATE TABLE fixture_unrecorded (id int);
--> statement-breakpoint
ALTER TABLE ${TRACKING_TABLE_SQL} ADD CONSTRAINT fixture_no_more_rows CHECK (false) NOT VALID;`,
    );
    await expect(
      runMigrations({ databaseUrl: database.url, migrationsDir: fixture.dir }),
    ).rejects.toMatchObject({ message: expect.stringContaining('fixture_no_more_rows') });
    expect(await tableExists(database.url, 'fixture_unrecorded')).toBe(false);
    expect(await trackingRows(database.url)).toHaveLength(realMigrationCount);
  });

  it('a job queue schema it cannot install is named in the error, with the database step it was at', async () => {
    await runMigrations({ databaseUrl: database.url });
    // The queue's own bookkeeping gone while its schema stays: reinstalling collides with what is there.
    await query(database.url, 'ALTER TABLE graphile_worker.migrations RENAME TO migrations_moved');
    await expect(runMigrations({ databaseUrl: database.url })).rejects.toMatchObject({
      message: expect.stringContaining('installing the job queue schema (graphile_worker)'),
    });
  });

  it('runs a migrate:no-transaction migration statement by statement (CREATE INDEX CONCURRENTLY)', async () => {
    fixture = copyMigrations();
    const { tag } = fixture.add(
      'concurrent_index',
      '-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS users_name_idx ON users (name);\n--> statement-breakpoint\nCREATE INDEX CONCURRENTLY IF NOT EXISTS courses_title_idx ON courses (title);',
    );
    const result = await runMigrations({ databaseUrl: database.url, migrationsDir: fixture.dir });

    expect(result.applied.map((m) => m.tag)).toContain(tag);
    // Its duration, as for a transactional one: milliseconds within the run's report.
    const recorded = (await trackingRows(database.url)).find((row) => row.tag === tag)!.durationMs!;
    expect(recorded).toBeGreaterThanOrEqual(0);
    expect(recorded).toBeLessThanOrEqual(result.applied.find((m) => m.tag === tag)!.durationMs);
    const indexes = await query<{ indexrelid: string; indisvalid: boolean }>(
      database.url,
      `SELECT indexrelid::regclass::text, indisvalid FROM pg_index WHERE indexrelid::regclass::text IN ('users_name_idx', 'courses_title_idx')`,
    );
    expect(indexes).toHaveLength(2);
    expect(indexes.every((i) => i.indisvalid)).toBe(true);
  });

  it('refuses an applied migration whose file changed, naming the file', async () => {
    fixture = copyMigrations();
    const { tag } = fixture.add('tampered', 'CREATE TABLE fixture_tampered (id int);');
    await runMigrations({ databaseUrl: database.url, migrationsDir: fixture.dir });
    fixture.edit(tag, 'CREATE TABLE fixture_tampered (id int, extra text);');

    await expect(
      runMigrations({ databaseUrl: database.url, migrationsDir: fixture.dir }),
    ).rejects.toMatchObject({
      code: 'checksum_mismatch',
      message: expect.stringContaining(`migrations/${tag}.sql was changed after it was applied`),
    });
    // Both checksums, shortened, so the operator can tell which version each side has.
    const recorded = (await trackingRows(database.url)).find((row) => row.tag === tag)!.hash;
    const now = readMigrationFiles(fixture.dir).find((file) => file.tag === tag)!.hash;
    await expect(
      runMigrations({ databaseUrl: database.url, migrationsDir: fixture.dir }),
    ).rejects.toMatchObject({
      message: expect.stringContaining(
        `(recorded sha256 ${recorded.slice(0, 12)}…, file now ${now.slice(0, 12)}…)`,
      ),
    });
  });

  it('refuses a database that records a migration this code does not have', async () => {
    fixture = copyMigrations();
    const { tag } = fixture.add('from_a_newer_release', 'CREATE TABLE fixture_newer (id int);');
    await runMigrations({ databaseUrl: database.url, migrationsDir: fixture.dir });

    // The code deployed now is older: its journal ends before that migration.
    await expect(runMigrations({ databaseUrl: database.url })).rejects.toMatchObject({
      code: 'unknown_applied_migration',
      message: expect.stringContaining(`records an applied migration ${tag}`),
    });
  });

  it('names an unknown applied row by its created_at when it has no tag (rows recorded before the audit columns)', async () => {
    await runMigrations({ databaseUrl: database.url });
    await query(database.url, `INSERT INTO ${TRACKING_TABLE_SQL} (hash, created_at) VALUES ('legacy', 42)`);
    await expect(runMigrations({ databaseUrl: database.url })).rejects.toMatchObject({
      code: 'unknown_applied_migration',
      message: expect.stringContaining('records an applied migration (created_at 42)'),
    });
  });

  it('refuses a never-applied migration that is older than an applied one', async () => {
    fixture = copyMigrations();
    const newest = Math.max(...readMigrationFiles(fixture.dir).map((m) => m.createdAt));
    fixture.add('later', 'CREATE TABLE fixture_later (id int);', { when: newest + 2000 });
    await runMigrations({ databaseUrl: database.url, migrationsDir: fixture.dir });
    // A branch merged late: its migration sorts before the one already applied.
    const { tag } = fixture.add('merged_late', 'CREATE TABLE fixture_merged_late (id int);', {
      when: newest + 1000,
    });

    await expect(
      runMigrations({ databaseUrl: database.url, migrationsDir: fixture.dir }),
    ).rejects.toMatchObject({
      code: 'out_of_order',
      message: expect.stringContaining(`migrations/${tag}.sql was never applied`),
    });
    expect(await tableExists(database.url, 'fixture_merged_late')).toBe(false);
  });

  it('explains a user who may not create the tracking table, before touching anything', async () => {
    const role = `lp_noperm_${randomBytes(4).toString('hex')}`;
    const databaseName = new URL(database.url).pathname.slice(1);
    await query(
      database.url,
      `CREATE ROLE ${role} LOGIN PASSWORD 'role-password'; REVOKE ALL ON SCHEMA public FROM PUBLIC; REVOKE CREATE ON DATABASE ${databaseName} FROM PUBLIC`,
    );
    try {
      const url = new URL(database.url);
      url.username = role;
      url.password = 'role-password';
      await expect(runMigrations({ databaseUrl: url.toString() })).rejects.toMatchObject({
        code: 'permission_denied',
        message: expect.stringContaining('while preparing the migration tracking table'),
      });
    } finally {
      await query(database.url, `DROP OWNED BY ${role}; DROP ROLE ${role}`);
    }
  });

  it('refuses to run over an existing schema that has no tracking rows, pointing at db:baseline', async () => {
    await query(database.url, 'CREATE TABLE users (id uuid PRIMARY KEY)');
    await expect(runMigrations({ databaseUrl: database.url })).rejects.toMatchObject({
      code: 'already_exists',
      message: expect.stringContaining('npm run db:baseline'),
    });
  });
});
