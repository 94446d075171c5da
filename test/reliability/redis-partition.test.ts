import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabaseClient, type DatabaseClient } from '../../src/infrastructure/database/client.js';
import { USER_CACHE_TTL_SECONDS } from '../../src/modules/users/user-cache.js';
import { createUser, type TestUser } from '../helpers/factories.js';
import {
  bearerHeader,
  type HttpSession,
  loginOver,
  type PublishedCourse,
  publishCourseOver,
} from '../helpers/reliability-fixtures.js';
import { jsonOf, send } from '../helpers/reliability-http.js';
import {
  hasRedisServer,
  type RedisProcess,
  type ServerProcess,
  sleep,
  spawnServer,
  startRedisServer,
  startTcpProxy,
  type TcpProxy,
  waitForReady,
} from '../helpers/reliability-processes.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

/**
 * Two instances; instance A loses its connection to Redis (a partition: B still reaches it) and
 * takes writes meanwhile. A stays correct itself and keeps answering; but its cache invalidations
 * cannot reach Redis, so B keeps serving what it cached before until the entries expire. This suite
 * pins that window to the cache lifetimes (a bound, measured and printed) and checks that once the
 * partition heals A's invalidations reach B at once again. See the report: the window is a known gap.
 */

const CACHE_TTL_SECONDS = 5;
const PASSWORD = 'partition passphrase';
const redisAvailable = hasRedisServer();
if (!redisAvailable) {
  console.warn(
    '[reliability] Redis partition suite skipped: no redis-server on PATH (install Redis to run it).',
  );
}

let redis: RedisProcess | undefined;
let proxy: TcpProxy | undefined;
let database: TestDatabase | undefined;
let verifier: DatabaseClient | undefined;
let a: ServerProcess | undefined;
let b: ServerProcess | undefined;
let student: TestUser;
let instructorSession: HttpSession;
let course: PublishedCourse;

beforeAll(async () => {
  if (!redisAvailable) return;
  redis = await startRedisServer();
  proxy = await startTcpProxy(redis.port);
  database = await createTestDatabase();
  verifier = createDatabaseClient(database.url, { max: 1 });
  const instructor = await createUser(verifier.db, { role: 'instructor', password: PASSWORD });
  student = await createUser(verifier.db, { role: 'student', password: PASSWORD });
  const env = {
    DATABASE_URL: database.url,
    CACHE_TTL_SECONDS: String(CACHE_TTL_SECONDS),
    RATE_LIMIT_AUTH_PER_MINUTE: '100000',
    RATE_LIMIT_GLOBAL_PER_MINUTE: '10000000',
  };
  [a, b] = await Promise.all([
    spawnServer({ ...env, REDIS_URL: `redis://127.0.0.1:${proxy.port}` }),
    spawnServer({ ...env, REDIS_URL: redis.url }),
  ]);
  await Promise.all([waitForReady(a), waitForReady(b)]);
  instructorSession = await loginOver(a.port, { email: instructor.email, password: PASSWORD });
  course = await publishCourseOver(a.port, instructorSession.accessToken, 'Seen through a partition');
}, 120_000);

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await proxy?.close();
  await redis?.kill();
  await verifier?.close();
  await database?.drop();
});

const title = redisAvailable
  ? 'one instance cut off from Redis'
  : 'one instance cut off from Redis (skipped: no redis-server on PATH; install Redis to run it)';

