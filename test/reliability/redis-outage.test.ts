import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  type HttpSession,
  insertUser,
  type PublishedCourse,
  serverApi,
  type TestUser,
} from '../helpers/factories/index.js';
import { maxLatency, type Outcome, runWorkers, send, statusOf, tally } from '../helpers/http-client.js';
import {
  type ServerProcess,
  sleep,
  spawnServer,
  startRedisServer,
  waitFor,
  waitForReady,
} from '../helpers/processes.js';
import { type RedisSuite, startRedisSuite } from '../helpers/redis-suite.js';
import { requireCommand } from '../helpers/suite-requirements.js';

/**
 * Redis (rate limits, shared cache) is killed under traffic (catalog reads, sign-ins, /me) and
 * restarted on the same port. While it is down nothing may fail: no 5xx, no errors, no hang. The
 * Redis-backed features degrade by failing open (limits are not enforced, the cache misses and the
 * database answers); once Redis is back the server reconnects by itself and enforces limits again.
 */

const AUTH_PER_MINUTE = 10;
const FAILED_LOGINS_PER_ACCOUNT = 5; // LOGIN_FREE_FAILURES_PER_ADDRESS (src/config.ts)
const OUTAGE_MS = 3_000;
const MAX_REQUEST_MS = 5_000;
const PASSWORD = 'redis outage passphrase';
const TITLE = 'Redis outage under traffic';
const suite = requireCommand('redis-server', `the Redis outage suite (${TITLE})`);

let world: RedisSuite | undefined;
let server: ServerProcess | undefined;
let student: TestUser;
let studentSession: HttpSession;
let course: PublishedCourse;

let addressSequence = 0;
/** A client address of its own, as a load balancer reports it (X-Forwarded-For, TRUST_PROXY=1). */
const clientAddress = () => `203.0.113.${++addressSequence}`;

beforeAll(async () => {
  if (!suite.available) return;
  world = await startRedisSuite(PASSWORD);
  student = world.student;
  server = await spawnServer({
    DATABASE_URL: world.database.url,
    REDIS_URL: world.redis.url,
    TRUST_PROXY: '1',
    RATE_LIMIT_AUTH_PER_MINUTE: String(AUTH_PER_MINUTE),
    RATE_LIMIT_GLOBAL_PER_MINUTE: '1000000',
  });
  await waitForReady(server);
  const instructorSession = await serverApi.login(
    server.port,
    { email: world.instructor.email, password: PASSWORD },
    clientAddress(),
  );
  course = await serverApi.publishCourse(
    server.port,
    instructorSession.accessToken,
    'Survives a Redis outage',
  );
  studentSession = await serverApi.login(
    server.port,
    { email: student.email, password: PASSWORD },
    clientAddress(),
  );
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await world?.close();
});

/** 12 sign-ins from one new address (unknown emails, so no per-account limit): statuses in order. */
async function perAddressProbe(port: number): Promise<string[]> {
  const address = clientAddress();
  const statuses: string[] = [];
  for (let attempt = 0; attempt < AUTH_PER_MINUTE + 2; attempt++) {
    const outcome = await send(port, {
      path: '/api/v1/auth/login',
      body: { email: `nobody-${address}-${attempt}@reliability.test`, password: 'not the password' },
      headers: { 'x-forwarded-for': address },
    });
    statuses.push(statusOf(outcome));
  }
  return statuses;
}

/** 6 wrong passwords for one new account, each from another address: statuses in order. */
async function perAccountProbe(port: number): Promise<string[]> {
  const account = await insertUser(world!.verifier.db, { password: PASSWORD });
  const statuses: string[] = [];
  // Sign-in failures are throttled per account and client address.
  const address = clientAddress();
  for (let attempt = 0; attempt <= FAILED_LOGINS_PER_ACCOUNT; attempt++) {
    const outcome = await send(port, {
      path: '/api/v1/auth/login',
      body: { email: account.email, password: 'wrong password entirely' },
      headers: { 'x-forwarded-for': address },
    });
    statuses.push(statusOf(outcome));
  }
  return statuses;
}

const ENFORCED_PER_ADDRESS = [...Array(AUTH_PER_MINUTE).fill('401'), '429', '429'];
const ENFORCED_PER_ACCOUNT = [...Array(FAILED_LOGINS_PER_ACCOUNT).fill('401'), '429'];

async function keysIn(url: string, pattern: string): Promise<number> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.keys(pattern)).length;
  } finally {
    client.disconnect();
  }
}

