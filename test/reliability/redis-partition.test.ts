import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USER_CACHE_TTL_SECONDS } from '../../src/modules/users/user-cache.js';
import {
  bearer,
  type HttpSession,
  type PublishedCourse,
  serverApi,
  type TestUser,
} from '../helpers/factories/index.js';
import { jsonOf, send } from '../helpers/http-client.js';
import {
  type ServerProcess,
  sleep,
  spawnServer,
  startTcpProxy,
  type TcpProxy,
  waitForReady,
} from '../helpers/processes.js';
import { type RedisSuite, startRedisSuite } from '../helpers/redis-suite.js';
import { requireCommand } from '../helpers/suite-requirements.js';

/**
 * Two instances; instance A loses its connection to Redis (a partition: B still reaches it) and
 * takes writes meanwhile (a course edit, a logout-all). A stays correct itself and keeps answering.
 * Its invalidations cannot reach Redis while it is cut off, so B serves what it cached before; when
 * the partition heals, A replays them (redis-cache.ts) and B converges at once, long before the
 * cache lifetimes would have expired the stale copies. The window is the partition's length, at
 * most the cache lifetimes: measured and printed.
 */

/** Long enough that convergence within it can only come from the replay. */
const CACHE_TTL_SECONDS = 30;
const PARTITION_MS = 1_000;
const PASSWORD = 'partition passphrase';
const TITLE = 'one instance cut off from Redis';
const suite = requireCommand('redis-server', `the Redis partition suite (${TITLE})`);

let world: RedisSuite | undefined;
let proxy: TcpProxy | undefined;
let a: ServerProcess | undefined;
let b: ServerProcess | undefined;
let student: TestUser;
let instructorSession: HttpSession;
let course: PublishedCourse;

beforeAll(async () => {
  if (!suite.available) return;
  world = await startRedisSuite(PASSWORD);
  student = world.student;
  proxy = await startTcpProxy(world.redis.port);
  const env = {
    DATABASE_URL: world.database.url,
    CACHE_TTL_SECONDS: String(CACHE_TTL_SECONDS),
    RATE_LIMIT_AUTH_PER_MINUTE: '100000',
    RATE_LIMIT_GLOBAL_PER_MINUTE: '10000000',
  };
  [a, b] = await Promise.all([
    spawnServer({ ...env, REDIS_URL: `redis://127.0.0.1:${proxy.port}` }),
    spawnServer({ ...env, REDIS_URL: world.redis.url }),
  ]);
  await Promise.all([waitForReady(a), waitForReady(b)]);
  instructorSession = await serverApi.login(a.port, world.instructor);
  course = await serverApi.publishCourse(a.port, instructorSession.accessToken, 'Seen through a partition');
}, 120_000);

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await proxy?.close();
  await world?.close();
});

describe.skipIf(!suite.available)(suite.title(TITLE), () => {
  it('stays correct itself; once healed, its invalidations made meanwhile reach the other instance at once', async () => {
    const coursePath = `/api/v1/courses/${course.id}`;
    const titleOn = async (server: ServerProcess) =>
      jsonOf<{ title: string }>(await send(server.port, { path: coursePath })).title;
    const meStatus = async (server: ServerProcess, token: string) => {
      const outcome = await send(server.port, { path: '/api/v1/me', headers: bearer(token) });
      return outcome.kind === 'response' ? outcome.status : 0;
    };
    const editTitle = async (newTitle: string) => {
      const authoring = await send(a!.port, {
        path: `${coursePath}/authoring`,
        headers: bearer(instructorSession.accessToken),
      });
      const etag = authoring.kind === 'response' ? String(authoring.headers.etag) : '';
      const edit = await send(a!.port, {
        method: 'PATCH',
        path: coursePath,
        body: { title: newTitle },
        headers: { ...bearer(instructorSession.accessToken), 'if-match': etag },
      });
      expect(edit.kind === 'response' && edit.status, JSON.stringify(edit)).toBe(200);
    };

    const session = await serverApi.login(a!.port, { email: student.email, password: PASSWORD });
    // Both instances serve (and cache) the course and the student's state.
    for (const server of [a!, b!, a!, b!]) {
      expect(await titleOn(server)).toBe(course.title);
      expect(await meStatus(server, session.accessToken)).toBe(200);
    }

    proxy!.cut();
    const cutAt = performance.now();
    await sleep(300);
    const partitionedEdit = `${course.title} (edited while A was cut off)`;
    await editTitle(partitionedEdit);
    const logoutAll = await send(a!.port, {
      method: 'POST',
      path: '/api/v1/auth/logout-all',
      headers: bearer(session.accessToken),
    });
    expect(logoutAll.kind === 'response' && logoutAll.status).toBe(204);

    // A, which made the writes, is right at once.
    expect(await titleOn(a!)).toBe(partitionedEdit);
    expect(await meStatus(a!, session.accessToken)).toBe(401);
    const staleOnBDuringPartition = (await titleOn(b!)) !== partitionedEdit;
    const sessionOnBDuringPartition = await meStatus(b!, session.accessToken);
    // The premise: A's invalidations did not reach Redis, so B still serves its copies. A cut that
    // did nothing would let them through at once and the convergence below would prove nothing.
    expect(staleOnBDuringPartition, 'B still serves the old title while A is cut off').toBe(true);
    expect(sessionOnBDuringPartition, 'B still accepts the signed-out session while A is cut off').toBe(200);

    await sleep(Math.max(0, PARTITION_MS - (performance.now() - cutAt)));
    proxy!.heal();
    const healedAt = performance.now();

    // B converges as soon as A has reconnected and replayed its invalidations.
    let courseConvergedMs: number | undefined;
    let sessionConvergedMs: number | undefined;
    const deadline = healedAt + 8_000;
    while (
      (courseConvergedMs === undefined || sessionConvergedMs === undefined) &&
      performance.now() < deadline
    ) {
      if (courseConvergedMs === undefined && (await titleOn(b!)) === partitionedEdit) {
        courseConvergedMs = Math.round(performance.now() - healedAt);
      }
      if (sessionConvergedMs === undefined && (await meStatus(b!, session.accessToken)) === 401) {
        sessionConvergedMs = Math.round(performance.now() - healedAt);
      }
      await sleep(50);
    }

    // And A's next edit is seen on B at once, as before the partition.
    const healedEdit = `${course.title} (edited after the partition healed)`;
    await editTitle(healedEdit);
    const afterHeal = await titleOn(b!);

    console.info(
      '[reliability] Redis partition of one instance:',
      JSON.stringify({
        partitionMs: PARTITION_MS,
        staleOnOtherInstanceDuringPartition: staleOnBDuringPartition,
        courseConvergedAfterHealMs: courseConvergedMs,
        revokedSessionRejectedAfterHealMs: sessionConvergedMs,
        cacheTtlSeconds: CACHE_TTL_SECONDS,
        userCacheTtlSeconds: USER_CACHE_TTL_SECONDS,
      }),
    );
    // Reconnecting takes up to 2 s (the client's retry interval); the lifetimes are 30 s and 10 s.
    expect(
      courseConvergedMs,
      'the course edit made during the partition reaches B after the heal',
    ).toBeDefined();
    expect(courseConvergedMs!).toBeLessThanOrEqual(4_000);
    expect(
      sessionConvergedMs,
      'the logout-all made during the partition reaches B after the heal',
    ).toBeDefined();
    expect(sessionConvergedMs!).toBeLessThanOrEqual(4_000);
    expect(afterHeal).toBe(healedEdit);
  }, 90_000);
});
