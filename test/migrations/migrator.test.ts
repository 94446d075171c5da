import pg from 'pg';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_MIGRATIONS_DIR,
  readMigrationFiles,
} from '../../src/infrastructure/database/migrations/migration-files.js';
import { readAppliedMigrations } from '../../src/infrastructure/database/migrations/migration-tracking.js';
import { MIGRATION_LOCK_KEY, runMigrations } from '../../src/infrastructure/database/migrations/migrator.js';
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
    const result = await runMigrations({ databaseUrl: database.url });

    expect(result.applied.map((m) => m.tag)).toEqual(readMigrationFiles().map((m) => m.tag));
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
    expect(report.counts.enums).toBe(16);
  });

  it('records how long each migration took, in the tracking row and in its result', async () => {
    fixture = copyMigrations();
    const { tag } = fixture.add('slow', 'SELECT pg_sleep(0.3);');
    const result = await runMigrations({ databaseUrl: database.url, migrationsDir: fixture.dir });
    const reported = result.applied.find((applied) => applied.tag === tag)!.durationMs;
    const recorded = (await trackingRows(database.url)).find((row) => row.tag === tag)!.durationMs!;
    expect(recorded).toBeGreaterThanOrEqual(300);
    expect(reported).toBeGreaterThanOrEqual(recorded);
    // A duration in milliseconds (not a clock reading, not seconds).
    expect(recorded).toBeLessThan(300 + 2_000);
  });

  it('is a no-op when run again', async () => {
    await runMigrations({ databaseUrl: database.url });
    const again = await runMigrations({ databaseUrl: database.url });
    expect(again.applied).toEqual([]);
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
        message: expect.stringContaining('MIGRATION_LOCK_TIMEOUT_MS'),
      });
      expect(Date.now() - started).toBeLessThan(5000);
      expect(await tableExists(database.url, 'users')).toBe(false);
    } finally {
      await holder.end();
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

  it('runs a migrate:no-transaction migration statement by statement (CREATE INDEX CONCURRENTLY)', async () => {
    fixture = copyMigrations();
    const { tag } = fixture.add(
      'concurrent_index',
      '-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS users_name_idx ON users (name);\n--> statement-breakpoint\nCREATE INDEX CONCURRENTLY IF NOT EXISTS courses_title_idx ON courses (title);',
    );
    const result = await runMigrations({ databaseUrl: database.url, migrationsDir: fixture.dir });

    expect(result.applied.map((m) => m.tag)).toContain(tag);
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

  it('refuses to run over an existing schema that has no tracking rows, pointing at db:baseline', async () => {
    await query(database.url, 'CREATE TABLE users (id uuid PRIMARY KEY)');
    await expect(runMigrations({ databaseUrl: database.url })).rejects.toMatchObject({
      code: 'already_exists',
      message: expect.stringContaining('npm run db:baseline'),
    });
  });
});
