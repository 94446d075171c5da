import Fastify, { type FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { errorHandlerPlugin } from '../../src/http/error-handler.js';
import { registerRateLimit } from '../../src/http/rate-limit.js';
import { clientKey } from '../../src/shared/client-address.js';
import { requireRedis } from '../helpers/suite-requirements.js';
import { createTestRedis, redisReady } from '../helpers/test-app.js';

const withRedis = await requireRedis(
  'the rate limiter with its counters in Redis (1 test of rate-limit.test.ts)',
);

describe('clientKey', () => {
  it('keeps IPv4 addresses, reduces IPv6 ones to their /64 and IPv4-mapped ones to IPv4', () => {
    expect(clientKey('203.0.113.9')).toBe('203.0.113.9');
    expect(clientKey('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:DB8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8::')).toBe('2001:db8:0:0::/64');
    expect(clientKey('::1')).toBe('0:0:0:0::/64');
    expect(clientKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(clientKey('::ffff:198.51.100.7')).toBe('198.51.100.7');
    expect(clientKey('::ffff:c633:6407')).toBe('198.51.100.7');
    expect(clientKey('2001:db8:1:2:3:4:192.0.2.1')).toBe('2001:db8:1:2::/64');
    // Not an address (a forwarded header taken as is): used as it is, lower-cased.
    expect(clientKey('Not:An:Address')).toBe('not:an:address');
  });
});

describe('registerRateLimit', () => {
  let app: FastifyInstance | undefined;
  let redis: Redis | undefined;
  afterEach(async () => {
    await app?.close();
    redis?.disconnect();
    app = undefined;
    redis = undefined;
  });

  async function build(options: { globalPerMinute: number; redis?: Redis }) {
    app = Fastify({ logger: false });
    await app.register(errorHandlerPlugin);
    await registerRateLimit(app, options);
    app.get('/open', async () => ({ ok: true }));
    app.get('/tight', { config: { rateLimit: { max: 1, timeWindow: '1 minute' } } }, async () => ({
      ok: true,
    }));
    app.get('/unlimited', { config: { rateLimit: false } }, async () => ({ ok: true }));
    return app;
  }
  const get = (url: string, remoteAddress: string) => app!.inject({ method: 'GET', url, remoteAddress });

  /** Counts per client, announces the allowance, then answers 429 with Retry-After. */
  async function countsThenLimits() {
    const first = await get('/open', '192.0.2.10');
    expect(first.statusCode).toBe(200);
    expect(first.headers['ratelimit-limit']).toBe('2');
    expect(first.headers['ratelimit-remaining']).toBe('1');
    expect(Number(first.headers['ratelimit-reset'])).toBeGreaterThan(55);
    expect((await get('/open', '192.0.2.10')).headers['ratelimit-remaining']).toBe('0');

    const limited = await get('/open', '192.0.2.10');
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(limited.json()).toMatchObject({ code: 'rate_limited', status: 429 });
    expect(limited.json().detail).toMatch(
      /^Too many requests: the limit is 2 per 1 minute\. Try again in (1 minute|\d+ seconds?)\.$/,
    );
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.headers['ratelimit-remaining']).toBe('0');

    // Another client is not affected; a route's own limit is counted separately from the global one.
    expect((await get('/open', '192.0.2.11')).statusCode).toBe(200);
    expect((await get('/tight', '192.0.2.10')).statusCode).toBe(200);
    expect((await get('/tight', '192.0.2.10')).statusCode).toBe(429);
    expect((await get('/unlimited', '192.0.2.10')).headers['ratelimit-limit']).toBeUndefined();
  }

  it('in-process: counts per client, announces the allowance, then answers 429 with Retry-After', async () => {
    await build({ globalPerMinute: 2 });
    await countsThenLimits();
  });

  it.skipIf(!withRedis.available)(
    withRedis.title('Redis: the same, with the counters in Redis'),
    async () => {
      redis = createTestRedis();
      await redisReady(redis);
      await build({ globalPerMinute: 2, redis });
      await countsThenLimits();
    },
  );

  it('treats the addresses of one IPv6 /64 as one client', async () => {
    await build({ globalPerMinute: 1 });
    expect((await get('/open', '2001:db8:5:6::1')).statusCode).toBe(200);
    expect((await get('/open', '2001:db8:5:6:ffff::2')).statusCode).toBe(429);
    expect((await get('/open', '2001:db8:5:7::1')).statusCode).toBe(200);
  });

  it('lets requests through while Redis is unreachable (the limiter fails open)', async () => {
    // Nothing listens on port 1; commands fail at once (no offline queue), as when Redis is down.
    redis = new Redis({ port: 1, lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0 });
    redis.on('error', () => {});
    await build({ globalPerMinute: 1, redis });
    for (let i = 0; i < 3; i++) {
      const response = await get('/open', '192.0.2.20');
      expect(response.statusCode).toBe(200);
      expect(response.headers['ratelimit-remaining']).toBe('1');
    }
  });
});
