import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { eq, sql } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cache } from '../../src/infrastructure/cache/cache.js';
import { MemoryCache } from '../../src/infrastructure/cache/memory-cache.js';
import { RedisCache } from '../../src/infrastructure/cache/redis-cache.js';
import {
  createDatabaseClient,
  type Database,
  type DatabaseClient,
} from '../../src/infrastructure/database/client/client.js';
import { users } from '../../src/infrastructure/database/schema/index.js';
import { createRedis } from '../../src/infrastructure/redis.js';
import { createUserCache, selectAuthState } from '../../src/modules/users/user-cache.js';
import type { UserAuthState } from '../../src/shared/actor.js';
import { bearer, insertUser, mintAccessToken } from '../helpers/factories/index.js';
import { sleep } from '../helpers/processes.js';
import { useSecondInstance } from '../helpers/second-instance.js';
import { requireRedis } from '../helpers/suite-requirements.js';
import { createTestRedis } from '../helpers/test-app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { useTestApp } from '../helpers/use-test-app.js';

/**
 * The user cache against the real services: users rows in PostgreSQL (read by the cache's own
 * primary-key query) and, under the Redis heading, the generations in Redis. Changes are made in SQL;
 * `userChanged` is what the `user.changed` subscriber calls after the commit of an API write.
 */

const withRedis = await requireRedis('the user cache over Redis (6 tests of user-cache)');
const STUDENT: UserAuthState = { role: 'student', isActive: true, tokenVersion: 0 };
const DEACTIVATED: UserAuthState = { role: 'student', isActive: false, tokenVersion: 1 };

let database: TestDatabase;
let client: DatabaseClient;
let db: Database;

beforeAll(async () => {
  database = await createTestDatabase();
  client = createDatabaseClient(database.url, { max: 3 });
  db = client.db;
});
afterAll(async () => {
  await client?.close();
  await database?.drop();
});

/** A change the application would make (deactivation bumps the token version), in SQL. */
async function deactivate(userId: string): Promise<void> {
  await db
    .update(users)
    .set({ isActive: false, deactivatedAt: new Date(), tokenVersion: sql`${users.tokenVersion} + 1` })
    .where(eq(users.id, userId));
}

/**
 * The cache's real PostgreSQL read, counted; `holdNext()` lets the next read reach the database and
 * get its row, then keeps the answer until released (a reader slowed down on its way back).
 */
function countedReads() {
  const read = selectAuthState(db);
  let held: { read: () => void; release: Promise<void> } | undefined;
  const reads = {
    count: 0,
    holdNext() {
      let release!: () => void;
      let readDone!: () => void;
      const done = new Promise<void>((resolve) => {
        readDone = resolve;
      });
      held = {
        read: readDone,
        release: new Promise((resolve) => {
          release = resolve;
        }),
      };
      return { hasRead: done, release };
    },
    async load(userId: string): Promise<UserAuthState | undefined> {
      reads.count += 1;
      const hold = held;
      held = undefined;
      const state = await read(userId);
      if (hold) {
        hold.read();
        await hold.release;
      }
      return state;
    },
  };
  return reads;
}

