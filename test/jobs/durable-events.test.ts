import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { PgTransaction } from 'drizzle-orm/pg-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createDatabaseClient,
  type DatabaseClient,
} from '../../src/infrastructure/database/client/client.js';
import { users } from '../../src/infrastructure/database/schema/index.js';
import {
  createEventBus,
  type DurableSink,
  type EventBus,
  type SubscriberFailure,
} from '../../src/infrastructure/events/event-bus.js';
import { singleStatementWrite, unitOfWork } from '../../src/infrastructure/events/unit-of-work.js';
import { durableEventSink, durableEventTasks } from '../../src/infrastructure/jobs/durable-events.js';
import { createJobQueue, type JobQueue } from '../../src/infrastructure/jobs/job-queue.js';
import { type JobRunner, startJobRunner } from '../../src/infrastructure/jobs/job-runner.js';
import type { Executor } from '../../src/shared/transaction.js';
import { makeJobDue, queuedJobs } from '../helpers/factories/index.js';
import { waitFor } from '../helpers/processes.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

interface TestEvents {
  'user.created': { userId: string; email: string };
  'thing.happened': { thingId: string };
}

const silent = { error() {}, warn() {}, info() {}, debug() {} };

let database: TestDatabase;
let client: DatabaseClient;
let queue: JobQueue<Record<string, never>>;
let runner: JobRunner | undefined;

