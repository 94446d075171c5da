import { once } from 'node:events';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import type { Cache } from '../../src/infrastructure/cache/cache.js';
import { MemoryCache } from '../../src/infrastructure/cache/memory-cache.js';
import { RedisCache } from '../../src/infrastructure/cache/redis-cache.js';
import { createDatabaseClient } from '../../src/infrastructure/database/client/client.js';
import { createRedis } from '../../src/infrastructure/redis.js';
import { createUserCache } from '../../src/modules/users/user-cache.js';
import type { UserAuthState } from '../../src/shared/actor.js';
import { bearer, insertUser, mintAccessToken } from '../helpers/factories/index.js';
import { createTestRedis, redisReady } from '../helpers/test-app.js';
import { createOutboxMailer } from '../helpers/test-mailer.js';
import { useTestApp } from '../helpers/use-test-app.js';

const redisUrl = process.env.TEST_REDIS_URL;
const STUDENT: UserAuthState = { role: 'student', isActive: true, tokenVersion: 0 };
const DEACTIVATED: UserAuthState = { role: 'student', isActive: false, tokenVersion: 1 };

/** A loader standing in for the database: returns `current`, counts its calls, can be held. */
function fakeDatabase(initial: UserAuthState) {
  let current = initial;
  let hold: Promise<void> | undefined;
  const db = {
    calls: 0,
    set(state: UserAuthState) {
      current = state;
    },
    /** The next load reads the row, then waits for `release()` before answering (a slow reader). */
    holdNext() {
      let release!: () => void;
      hold = new Promise((resolve) => {
        release = resolve;
      });
      return release;
    },
    async load(): Promise<UserAuthState> {
      db.calls += 1;
      const seen = current;
      const waiting = hold;
      hold = undefined;
      if (waiting) await waiting;
      return seen;
    },
  };
  return db;
}

