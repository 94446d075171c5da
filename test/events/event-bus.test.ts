import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDatabaseClient,
  type DatabaseClient,
} from '../../src/infrastructure/database/client/client.js';
import { users } from '../../src/infrastructure/database/schema/index.js';
import { createEventBus, type SubscriberFailure } from '../../src/infrastructure/events/event-bus.js';
import { unitOfWork } from '../../src/infrastructure/events/unit-of-work.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

interface TestEvents {
  'user.created': { userId: string; email: string };
  'thing.happened': { thingId: string };
}

function recordingBus() {
  const failures: SubscriberFailure[] = [];
  const bus = createEventBus<TestEvents>({ onSubscriberError: (failure) => failures.push(failure) });
  return { bus, failures };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('event bus', () => {
  it('delivers an event published outside a transaction before publish resolves', async () => {
    const { bus } = recordingBus();
    const seen: string[] = [];
    bus.subscribe('thing.happened', async ({ thingId }) => void seen.push(thingId), { name: 'recorder' });
    await bus.publish('thing.happened', { thingId: 'a' });
    expect(seen).toEqual(['a']);
  });

  it('a subscriber with `when` gets only the events whose payload passes it', async () => {
    const { bus } = recordingBus();
    const seen: string[] = [];
    bus.subscribe('thing.happened', async ({ thingId }) => void seen.push(thingId), {
      name: 'picky',
      when: ({ thingId }) => thingId !== 'skip',
    });
    await bus.publish('thing.happened', { thingId: 'skip' });
    await bus.publish('thing.happened', { thingId: 'b' });
    expect(seen).toEqual(['b']);
  });

  it('a failing subscriber is reported without its payload and does not stop the others', async () => {
    const { bus, failures } = recordingBus();
    const seen: string[] = [];
    bus.subscribe(
      'user.created',
      async () => {
        throw new Error('cache unreachable');
      },
      { name: 'broken' },
    );
    bus.subscribe('user.created', async ({ userId }) => void seen.push(userId), { name: 'working' });
    await expect(bus.publish('user.created', { userId: 'u1', email: 'secret@example.test' })).resolves.toBe(
      undefined,
    );
    expect(seen).toEqual(['u1']);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ event: 'user.created', subscriber: 'broken' });
    expect(JSON.stringify(failures[0])).not.toContain('secret@example.test');
  });

  it('a throwing error reporter does not reach the publisher', async () => {
    const bus = createEventBus<TestEvents>({
      onSubscriberError: () => {
        throw new Error('logger down');
      },
    });
    bus.subscribe(
      'thing.happened',
      async () => {
        throw new Error('boom');
      },
      { name: 'broken' },
    );
    await expect(bus.publish('thing.happened', { thingId: 'x' })).resolves.toBe(undefined);
  });

  it('detached subscribers start after publish has resolved, and settle waits for them', async () => {
    const { bus } = recordingBus();
    const steps: string[] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    bus.subscribe(
      'thing.happened',
      async () => {
        steps.push('detached started');
        await gate;
        steps.push('detached done');
      },
      { name: 'mailer', detached: true },
    );
    bus.subscribe('thing.happened', async () => void steps.push('waited'), { name: 'cache' });

    await bus.publish('thing.happened', { thingId: 'a' });
    steps.push('publish resolved');
    let settled = false;
    const settling = bus.settle().then(() => {
      settled = true;
    });
    await tick();
    await tick();
    expect(steps).toEqual(['waited', 'publish resolved', 'detached started']);
    expect(settled).toBe(false);
    release();
    await settling;
    expect(steps.at(-1)).toBe('detached done');
  });

  it('on a bus without a job queue, durable subscribers are delivered like detached ones', async () => {
    const { bus } = recordingBus();
    const seen: string[] = [];
    bus.subscribe('thing.happened', async ({ thingId }) => void seen.push(thingId), {
      name: 'durable',
      durable: true,
    });
    await bus.publish('thing.happened', { thingId: 'a' });
    expect(seen).toEqual([]);
    await bus.settle();
    expect(seen).toEqual(['a']);
  });

  it('event names and payloads are checked at compile time', async () => {
    const { bus } = recordingBus();
    // @ts-expect-error: `thing.happened` carries a thingId, not a userId
    await bus.publish('thing.happened', { userId: 'u1' });
    // @ts-expect-error: no such event
    await bus.publish('thing.vanished', { thingId: 't' });
    bus.subscribe(
      'user.created',
      // @ts-expect-error: the handler reads a field the event does not have
      async (payload: { courseId: string }) => void payload.courseId,
      { name: 'wrong' },
    );
  });
});

