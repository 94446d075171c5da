import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  type HttpSession,
  type PublishedCourse,
  serverApi,
  type TestUser,
} from '../helpers/factories/index.js';
import { jsonOf, type Outcome, send, statusOf } from '../helpers/http-client.js';
import { type ServerProcess, spawnServer, waitForReady } from '../helpers/processes.js';
import { type RedisSuite, startRedisSuite } from '../helpers/redis-suite.js';
import { requireCommand } from '../helpers/suite-requirements.js';

/**
 * Two API processes on different ports sharing one PostgreSQL database and one Redis, as behind a
 * load balancer (which sets X-Forwarded-For; TRUST_PROXY=1): a load split across them must behave
 * as one instance. Rate limits are shared, a write through one is seen at once through the other
 * (catalog cache, user state), and sessions move freely between them.
 */

const AUTH_PER_MINUTE = 10;
const PASSWORD = 'two instances passphrase';
const TITLE = 'two instances sharing PostgreSQL and Redis';
const suite = requireCommand('redis-server', `the two-instances suite (${TITLE})`);

let world: RedisSuite | undefined;
let a: ServerProcess | undefined;
let b: ServerProcess | undefined;
let instructor: TestUser;
let student: TestUser;
let instructorSession: HttpSession;
let course: PublishedCourse;

let addressSequence = 0;
/** A client address of its own (per-address limits), as the load balancer reports it. */
const clientAddress = () => `198.51.100.${++addressSequence}`;
const from = (address: string) => ({ 'x-forwarded-for': address });

beforeAll(async () => {
  if (!suite.available) return;
  world = await startRedisSuite(PASSWORD);
  ({ instructor, student } = world);
  const env = {
    DATABASE_URL: world.database.url,
    REDIS_URL: world.redis.url,
    TRUST_PROXY: '1',
    RATE_LIMIT_AUTH_PER_MINUTE: String(AUTH_PER_MINUTE),
    RATE_LIMIT_GLOBAL_PER_MINUTE: '1000000',
  };
  [a, b] = await Promise.all([spawnServer(env), spawnServer(env)]);
  await Promise.all([waitForReady(a), waitForReady(b)]);
  instructorSession = await serverApi.login(a.port, instructor, clientAddress());
  course = await serverApi.publishCourse(a.port, instructorSession.accessToken, 'Shared between instances');
}, 120_000);

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await world?.close();
});