describe.skipIf(!redisAvailable)(title, () => {
  it('stays correct itself, the other instance converges within the cache lifetimes, and heals', async () => {
    const coursePath = `/api/v1/courses/${course.id}`;
    const titleOn = async (server: ServerProcess) =>
      jsonOf<{ title: string }>(await send(server.port, { path: coursePath })).title;
    const meStatus = async (server: ServerProcess, token: string) => {
      const outcome = await send(server.port, { path: '/api/v1/me', headers: bearerHeader(token) });
      return outcome.kind === 'response' ? outcome.status : 0;
    };
    const editTitle = async (newTitle: string) => {
      const authoring = await send(a!.port, {
        path: `${coursePath}/authoring`,
        headers: bearerHeader(instructorSession.accessToken),
      });
      const etag = authoring.kind === 'response' ? String(authoring.headers.etag) : '';
      const edit = await send(a!.port, {
        method: 'PATCH',
        path: coursePath,
        body: { title: newTitle },
        headers: { ...bearerHeader(instructorSession.accessToken), 'if-match': etag },
      });
      expect(edit.kind === 'response' && edit.status, JSON.stringify(edit)).toBe(200);
    };

    const session = await loginOver(a!.port, { email: student.email, password: PASSWORD });
    // Both instances serve (and cache) the course and the student's state.
    for (const server of [a!, b!, a!, b!]) {
      expect(await titleOn(server)).toBe(course.title);
      expect(await meStatus(server, session.accessToken)).toBe(200);
    }

    proxy!.cut();
    await sleep(300);
    const partitionedEdit = `${course.title} (edited while A was cut off)`;
    await editTitle(partitionedEdit);
    const logoutAll = await send(a!.port, {
      method: 'POST',
      path: '/api/v1/auth/logout-all',
      headers: bearerHeader(session.accessToken),
    });
    expect(logoutAll.kind === 'response' && logoutAll.status).toBe(204);
    const writtenAt = performance.now();

    // A, which made the writes, is right at once.
    expect(await titleOn(a!)).toBe(partitionedEdit);
    expect(await meStatus(a!, session.accessToken)).toBe(401);

    // B converges once its copies expire.
    let courseConvergedMs: number | undefined;
    let sessionConvergedMs: number | undefined;
    const deadline = writtenAt + (Math.max(CACHE_TTL_SECONDS, USER_CACHE_TTL_SECONDS) + 5) * 1000;
    while (
      (courseConvergedMs === undefined || sessionConvergedMs === undefined) &&
      performance.now() < deadline
    ) {
      if (courseConvergedMs === undefined && (await titleOn(b!)) === partitionedEdit) {
        courseConvergedMs = Math.round(performance.now() - writtenAt);
      }
      if (sessionConvergedMs === undefined && (await meStatus(b!, session.accessToken)) === 401) {
        sessionConvergedMs = Math.round(performance.now() - writtenAt);
      }
      await sleep(100);
    }

    // Healed: A reconnects by itself, and its next edit is seen on B at once.
    proxy!.heal();
    const healedAt = performance.now();
    let reconnectedMs: number | undefined;
    for (let attempt = 1; attempt <= 40 && reconnectedMs === undefined; attempt++) {
      const healedEdit = `${course.title} (edit ${attempt} after the partition healed)`;
      await editTitle(healedEdit);
      if ((await titleOn(b!)) === healedEdit) reconnectedMs = Math.round(performance.now() - healedAt);
      else await sleep(250);
    }

    console.info(
      '[reliability] Redis partition of one instance:',
      JSON.stringify({
        staleCourseOnOtherInstanceMs: courseConvergedMs,
        cacheTtlSeconds: CACHE_TTL_SECONDS,
        revokedSessionStillAcceptedOnOtherInstanceMs: sessionConvergedMs,
        userCacheTtlSeconds: USER_CACHE_TTL_SECONDS,
        invalidationsReachOtherInstanceAfterHealMs: reconnectedMs,
      }),
    );
    expect(courseConvergedMs).toBeDefined();
    expect(courseConvergedMs!).toBeLessThanOrEqual(CACHE_TTL_SECONDS * 1000 + 2_000);
    expect(sessionConvergedMs).toBeDefined();
    expect(sessionConvergedMs!).toBeLessThanOrEqual(USER_CACHE_TTL_SECONDS * 1000 + 2_000);
    expect(reconnectedMs, 'invalidations from A reach B again after the partition heals').toBeDefined();
  }, 90_000);
});