beforeAll(async () => {
  database = await createTestDatabase();
  client = createDatabaseClient(database.url, { max: 4 });
  queue = createJobQueue<Record<string, never>>(client.db);
  queue.define({});
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

function busWithQueue(sink: DurableSink = durableEventSink(queue)) {
  const failures: SubscriberFailure[] = [];
  const bus = createEventBus<TestEvents>({ onSubscriberError: (f) => failures.push(f), durable: sink });
  return { bus, failures };
}

const newUser = () => ({
  id: randomUUID(),
  email: `durable-${randomUUID()}@example.test`,
  passwordHash: 'not-a-real-hash',
  name: 'Durable Test',
});

async function userExists(id: string): Promise<boolean> {
  const rows = await client.db.select({ id: users.id }).from(users).where(eq(users.id, id));
  return rows.length === 1;
}

function startWorkerFor(bus: EventBus<TestEvents>) {
  return startJobRunner({
    databaseUrl: database.url,
    queue,
    extraTasks: durableEventTasks(bus),
    concurrency: 2,
    log: silent,
  }).then((started) => {
    runner = started;
    return started;
  });
}

describe('durable subscribers', () => {
  it('become a job in the publishing transaction: none when it rolls back, one when it commits', async () => {
    const { bus } = busWithQueue();
    const inProcess: string[] = [];
    const durable: string[] = [];
    bus.subscribe('user.created', async ({ userId }) => void inProcess.push(userId), { name: 'cache' });
    bus.subscribe('user.created', async ({ userId }) => void durable.push(userId), {
      name: 'welcome-email',
      durable: true,
    });

    const rolledBack = newUser();
    await expect(
      unitOfWork(client.db, bus, async (tx, events) => {
        await tx.insert(users).values(rolledBack);
        events.publish('user.created', { userId: rolledBack.id, email: rolledBack.email });
        throw new Error('refused after the write');
      }),
    ).rejects.toThrow('refused after the write');
    expect(await userExists(rolledBack.id)).toBe(false);
    expect(await queuedJobs(client.db)).toEqual([]);

    const committed = newUser();
    await unitOfWork(client.db, bus, async (tx, events) => {
      await tx.insert(users).values(committed);
      events.publish('user.created', { userId: committed.id, email: committed.email });
      events.publish('thing.happened', { thingId: 'no durable subscriber: no job' });
    });
    expect(await queuedJobs(client.db)).toEqual([
      expect.objectContaining({
        task: 'event:welcome-email',
        payload: { event: 'user.created', payload: { userId: committed.id, email: committed.email } },
        attempts: 0,
        maxAttempts: 25,
      }),
    ]);
    // The in-process subscriber ran after the commit; the durable one waits for a worker.
    await bus.settle();
    expect(inProcess).toEqual([committed.id]);
    expect(durable).toEqual([]);

    await startWorkerFor(bus);
    await waitFor('the durable subscriber to run', async () => (durable.length === 1 ? true : undefined), {
      timeoutMs: 10_000,
    });
    expect(durable).toEqual([committed.id]);
    await waitFor(
      'its job to be deleted',
      async () => ((await queuedJobs(client.db)).length === 0 ? true : undefined),
      {
        timeoutMs: 10_000,
      },
    );
  });

  it('published outside a transaction (already committed work), the job is enqueued before publish resolves', async () => {
    const { bus } = busWithQueue();
    bus.subscribe('thing.happened', async () => {}, { name: 'thing-counter', durable: true, maxAttempts: 5 });
    await bus.publish('thing.happened', { thingId: 't1' });
    expect(await queuedJobs(client.db)).toEqual([
      expect.objectContaining({
        task: 'event:thing-counter',
        payload: { event: 'thing.happened', payload: { thingId: 't1' } },
        maxAttempts: 5,
      }),
    ]);
  });

  it('a failing durable subscriber is retried, then its job shows as failed with the error', async () => {
    const { bus, failures } = busWithQueue();
    let calls = 0;
    bus.subscribe(
      'thing.happened',
      async () => {
        calls++;
        throw new Error('the mail server refused');
      },
      { name: 'flaky-mail', durable: true, maxAttempts: 2 },
    );
    await unitOfWork(client.db, bus, async (_tx, events) =>
      events.publish('thing.happened', { thingId: 't2' }),
    );
    await startWorkerFor(bus);
    const [first] = await waitFor(
      'the first attempt to fail',
      async () => {
        const jobs = await queuedJobs(client.db);
        return jobs[0]?.attempts === 1 && jobs[0].lockedAt === null ? jobs : undefined;
      },
      { timeoutMs: 10_000 },
    );
    expect(first?.lastError).toBe('the mail server refused');
    await makeJobDue(client.db, first!.id);
    const [failed] = await waitFor(
      'the last attempt to fail',
      async () => {
        const jobs = await queuedJobs(client.db);
        return jobs[0]?.attempts === 2 && jobs[0].lockedAt === null ? jobs : undefined;
      },
      { timeoutMs: 10_000 },
    );
    expect(failed).toMatchObject({ task: 'event:flaky-mail', attempts: 2, maxAttempts: 2 });
    expect(calls).toBe(2);
    // The worker reports it (job-runner.ts), not the bus: the publisher's work stood.
    expect(failures).toEqual([]);
  });

  it('a write whose durable job cannot be enqueued does not commit', async () => {
    const { bus } = busWithQueue({
      enqueue: async () => {
        throw new Error('the queue is unreachable');
      },
    });
    bus.subscribe('user.created', async () => {}, { name: 'must-not-be-lost', durable: true });
    const user = newUser();
    await expect(
      unitOfWork(client.db, bus, async (tx, events) => {
        await tx.insert(users).values(user);
        events.publish('user.created', { userId: user.id, email: user.email });
      }),
    ).rejects.toThrow('the queue is unreachable');
    expect(await userExists(user.id)).toBe(false);
  });

  it('a transaction publishing only events without durable subscribers runs no queue statement', async () => {
    let enqueues = 0;
    const { bus } = busWithQueue({
      enqueue: async () => {
        enqueues++;
      },
    });
    bus.subscribe('user.created', async () => {}, { name: 'durable-elsewhere', durable: true });
    bus.subscribe('thing.happened', async () => {}, { name: 'in-process' });
    await unitOfWork(client.db, bus, async (_tx, events) =>
      events.publish('thing.happened', { thingId: 't' }),
    );
    await bus.publish('thing.happened', { thingId: 't' });
    expect(enqueues).toBe(0);
  });

  it('`when` decides from the payload which events become jobs: the others cost no queue statement', async () => {
    let enqueued: string[] = [];
    const { bus } = busWithQueue({
      enqueue: async (_executor, deliveries) => {
        enqueued = [...enqueued, ...deliveries.map((d) => (d.payload as { thingId: string }).thingId)];
      },
    });
    bus.subscribe('thing.happened', async () => {}, {
      name: 'only-wanted',
      durable: true,
      when: ({ thingId }) => thingId.startsWith('wanted'),
    });
    await unitOfWork(client.db, bus, async (_tx, events) => {
      events.publish('thing.happened', { thingId: 'ignored-1' });
      events.publish('thing.happened', { thingId: 'wanted-1' });
    });
    await unitOfWork(client.db, bus, async (_tx, events) =>
      events.publish('thing.happened', { thingId: 'ignored-2' }),
    );
    expect(enqueued).toEqual(['wanted-1']);
  });

  describe('a single-statement write (singleStatementWrite)', () => {
    const insertUser = (user: ReturnType<typeof newUser>) => (executor: Executor) =>
      executor
        .insert(users)
        .values(user)
        .returning({ id: users.id })
        .then(([row]) => row);

    it('runs on the pool, not in a transaction, when no durable subscriber wants its event; delivers it after', async () => {
      let enqueues = 0;
      const { bus } = busWithQueue({
        enqueue: async () => {
          enqueues++;
        },
      });
      const delivered: string[] = [];
      bus.subscribe('user.created', async ({ userId }) => void delivered.push(userId), { name: 'cache' });
      bus.subscribe('user.created', async () => {}, {
        name: 'welcome-email',
        durable: true,
        when: ({ email }) => email.startsWith('welcome'),
      });
      const user = newUser();
      const executors: unknown[] = [];
      const written = await singleStatementWrite(
        client.db,
        bus,
        { name: 'user.created', payload: { userId: user.id, email: user.email } },
        (executor) => {
          executors.push(executor);
          return insertUser(user)(executor);
        },
      );
      expect(written).toEqual({ id: user.id });
      expect(executors).toEqual([client.db]);
      expect(delivered).toEqual([user.id]);
      expect(enqueues).toBe(0);

      // A write that wrote nothing delivers nothing.
      expect(
        await singleStatementWrite(
          client.db,
          bus,
          { name: 'user.created', payload: { userId: 'none', email: 'none@example.test' } },
          async () => undefined,
        ),
      ).toBeUndefined();
      expect(delivered).toEqual([user.id]);
    });

    it('runs in a transaction with the job when a durable subscriber wants its event: both or neither', async () => {
      const { bus } = busWithQueue();
      bus.subscribe('user.created', async () => {}, { name: 'welcome-email', durable: true });
      const refused = newUser();
      await expect(
        singleStatementWrite(
          client.db,
          bus,
          { name: 'user.created', payload: { userId: refused.id, email: refused.email } },
          async (executor) => {
            expect(executor).toBeInstanceOf(PgTransaction);
            await insertUser(refused)(executor);
            throw new Error('refused after the write');
          },
        ),
      ).rejects.toThrow('refused after the write');
      expect(await userExists(refused.id)).toBe(false);
      expect(
        await singleStatementWrite(
          client.db,
          bus,
          { name: 'user.created', payload: { userId: refused.id, email: refused.email } },
          async () => undefined,
        ),
      ).toBeUndefined();
      expect(await queuedJobs(client.db)).toEqual([]);

      const user = newUser();
      await singleStatementWrite(
        client.db,
        bus,
        { name: 'user.created', payload: { userId: user.id, email: user.email } },
        insertUser(user),
      );
      expect(await userExists(user.id)).toBe(true);
      expect(await queuedJobs(client.db)).toEqual([
        expect.objectContaining({
          task: 'event:welcome-email',
          payload: { event: 'user.created', payload: { userId: user.id, email: user.email } },
        }),
      ]);
    });
  });

  it('refuses two durable subscribers with one name (the name names the job’s task)', () => {
    const { bus } = busWithQueue();
    bus.subscribe('user.created', async () => {}, { name: 'twice', durable: true });
    expect(() => bus.subscribe('thing.happened', async () => {}, { name: 'twice', durable: true })).toThrow(
      /subscribed twice/,
    );
  });
});
