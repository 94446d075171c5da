import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisCache } from '../../src/infrastructure/cache/redis-cache.js';
import { createRedis } from '../../src/infrastructure/redis.js';
import { sleep, startTcpProxy, type TcpProxy } from '../helpers/processes.js';
import { requireRedis } from '../helpers/suite-requirements.js';

/**
 * Invalidations this instance could not send while cut off from Redis are replayed on reconnect
 * (the two-instance effect is in test/reliability/redis-partition.test.ts).
 */

const redisUrl = process.env.TEST_REDIS_URL;
const withRedis = await requireRedis(
  'the replay of invalidations lost while Redis is unreachable (redis-cache-replay)',
);

let proxy: TcpProxy | undefined;
const connections: Redis[] = [];

afterEach(async () => {
  for (const connection of connections.splice(0)) connection.disconnect();
  await proxy?.close();
});

async function setUp() {
  const direct = createRedis(redisUrl!);
  proxy = await startTcpProxy(Number(new URL(redisUrl!).port || 6379));
  const throughProxy = createRedis(`redis://127.0.0.1:${proxy.port}`);
  connections.push(direct, throughProxy);
  const prefix = `lp:test:${randomUUID()}`;
  const cache = new RedisCache(throughProxy, prefix);
  const ready = (connection: Redis) =>
    connection.status === 'ready'
      ? Promise.resolve()
      : new Promise((resolve) => connection.once('ready', resolve));
  await Promise.all([ready(direct), ready(throughProxy)]);
  return { direct, cache, prefix };
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (await check()) return true;
    await sleep(50);
  }
  return false;
}

describe.skipIf(!withRedis.available)(
  withRedis.title('RedisCache: invalidations lost while Redis is unreachable'),
  () => {
    it('deletes a plain value whose write was lost and bumps a lost namespace version, once back', async () => {
      const { direct, cache, prefix } = await setUp();
      await cache.setPlain('generation', 'course-1', 'before', 60);
      await cache.invalidate('catalog');
      expect(await direct.get(`${prefix}:plain:generation:course-1`)).toBe('before');
      expect(await direct.get(`${prefix}:catalog:version`)).toBe('1');

      proxy!.cut();
      await sleep(100);
      await cache.setPlain('generation', 'course-1', 'lost', 60);
      await cache.invalidate('catalog');
      await cache.setPlain('generation', 'course-2', 'lost too', 60);
      expect(cache.unsentCount).toBe(3);
      // Meanwhile another instance sets a fresh stamp: the replay must not bring back the lost value.
      await direct.set(`${prefix}:plain:generation:course-2`, 'set by another instance');

      proxy!.heal();
      expect(await waitUntil(async () => cache.unsentCount === 0)).toBe(true);
      expect(await direct.get(`${prefix}:plain:generation:course-1`)).toBeNull();
      expect(await direct.get(`${prefix}:plain:generation:course-2`)).toBeNull();
      expect(await direct.get(`${prefix}:catalog:version`)).toBe('2');
    });

    it('past 10,000 lost keys, drops every plain key of its prefix on reconnect', async () => {
      const { direct, cache, prefix } = await setUp();
      await direct.set(`${prefix}:plain:user:generation:someone`, 'kept until the replay');
      proxy!.cut();
      await sleep(100);
      for (let i = 0; i < 10_001; i++) await cache.setPlain('generation', `course-${i}`, 'lost', 60);
      expect(cache.unsentCount).toBeGreaterThanOrEqual(10_000);
      proxy!.heal();
      expect(await waitUntil(async () => cache.unsentCount === 0)).toBe(true);
      expect(await direct.keys(`${prefix}:plain:*`)).toEqual([]);
    });
  },
);