describe.skipIf(!suite.available)(suite.title(TITLE), () => {
  it('fails open while Redis is down (no 5xx), reconnects by itself, and enforces limits again', async () => {
    const live = server!;
    const first = world!.redis;

    // Redis-backed behaviour before the outage: both limits enforced, state kept in Redis.
    expect(await perAddressProbe(live.port)).toEqual(ENFORCED_PER_ADDRESS);
    expect(await perAccountProbe(live.port)).toEqual(ENFORCED_PER_ACCOUNT);
    await send(live.port, { path: `/api/v1/courses/${course.id}` });
    expect(await keysIn(first.url, 'lp:rate-limit:*')).toBeGreaterThan(0);
    expect(await keysIn(first.url, 'lp:limit:*')).toBeGreaterThan(0);

    let loginSequence = 0;
    const workers = runWorkers(
      4,
      async (worker) => {
        await sleep(10);
        switch (worker) {
          case 0:
            return send(
              live.port,
              { path: '/api/v1/courses?limit=20' },
              { label: 'catalog', timeoutMs: 30_000 },
            );
          case 1:
            return send(
              live.port,
              { path: `/api/v1/courses/${course.id}` },
              { label: 'course', timeoutMs: 30_000 },
            );
          case 2:
            return send(
              live.port,
              { path: '/api/v1/me', headers: bearer(studentSession.accessToken) },
              { label: 'me', timeoutMs: 30_000 },
            );
          default:
            // Each sign-in from its own address: the per-address limit must not be what answers.
            loginSequence += 1;
            return send(
              live.port,
              {
                path: '/api/v1/auth/login',
                body: { email: student.email, password: PASSWORD },
                headers: { 'x-forwarded-for': `192.0.2.${loginSequence % 250}` },
              },
              { label: 'login', timeoutMs: 30_000 },
            );
        }
      },
      { maxMs: 60_000, maxSteps: 2_000 },
    );
    const { outcomes } = workers;

    try {
      await sleep(500);
      const killedAt = performance.now();
      await first.kill();

      // During the outage: traffic flows, and the limits are not enforced (fail open).
      await sleep(200);
      const perAddressDuring = await perAddressProbe(live.port);
      const perAccountDuring = await perAccountProbe(live.port);
      const remaining = OUTAGE_MS - (performance.now() - killedAt);
      if (remaining > 0) await sleep(remaining);

      const restartedAt = performance.now();
      world!.redis = await startRedisServer(first.port);
      // The server reconnects on its own (ioredis retries at most every 2 s); every request it
      // serves from then on writes a rate-limit counter again.
      await waitFor(
        'the server to use Redis again',
        async () => ((await keysIn(world!.redis.url, 'lp:rate-limit:*')) > 0 ? true : undefined),
        { timeoutMs: 15_000, intervalMs: 100 },
      );
      const reconnectedMs = Math.round(performance.now() - restartedAt);
      await sleep(300);
      workers.stop();
      await workers.done;

      const perAddressAfter = await perAddressProbe(live.port);
      const perAccountAfter = await perAccountProbe(live.port);
      await send(live.port, { path: `/api/v1/courses/${course.id}` });
      const cacheKeysAfter = await keysIn(world!.redis.url, 'lp:cache*');

      const duringOutage = outcomes.filter((o) => o.startedAt >= killedAt && o.endedAt <= restartedAt);
      const byLabel = (list: Outcome[], label: string) => tally(list.filter((o) => o.label === label));
      const summary = {
        requests: outcomes.length,
        duringOutage: {
          catalog: byLabel(duringOutage, 'catalog'),
          course: byLabel(duringOutage, 'course'),
          me: byLabel(duringOutage, 'me'),
          login: byLabel(duringOutage, 'login'),
        },
        maxLatencyMs: maxLatency(outcomes),
        maxLatencyDuringOutageMs: maxLatency(duringOutage),
        perAddressLimitDuringOutage: perAddressDuring.join(','),
        perAccountLimitDuringOutage: perAccountDuring.join(','),
        reconnectedAfterRestartMs: reconnectedMs,
        perAddressLimitAfter: perAddressAfter.join(','),
        perAccountLimitAfter: perAccountAfter.join(','),
        cacheKeysAfter,
      };
      console.info('[reliability] redis outage:', JSON.stringify(summary));

      const failures = outcomes.filter((o) => o.kind === 'error' || o.status >= 500);
      expect(
        failures.map((o) => `${o.method} ${o.path} → ${statusOf(o)}`),
        `no 5xx and no connection errors\n${live.output().slice(-4_000)}`,
      ).toEqual([]);
      expect(
        outcomes
          .filter((o) => o.kind === 'response' && o.status !== 200)
          .map((o) => `${o.path} → ${statusOf(o)}`),
      ).toEqual([]);
      expect(duringOutage.length, 'traffic kept flowing during the outage').toBeGreaterThan(20);
      expect(summary.maxLatencyMs).toBeLessThan(MAX_REQUEST_MS);
      // Fail open: while Redis is down neither limit answers 429.
      expect(perAddressDuring).toEqual(Array(AUTH_PER_MINUTE + 2).fill('401'));
      expect(perAccountDuring).toEqual(Array(FAILED_LOGINS_PER_ACCOUNT + 1).fill('401'));
      // Back to normal.
      expect(perAddressAfter).toEqual(ENFORCED_PER_ADDRESS);
      expect(perAccountAfter).toEqual(ENFORCED_PER_ACCOUNT);
      expect(cacheKeysAfter).toBeGreaterThan(0);
    } finally {
      workers.stop();
      await workers.done;
    }
  }, 120_000);
});