describe.each([
  ['in-process', false],
  ['Redis', true],
] as const)('createUserCache over the %s cache', (_name, useRedis) => {
  let redis: Redis | undefined;
  let shared: Cache;

  beforeAll(async () => {
    shared = new MemoryCache();
    if (useRedis) {
      redis = createTestRedis();
      if (redis && redis.status !== 'ready') await once(redis, 'ready');
      if (redis) shared = new RedisCache(redis);
    }
  });
  afterAll(() => {
    redis?.disconnect();
  });

  const cacheOver = (db: ReturnType<typeof fakeDatabase>, ttlSeconds?: number) =>
    createUserCache({
      db: undefined as never,
      cache: shared,
      loadAuthState: () => db.load(),
      ttlSeconds,
    });
  let sequence = 0;
  const userId = () => `00000000-0000-4000-8000-${String(++sequence).padStart(12, '0')}`;

  it.skipIf(useRedis && !redisUrl)('serves its copy until userChanged, then reads again', async () => {
    const db = fakeDatabase(STUDENT);
    const cache = cacheOver(db);
    const id = userId();
    expect(await cache.authState(id)).toEqual(STUDENT);
    expect(await cache.authState(id)).toEqual(STUDENT);
    expect(db.calls).toBe(1);

    db.set(DEACTIVATED);
    await cache.userChanged(id);
    expect(await cache.authState(id)).toEqual(DEACTIVATED);
    expect(db.calls).toBe(2);
  });

  it.skipIf(useRedis && !redisUrl)(
    'never keeps state read before a write that invalidated it (read/invalidate race)',
    async () => {
      const db = fakeDatabase(STUDENT);
      const cache = cacheOver(db);
      const id = userId();
      // A reader loads the row as it was before the write...
      const release = db.holdNext();
      const slowRead = cache.authState(id);
      await new Promise((resolve) => setTimeout(resolve, 20));
      // ...the write commits and invalidates while the reader is still on its way...
      db.set(DEACTIVATED);
      await cache.userChanged(id);
      // ...and then the reader stores what it read, which is already stale.
      release();
      expect(await slowRead).toEqual(STUDENT);
      // The next request does not get that stale copy.
      expect(await cache.authState(id)).toEqual(DEACTIVATED);
      expect(db.calls).toBe(2);
    },
  );

  it.skipIf(useRedis && !redisUrl)('instances sharing the cache see each other’s invalidations', async () => {
    const db = fakeDatabase(STUDENT);
    const instanceA = cacheOver(db);
    const instanceB = cacheOver(db);
    const id = userId();
    expect(await instanceA.authState(id)).toEqual(STUDENT);
    expect(await instanceB.authState(id)).toEqual(STUDENT);
    db.set(DEACTIVATED);
    await instanceB.userChanged(id);
    expect(await instanceA.authState(id)).toEqual(DEACTIVATED);
  });

  it.skipIf(useRedis && !redisUrl)('the /me bytes are kept per user and dropped by userChanged', async () => {
    const cache = cacheOver(fakeDatabase(STUDENT));
    const id = userId();
    let loads = 0;
    const load = async () => JSON.stringify({ name: `version ${++loads}` });
    expect((await cache.me(id, load)).toString()).toBe('{"name":"version 1"}');
    expect((await cache.me(id, load)).toString()).toBe('{"name":"version 1"}');
    await cache.userChanged(id);
    expect((await cache.me(id, load)).toString()).toBe('{"name":"version 2"}');
    // A failed load (the user vanished: 401) caches nothing.
    await cache.userChanged(id);
    await expect(
      cache.me(id, async () => {
        throw new Error('gone');
      }),
    ).rejects.toThrow('gone');
    expect((await cache.me(id, load)).toString()).toBe('{"name":"version 3"}');
  });

  it.skipIf(useRedis && !redisUrl)('copies expire after the safety-net TTL', async () => {
    const db = fakeDatabase(STUDENT);
    const cache = cacheOver(db, 1);
    const id = userId();
    await cache.authState(id);
    db.set(DEACTIVATED);
    // Changed behind the application's back: no invalidation, only the TTL.
    expect(await cache.authState(id)).toEqual(STUDENT);
    await new Promise((resolve) => setTimeout(resolve, 1_050));
    expect(await cache.authState(id)).toEqual(DEACTIVATED);
  });

  it('unknown users are not cached', async () => {
    let calls = 0;
    const cache = createUserCache({
      db: undefined as never,
      cache: new MemoryCache(),
      loadAuthState: async () => {
        calls += 1;
        return undefined;
      },
    });
    const id = userId();
    expect(await cache.authState(id)).toBeUndefined();
    expect(await cache.authState(id)).toBeUndefined();
    expect(calls).toBe(2);
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
      const db = fakeDatabase(STUDENT);
      const cache = createUserCache({
        db: undefined as never,
        cache: new RedisCache(unreachable),
        loadAuthState: () => db.load(),
      });
      const id = '00000000-0000-4000-8000-00000000ffff';
      expect(await cache.authState(id)).toEqual(STUDENT);
      db.set(DEACTIVATED);
      expect(await cache.authState(id)).toEqual(DEACTIVATED);
      expect(db.calls).toBe(2);
    } finally {
      unreachable.disconnect();
    }
  });
});

/** Two API instances on one database and one Redis, as behind a load balancer. */
describe.skipIf(!redisUrl)('two instances sharing Redis', () => {
  const first = useTestApp();
  let second: Awaited<ReturnType<typeof buildApp>>;
  let secondRedis: Redis;
  let secondDatabase: ReturnType<typeof createDatabaseClient>;

  beforeAll(async () => {
    secondRedis = createRedis(redisUrl!);
    secondRedis.options.keyPrefix = first.testApp.redis!.options.keyPrefix;
    await redisReady(secondRedis);
    secondDatabase = createDatabaseClient(first.testApp.url, { max: 2 });
    second = await buildApp({
      config: first.testApp.config,
      database: secondDatabase,
      logger: false,
      redis: secondRedis,
      mailer: createOutboxMailer(),
    });
  });
  afterAll(async () => {
    await second?.close();
    secondRedis?.disconnect();
    await secondDatabase?.close();
  });

  it('a deactivation and a role change on one instance take effect on the other at once', async () => {
    const admin = await insertUser(first.db, { role: 'admin' });
    const adminHeaders = bearer(await mintAccessToken(first.testApp, admin));
    const student = await insertUser(first.db);
    const headers = bearer(await mintAccessToken(first.testApp, student));
    const onSecond = (url: string) => second.inject({ method: 'GET', url: `/api/v1${url}`, headers });
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
