import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createDatabaseClient,
  type DatabaseClient,
} from '../../src/infrastructure/database/client/client.js';
import { refreshTokens } from '../../src/infrastructure/database/schema/index.js';
import { insertRefreshToken, insertUser, queuedJobs } from '../helpers/factories/index.js';
import { spawnServer, spawnWorker, waitFor } from '../helpers/processes.js';
import { buildTestApp } from '../helpers/test-app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

let database: TestDatabase;
let client: DatabaseClient;

beforeEach(async () => {
  database = await createTestDatabase();
  client = createDatabaseClient(database.url, { max: 2 });
});

afterEach(async () => {
  await client.close();
  await database.drop();
});

/** Connections the job worker holds on this test's database (its pool is named for it). */
async function workerConnections(name = database.name): Promise<number> {
  const { rows } = await client.db.execute<{ count: number }>(sql`
    SELECT count(*)::int AS count FROM pg_stat_activity
     WHERE datname = ${name} AND application_name = 'learning-platform:worker'`);
  return rows[0]?.count ?? 0;
}

const addPurgeJob = () => client.db.execute(sql`SELECT graphile_worker.add_job('auth.purge-expired-tokens')`);
const expiredLongAgo = () => new Date(Date.now() - 30 * 86_400_000);

describe('the worker inside the app', () => {
  it('a test app runs no worker unless the test asks for one', async () => {
    const testApp = await buildTestApp();
    try {
      await testApp.app.ready();
      expect(testApp.config.jobs.workerEnabled).toBe(false);
      await testApp.db.execute(sql`SELECT graphile_worker.add_job('auth.purge-expired-tokens')`);
      const { rows } = await testApp.db.execute<{ count: number }>(sql`
        SELECT count(*)::int AS count FROM pg_stat_activity WHERE application_name = 'learning-platform:worker'
           AND datname = current_database()`);
      expect(rows[0]?.count).toBe(0);
      expect(await queuedJobs(testApp.db)).toHaveLength(1);
    } finally {
      await testApp.close();
    }
  });

  it('with WORKER_ENABLED it runs jobs while the app is up, and closing the app stops it', async () => {
    const testApp = await buildTestApp({ jobs: { workerEnabled: true, concurrency: 2, fetchBatchSize: 10 } });
    const name = new URL(testApp.url).pathname.slice(1);
    let closed = false;
    try {
      await testApp.app.ready();
      await testApp.db.execute(sql`SELECT graphile_worker.add_job('auth.purge-expired-tokens')`);
      await waitFor(
        'the app’s worker to run the job',
        async () => ((await queuedJobs(testApp.db)).length === 0 ? true : undefined),
        { timeoutMs: 15_000 },
      );
      expect(await workerConnections(name)).toBeGreaterThan(0);
      await testApp.app.close();
      closed = true;
      // No runner outlives its app. (A backend leaves pg_stat_activity a moment after its client
      // disconnected, so the count is polled briefly.)
      await waitFor(
        'the worker’s connections to end with the app',
        async () => ((await workerConnections(name)) === 0 ? true : undefined),
        { timeoutMs: 3_000 },
      );
    } finally {
      if (!closed) await testApp.app.close();
      await testApp.close();
    }
  });
});

describe('npm run worker', () => {
  it('starts, drains the queue, and stops on SIGTERM', async () => {
    const user = await insertUser(client.db);
    for (let i = 0; i < 3; i++) await insertRefreshToken(client.db, user.id, { expiresAt: expiredLongAgo() });
    await addPurgeJob();

    const worker = spawnWorker({ DATABASE_URL: database.url });
    try {
      await waitFor(
        'the worker to start',
        async () => {
          if (worker.child.exitCode !== null) throw new Error(`worker exited:\n${worker.output()}`);
          return worker.output().includes('Worker: running') ? true : undefined;
        },
        { timeoutMs: 60_000 },
      );
      expect(worker.output()).toMatch(
        /Worker: running \d+ task\(s\), 4 at a time: .*auth\.purge-expired-tokens/,
      );
      await waitFor(
        'the queue to drain',
        async () => ((await queuedJobs(client.db)).length === 0 ? true : undefined),
        { timeoutMs: 20_000 },
      );
      expect(await client.db.select().from(refreshTokens)).toEqual([]);
      expect(await workerConnections()).toBeGreaterThan(0);

      const exit = await worker.stop();
      expect(exit.code, worker.output()).toBe(0);
      expect(worker.output()).toContain('Stopped.');
      expect(await workerConnections()).toBe(0);
    } finally {
      await worker.stop(2_000);
    }
  }, 120_000);

  it('refuses to start, saying to run db:migrate, when the queue schema is missing (and does not create it)', async () => {
    await client.db.execute(sql`DROP SCHEMA graphile_worker CASCADE`);
    const worker = spawnWorker({ DATABASE_URL: database.url });
    const exit = await worker.exited;
    expect(exit.code).toBe(1);
    expect(worker.output()).toMatch(
      /Error: the job queue's schema \(graphile_worker\) is missing\. Run `npm run db:migrate`/,
    );
    expect(worker.output()).not.toMatch(/^\s+at /m);
    const { rows } = await client.db.execute(sql`SELECT to_regnamespace('graphile_worker')::text AS s`);
    expect(rows[0]?.s).toBeNull();
  }, 60_000);

  it('npm start refuses too when the queue schema is missing and it does not migrate', async () => {
    await client.db.execute(sql`DROP SCHEMA graphile_worker CASCADE`);
    const server = await spawnServer({ DATABASE_URL: database.url });
    const exit = await server.exited;
    expect(exit.code).toBe(1);
    expect(server.output()).toMatch(
      /the job queue's schema \(graphile_worker\) is missing\. Run `npm run db:migrate`/,
    );
    const { rows } = await client.db.execute(sql`SELECT to_regnamespace('graphile_worker')::text AS s`);
    expect(rows[0]?.s).toBeNull();
  }, 60_000);
});
