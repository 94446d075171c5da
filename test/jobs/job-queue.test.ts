import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createDatabaseClient,
  type DatabaseClient,
} from '../../src/infrastructure/database/client/client.js';
import { createJobQueue, type JobQueue } from '../../src/infrastructure/jobs/job-queue.js';
import { type JobRunner, type RunnerLog, startJobRunner } from '../../src/infrastructure/jobs/job-runner.js';
import { makeJobDue, queuedJobs } from '../helpers/factories/index.js';
import { waitFor } from '../helpers/processes.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

interface TestTasks {
  'test.record': { value: string };
  'test.fail': { secret: string };
  'test.query-error': { secret: string };
  'test.slow': { value: string };
}

interface LogLine {
  level: string;
  object: Record<string, unknown>;
  message: string;
}

function recordingLog(): RunnerLog & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at =
    (level: string) =>
    (object: object, message: string): void =>
      void lines.push({ level, object: object as Record<string, unknown>, message });
  return { lines, error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
}

let database: TestDatabase;
let client: DatabaseClient;
let queue: JobQueue<TestTasks>;
let runner: JobRunner | undefined;
const log = recordingLog();
const recorded: string[] = [];
let failures = 0;
let releaseSlow: (() => void) | undefined;

beforeAll(async () => {
  database = await createTestDatabase();
  client = createDatabaseClient(database.url, { max: 4 });
  queue = createJobQueue<TestTasks>(client.db);
  queue.define({
    'test.record': {
      handler: async ({ value }) => void recorded.push(value),
    },
    'test.fail': {
      maxAttempts: 3,
      handler: async () => {
        failures++;
        throw new Error('the handler failed on purpose');
      },
    },
    'test.query-error': {
      maxAttempts: 1,
      // A query error from drizzle names the statement's parameters in its message.
      handler: async ({ secret }) => void (await client.db.execute(sql`SELECT ${secret}::int`)),
    },
    'test.slow': {
      handler: async ({ value }) => {
        await new Promise<void>((resolve) => {
          releaseSlow = resolve;
        });
        recorded.push(value);
      },
    },
  });
});

afterEach(async () => {
  await runner?.stop();
  runner = undefined;
  await client.db.execute(sql`DELETE FROM graphile_worker._private_jobs`);
});

afterAll(async () => {
  await client.close();
  await database.drop();
});

const start = async () => {
  runner = await startJobRunner({
    databaseUrl: database.url,
    queue,
    concurrency: 2,
    fetchBatchSize: 10,
    log,
  });
  return runner;
};