describe('unit of work: events of a transaction are delivered after its commit only', () => {
  let testDatabase: TestDatabase;
  let database: DatabaseClient;

  beforeAll(async () => {
    testDatabase = await createTestDatabase();
    database = createDatabaseClient(testDatabase.url, { max: 3 });
  });
  afterAll(async () => {
    await database?.close();
    await testDatabase?.drop();
  });

  /** Whether another connection sees the user: true only once the inserting transaction committed. */
  async function committed(userId: string): Promise<boolean> {
    const { rows } = await database.pool.query('SELECT 1 FROM users WHERE id = $1', [userId]);
    return rows.length === 1;
  }

  const newUser = () => ({
    id: randomUUID(),
    email: `events-${randomUUID()}@example.test`,
    passwordHash: 'not-a-real-hash',
    name: 'Event Test',
  });

  it('delivers after the commit, in publication order, before unitOfWork resolves', async () => {
    const { bus } = recordingBus();
    const deliveries: { event: string; visible: boolean }[] = [];
    bus.subscribe(
      'user.created',
      async ({ userId }) => void deliveries.push({ event: 'created', visible: await committed(userId) }),
      { name: 'created-recorder' },
    );
    bus.subscribe('thing.happened', async () => void deliveries.push({ event: 'thing', visible: true }), {
      name: 'thing-recorder',
    });
    const user = newUser();
    const result = await unitOfWork(database.db, bus, async (tx, events) => {
      await tx.insert(users).values(user);
      events.publish('user.created', { userId: user.id, email: user.email });
      events.publish('thing.happened', { thingId: 't' });
      // Nothing is delivered while the transaction is open.
      expect(deliveries).toEqual([]);
      return 'done';
    });
    expect(result).toBe('done');
    expect(deliveries).toEqual([
      { event: 'created', visible: true },
      { event: 'thing', visible: true },
    ]);
  });

  it('delivers nothing when the transaction rolls back', async () => {
    const { bus } = recordingBus();
    const deliveries: string[] = [];
    bus.subscribe('user.created', async ({ userId }) => void deliveries.push(userId), { name: 'recorder' });
    bus.subscribe('user.created', async ({ userId }) => void deliveries.push(userId), {
      name: 'detached-recorder',
      detached: true,
    });
    const user = newUser();
    await expect(
      unitOfWork(database.db, bus, async (tx, events) => {
        await tx.insert(users).values(user);
        events.publish('user.created', { userId: user.id, email: user.email });
        throw new Error('refused after the write');
      }),
    ).rejects.toThrow('refused after the write');
    await bus.settle();
    expect(deliveries).toEqual([]);
    expect(await committed(user.id)).toBe(false);
  });

  it('a failing subscriber does not undo or fail the committed work', async () => {
    const { bus, failures } = recordingBus();
    bus.subscribe(
      'user.created',
      async () => {
        throw new Error('cache unreachable');
      },
      { name: 'broken' },
    );
    const user = newUser();
    await unitOfWork(database.db, bus, async (tx, events) => {
      await tx.insert(users).values(user);
      events.publish('user.created', { userId: user.id, email: user.email });
    });
    expect(failures.map((failure) => failure.subscriber)).toEqual(['broken']);
    const [row] = await database.db.select({ id: users.id }).from(users).where(eq(users.id, user.id));
    expect(row?.id).toBe(user.id);
  });

  it('refuses a publish after the transaction ended (it could never be delivered)', async () => {
    const { bus } = recordingBus();
    let leaked: ((thingId: string) => void) | undefined;
    await unitOfWork(database.db, bus, async (_tx, events) => {
      leaked = (thingId) => events.publish('thing.happened', { thingId });
    });
    expect(() => leaked?.('late')).toThrow('published after its transaction ended');
  });
});