describe.skipIf(!suite.available)(suite.title(TITLE), () => {
  it('shares the per-address rate limit: 6 sign-ins on A and 6 on B, the 11th and 12th are 429 wherever they land', async () => {
    const address = clientAddress();
    const outcomes: { instance: 'A' | 'B'; outcome: Outcome }[] = [];
    for (let attempt = 0; attempt < 12; attempt++) {
      const instance = attempt % 2 === 0 ? 'A' : 'B';
      const server = instance === 'A' ? a! : b!;
      const outcome = await send(server.port, {
        path: '/api/v1/auth/login',
        body: { email: student.email, password: PASSWORD },
        headers: from(address),
      });
      outcomes.push({ instance, outcome });
    }
    const statuses = outcomes.map(({ instance, outcome }) => `${instance}:${statusOf(outcome)}`);
    expect(statuses).toEqual([
      ...Array.from({ length: AUTH_PER_MINUTE }, (_, i) => `${i % 2 === 0 ? 'A' : 'B'}:200`),
      'A:429',
      'B:429',
    ]);
    // One counter: each instance reports what is left of the shared allowance.
    const remaining = outcomes.map(({ outcome }) =>
      outcome.kind === 'response' ? Number(outcome.headers['ratelimit-remaining']) : Number.NaN,
    );
    expect(remaining).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 0, 0]);
    console.info('[reliability] two instances, shared rate limit:', statuses.join(' '));
  });

  it('a course changed through A is served changed by B at once (shared cache invalidation)', async () => {
    const detail = `/api/v1/courses/${course.id}`;
    const list = '/api/v1/courses?limit=50';
    const titleIn = (outcome: Outcome) => jsonOf<{ title: string }>(outcome).title;
    const listedTitle = (outcome: Outcome) =>
      jsonOf<{ data: { id: string; title: string }[] }>(outcome).data.find((item) => item.id === course.id)
        ?.title;
    // Warm both instances (and the shared cache) with the current version.
    for (const server of [a!, b!, a!, b!]) {
      expect(titleIn(await send(server.port, { path: detail }))).toBe(course.title);
      expect(listedTitle(await send(server.port, { path: list }))).toBe(course.title);
    }
    const before = await send(b!.port, { path: detail });

    const renamed = `${course.title} (edited on A)`;
    const authoring = await send(a!.port, {
      path: `/api/v1/courses/${course.id}/authoring`,
      headers: bearer(instructorSession.accessToken),
    });
    expect(authoring.kind === 'response' && authoring.status).toBe(200);
    const etag = authoring.kind === 'response' ? String(authoring.headers.etag) : '';
    const edit = await send(a!.port, {
      method: 'PATCH',
      path: `/api/v1/courses/${course.id}`,
      body: { title: renamed },
      headers: { ...bearer(instructorSession.accessToken), 'if-match': etag },
    });
    expect(edit.kind === 'response' && edit.status, JSON.stringify(edit)).toBe(200);

    const afterOnB = await send(b!.port, { path: detail });
    expect(titleIn(afterOnB)).toBe(renamed);
    expect(afterOnB.kind === 'response' && afterOnB.headers.etag).not.toBe(
      before.kind === 'response' && before.headers.etag,
    );
    expect(listedTitle(await send(b!.port, { path: list }))).toBe(renamed);
    expect(titleIn(await send(a!.port, { path: detail }))).toBe(renamed);
  });

  it('a session started on A works on B; a refresh token reused on A after rotation on B revokes the family', async () => {
    const onA = await serverApi.login(a!.port, student, clientAddress());
    const me = await send(b!.port, { path: '/api/v1/me', headers: bearer(onA.accessToken) });
    expect(me.kind === 'response' && me.status, JSON.stringify(me)).toBe(200);
    expect(jsonOf<{ id: string }>(me).id).toBe(student.id);

    const rotated = await send(b!.port, {
      path: '/api/v1/auth/refresh',
      body: { refreshToken: onA.refreshToken },
    });
    expect(rotated.kind === 'response' && rotated.status).toBe(200);
    const next = jsonOf<{ refreshToken: string; accessToken: string }>(rotated);

    const reused = await send(a!.port, {
      path: '/api/v1/auth/refresh',
      body: { refreshToken: onA.refreshToken },
    });
    expect(reused.kind === 'response' && reused.status).toBe(401);
    // The whole family is revoked, on both instances: the newest token no longer works either.
    for (const server of [b!, a!]) {
      const revoked = await send(server.port, {
        path: '/api/v1/auth/refresh',
        body: { refreshToken: next.refreshToken },
      });
      expect(revoked.kind === 'response' && revoked.status).toBe(401);
    }
  });

  it('a user change made on A is in force on B on the very next request (rename, sign-out everywhere)', async () => {
    const session = await serverApi.login(a!.port, student, clientAddress());
    const auth = bearer(session.accessToken);
    // Both instances have served (and may have cached) this user's state and /me.
    for (const server of [a!, b!, a!, b!]) {
      const me = await send(server.port, { path: '/api/v1/me', headers: auth });
      expect(me.kind === 'response' && me.status).toBe(200);
    }
    const renamed = `Renamed on A ${Date.now()}`;
    const rename = await send(a!.port, {
      method: 'PATCH',
      path: '/api/v1/me',
      body: { name: renamed },
      headers: auth,
    });
    expect(rename.kind === 'response' && rename.status, JSON.stringify(rename)).toBe(200);
    expect(jsonOf<{ name: string }>(await send(b!.port, { path: '/api/v1/me', headers: auth })).name).toBe(
      renamed,
    );

    const logoutAll = await send(a!.port, { method: 'POST', path: '/api/v1/auth/logout-all', headers: auth });
    expect(logoutAll.kind === 'response' && logoutAll.status).toBe(204);
    for (const server of [b!, a!]) {
      const rejected = await send(server.port, { path: '/api/v1/me', headers: auth });
      expect(rejected.kind === 'response' && rejected.status).toBe(401);
    }
  });
});