describe('enqueueing inside the caller’s transaction', () => {
  it('a job enqueued in a transaction that rolls back does not exist', async () => {
    await expect(
      client.db.transaction(async (tx) => {
        await queue.enqueue(tx, 'test.record', { value: 'rolled back' });
        expect(await queuedJobs(tx)).toHaveLength(1);
        throw new Error('the write fails after the enqueue');
      }),
    ).rejects.toThrow('the write fails');
    expect(await queuedJobs(client.db)).toEqual([]);
  });

  it('a job enqueued in a committed transaction exists with its task, payload and the task’s attempts', async () => {
    const id = await client.db.transaction((tx) => queue.enqueue(tx, 'test.fail', { secret: 'committed' }));
    const jobs = await queuedJobs(client.db);
    expect(jobs).toEqual([
      expect.objectContaining({
        id,
        task: 'test.fail',
        payload: { secret: 'committed' },
        attempts: 0,
        maxAttempts: 3,
        lastError: null,
      }),
    ]);
    // A task without its own maxAttempts gets graphile-worker's 25; an enqueue may say otherwise.
    await queue.enqueue(client.db, 'test.record', { value: 'default' });
    await queue.enqueue(client.db, 'test.record', { value: 'own' }, { maxAttempts: 7 });
    expect((await queuedJobs(client.db, 'test.record')).map((job) => job.maxAttempts)).toEqual([25, 7]);
  });

  it('enqueueMany writes every job in one statement, and none when the transaction rolls back', async () => {
    const jobs = Array.from({ length: 500 }, (_, i) => ({
      task: 'test.record' as const,
      payload: { value: `v${i}` },
    }));
    await expect(
      client.db.transaction(async (tx) => {
        expect(await queue.enqueueMany(tx, jobs)).toBe(500);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await queuedJobs(client.db)).toEqual([]);

    expect(await client.db.transaction((tx) => queue.enqueueMany(tx, jobs))).toBe(500);
    const queued = await queuedJobs(client.db);
    expect(queued).toHaveLength(500);
    expect(queued.map((job) => job.payload.value)).toEqual(jobs.map((job) => job.payload.value));
  });

  it('a job key replaces the job still waiting instead of adding a second', async () => {
    const first = await queue.enqueue(client.db, 'test.record', { value: 'first' }, { jobKey: 'dedupe-me' });
    const second = await queue.enqueue(
      client.db,
      'test.record',
      { value: 'second' },
      { jobKey: 'dedupe-me' },
    );
    expect(second).toBe(first);
    expect(await queuedJobs(client.db)).toEqual([
      expect.objectContaining({ id: first, key: 'dedupe-me', payload: { value: 'second' } }),
    ]);
  });

  it('refuses an impossible maxAttempts before writing anything', async () => {
    await expect(queue.enqueue(client.db, 'test.record', { value: 'x' }, { maxAttempts: 0 })).rejects.toThrow(
      RangeError,
    );
    expect(await queuedJobs(client.db)).toEqual([]);
  });
});

describe('the worker', () => {
  it('runs a committed job’s handler and deletes the job', async () => {
    await start();
    await client.db.transaction((tx) => queue.enqueue(tx, 'test.record', { value: 'ran' }));
    await waitFor('the handler to run', async () => (recorded.includes('ran') ? true : undefined), {
      timeoutMs: 10_000,
    });
    await waitFor(
      'the job to be deleted',
      async () => ((await queuedJobs(client.db)).length === 0 ? true : undefined),
      {
        timeoutMs: 10_000,
      },
    );
  });

  it('retries a failing handler with exponential backoff, then keeps it as failed with its last error', async () => {
    await start();
    failures = 0;
    const id = await queue.enqueue(client.db, 'test.fail', { secret: 'payload-secret-marker' });
    const attemptsReach = (n: number) =>
      waitFor(
        `attempt ${n} to fail`,
        async () => {
          const [job] = await queuedJobs(client.db);
          return job && job.attempts === n && job.lockedAt === null && failures === n ? job : undefined;
        },
        { timeoutMs: 10_000 },
      );

    const afterFirst = await attemptsReach(1);
    expect(afterFirst.lastError).toBe('the handler failed on purpose');
    // Attempt n waits e^n seconds: 2.7 s after the first failure, 7.4 s after the second.
    const waitAfterFirst = (afterFirst.runAt.getTime() - Date.now()) / 1000;
    expect(waitAfterFirst).toBeGreaterThan(1.5);
    expect(waitAfterFirst).toBeLessThan(2.8);

    await makeJobDue(client.db, id);
    const afterSecond = await attemptsReach(2);
    const waitAfterSecond = (afterSecond.runAt.getTime() - Date.now()) / 1000;
    expect(waitAfterSecond).toBeGreaterThan(6);
    expect(waitAfterSecond).toBeLessThan(7.5);

    await makeJobDue(client.db, id);
    const afterThird = await attemptsReach(3);
    expect(afterThird).toMatchObject({
      attempts: 3,
      maxAttempts: 3,
      lastError: 'the handler failed on purpose',
    });

    // Failed for good: due again, it is not taken any more.
    await makeJobDue(client.db, id);
    await queue.enqueue(client.db, 'test.record', { value: 'after the failed one' });
    await waitFor(
      'a later job to run',
      async () => (recorded.includes('after the failed one') ? true : undefined),
      {
        timeoutMs: 10_000,
      },
    );
    expect(failures).toBe(3);
    expect(await queuedJobs(client.db)).toEqual([expect.objectContaining({ id, attempts: 3 })]);

    const failureLines = log.lines.filter((line) => line.object.task === 'test.fail');
    expect(failureLines.map((line) => line.level)).toEqual(['warn', 'warn', 'error']);
    expect(failureLines[2]).toMatchObject({
      object: { jobId: id, attempt: 3, maxAttempts: 3 },
      message: 'a background job failed for the last time',
    });
    expect(JSON.stringify(log.lines)).not.toContain('payload-secret-marker');
  });

  it('stores a failed query’s reason without its parameters', async () => {
    await start();
    await queue.enqueue(client.db, 'test.query-error', { secret: 'secret-parameter-value' });
    const job = await waitFor(
      'the query error to be stored',
      async () => (await queuedJobs(client.db)).find((j) => j.attempts === 1 && j.lockedAt === null),
      { timeoutMs: 10_000 },
    );
    expect(job.lastError).toContain('invalid input syntax for type integer');
    expect(job.lastError).toContain('1 parameter(s) not shown');
    expect(job.lastError).not.toContain('secret-parameter-value');
    expect(JSON.stringify(log.lines)).not.toContain('secret-parameter-value');
  });

  it('stop() waits for the running job to finish before it resolves', async () => {
    await start();
    releaseSlow = undefined;
    await queue.enqueue(client.db, 'test.slow', { value: 'finished during shutdown' });
    await waitFor('the slow job to start', async () => (releaseSlow ? true : undefined), {
      timeoutMs: 10_000,
    });
    let stopped = false;
    const stopping = runner!.stop(10_000).then(() => {
      stopped = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(stopped).toBe(false);
    releaseSlow!();
    await stopping;
    expect(recorded).toContain('finished during shutdown');
    expect(await queuedJobs(client.db)).toEqual([]);
    runner = undefined;
  });

  it('refuses to start on a database without the queue schema, and says what to run', async () => {
    const empty = await createTestDatabase();
    try {
      const bare = createDatabaseClient(empty.url, { max: 1 });
      await bare.db.execute(sql`DROP SCHEMA graphile_worker CASCADE`);
      await bare.close();
      await expect(startJobRunner({ databaseUrl: empty.url, queue, concurrency: 1, log })).rejects.toThrow(
        /job queue's schema \(graphile_worker\) is missing.*npm run db:migrate/,
      );
      // And it did not create it either.
      const check = createDatabaseClient(empty.url, { max: 1 });
      const { rows } = await check.db.execute(sql`SELECT to_regnamespace('graphile_worker')::text AS schema`);
      await check.close();
      expect(rows[0]?.schema).toBeNull();
    } finally {
      await empty.drop();
    }
  });
});