describe.each([
  ['in-process', false],
  ['Redis', true],
] as const)('createUserCache over the %s cache', (_name, useRedis) => {
  const skip = useRedis && !withRedis.available;
  const connections: Redis[] = [];
  let shared: Cache;
  /** A second instance's view of the same shared cache (its own Redis connection, same keys). */
  let sharedFromAnotherInstance: Cache;

  beforeAll(async () => {
    shared = new MemoryCache();
    sharedFromAnotherInstance = shared;
    if (useRedis && !skip) {
      const first = createTestRedis()!;
      const second = createRedis(process.env.TEST_REDIS_URL!);
      second.options.keyPrefix = first.options.keyPrefix;
      connections.push(first, second);
      for (const redis of connections) if (redis.status !== 'ready') await once(redis, 'ready');
      shared = new RedisCache(first);
      sharedFromAnotherInstance = new RedisCache(second);
    }
  });
  afterAll(() => {
    for (const redis of connections) redis.disconnect();
  });

  const cacheOver = (
    reads: ReturnType<typeof countedReads>,
    options: { ttlSeconds?: number; cache?: Cache } = {},
  ) =>
    createUserCache({
      db,
      cache: options.cache ?? shared,
      loadAuthState: (userId) => reads.load(userId),
      ttlSeconds: options.ttlSeconds,
    });

  it.skipIf(skip)('serves its copy until userChanged, then reads again', async () => {
    const user = await insertUser(db);
    const reads = countedReads();
    const cache = cacheOver(reads);
    expect(await cache.authState(user.id)).toEqual(STUDENT);
    expect(await cache.authState(user.id)).toEqual(STUDENT);
    expect(reads.count).toBe(1);

    await deactivate(user.id);
    // Not invalidated yet: the copy is served (the row already says otherwise).
    expect(await cache.authState(user.id)).toEqual(STUDENT);
    await cache.userChanged(user.id);
    expect(await cache.authState(user.id)).toEqual(DEACTIVATED);
    expect(reads.count).toBe(2);
  });

  it.skipIf(skip)(
    'never keeps state read before a write that invalidated it (read/invalidate race)',
    async () => {
      const user = await insertUser(db);
      const reads = countedReads();
      const cache = cacheOver(reads);
      // A reader gets the row as it is before the write...
      const { hasRead, release } = reads.holdNext();
      const slowRead = cache.authState(user.id);
      await hasRead;
      // ...the write commits and invalidates while the reader is still on its way back...
      await deactivate(user.id);
      await cache.userChanged(user.id);
      // ...and then the reader stores what it read, which is already stale.
      release();
      expect(await slowRead).toEqual(STUDENT);
      // The next request does not get that stale copy.
      expect(await cache.authState(user.id)).toEqual(DEACTIVATED);
      expect(reads.count).toBe(2);
    },
  );

  it.skipIf(skip)('instances sharing the cache see each other’s invalidations', async () => {
    const user = await insertUser(db);
    const reads = countedReads();
    const instanceA = cacheOver(reads);
    const instanceB = cacheOver(reads, { cache: sharedFromAnotherInstance });
    expect(await instanceA.authState(user.id)).toEqual(STUDENT);
    expect(await instanceB.authState(user.id)).toEqual(STUDENT);
    await deactivate(user.id);
    await instanceB.userChanged(user.id);
    expect(await instanceA.authState(user.id)).toEqual(DEACTIVATED);
  });

  it.skipIf(skip)('the /me bytes are kept per user and dropped by userChanged', async () => {
    const user = await insertUser(db);
    const cache = cacheOver(countedReads());
    let loads = 0;
    const load = async () => JSON.stringify({ name: `version ${++loads}` });
    expect((await cache.me(user.id, load)).toString()).toBe('{"name":"version 1"}');
    expect((await cache.me(user.id, load)).toString()).toBe('{"name":"version 1"}');
    await cache.userChanged(user.id);
    expect((await cache.me(user.id, load)).toString()).toBe('{"name":"version 2"}');
    // A failed load (the user vanished: 401) caches nothing.
    await cache.userChanged(user.id);
    await expect(
      cache.me(user.id, async () => {
        throw new Error('gone');
      }),
    ).rejects.toThrow('gone');
    expect((await cache.me(user.id, load)).toString()).toBe('{"name":"version 3"}');
  });

  it.skipIf(skip)('copies expire after the safety-net TTL', async () => {
    const user = await insertUser(db);
    const cache = cacheOver(countedReads(), { ttlSeconds: 1 });
    const cachedAt = performance.now();
    await cache.authState(user.id);
    // Changed behind the application's back: no invalidation, only the TTL.
    await deactivate(user.id);
    expect(await cache.authState(user.id)).toEqual(STUDENT);
    const deadline = cachedAt + 3_000;
    let state = await cache.authState(user.id);
    while (state?.isActive && performance.now() < deadline) {
      await sleep(50);
      state = await cache.authState(user.id);
    }
    expect(state).toEqual(DEACTIVATED);
    expect(performance.now() - cachedAt).toBeGreaterThanOrEqual(1_000);
  });

  it.skipIf(skip)('unknown users are not cached', async () => {
    const reads = countedReads();
    const cache = cacheOver(reads);
    const id = randomUUID();
    expect(await cache.authState(id)).toBeUndefined();
    expect(await cache.authState(id)).toBeUndefined();
    expect(reads.count).toBe(2);
    // The account appears (ids come from signed tokens; say, a restored row): the next read sees it.
    await insertUser(db, { id });
    expect(await cache.authState(id)).toEqual(STUDENT);
  });
});

describe('createUserCache without a reachable shared cache', () => {
  it('reads the database on every request instead of trusting copies it cannot check', async () => {
    // Nothing listens on port 1; commands fail at once (no offline queue), as when Redis is down.
    const unreachable = new Redis({
      port: 1,
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
    });
    unreachable.on('error', () => {});
    try {
      const user = await insertUser(db);
      const reads = countedReads();
      const cache = createUserCache({
        db,
        cache: new RedisCache(unreachable),
        loadAuthState: (userId) => reads.load(userId),
      });
      expect(await cache.authState(user.id)).toEqual(STUDENT);
      await deactivate(user.id);
      expect(await cache.authState(user.id)).toEqual(DEACTIVATED);
      expect(reads.count).toBe(2);
    } finally {
      unreachable.disconnect();
    }
  });
});

/** Two API instances on one database and one Redis, as behind a load balancer. */
describe.skipIf(!withRedis.available)(withRedis.title('two instances sharing Redis'), () => {
  const first = useTestApp();
  const second = useSecondInstance(first);

  it('a deactivation and a role change on one instance take effect on the other at once', async () => {
    const admin = await insertUser(first.db, { role: 'admin' });
    const adminHeaders = bearer(await mintAccessToken(first.testApp, admin));
    const student = await insertUser(first.db);
    const headers = bearer(await mintAccessToken(first.testApp, student));
    const onSecond = (url: string) => second.app.inject({ method: 'GET', url: `/api/v1${url}`, headers });
    for (let i = 0; i < 2; i++) {
      expect((await onSecond('/me')).statusCode).toBe(200);
      expect((await onSecond('/users?limit=1')).statusCode).toBe(403);
    }

    const promote = await first.app.inject({
      method: 'PATCH',
      url: `/api/v1/users/${student.id}/role`,
      headers: adminHeaders,
      payload: { role: 'admin' },
    });
    expect(promote.statusCode).toBe(200);
    expect((await onSecond('/users?limit=1')).statusCode).toBe(200);
    expect((await onSecond('/me')).json().role).toBe('admin');

    const deactivate = await first.app.inject({
      method: 'POST',
      url: `/api/v1/users/${student.id}/deactivate`,
      headers: adminHeaders,
    });
    expect(deactivate.statusCode).toBe(200);
    expect((await onSecond('/me')).statusCode).toBe(401);
  });
});
