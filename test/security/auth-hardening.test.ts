import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import {
  bearer,
  insertUser,
  loginAs,
  mintAccessToken,
  type TestUser,
  uniqueClientAddress,
} from '../helpers/factories/index.js';
import { useTestApp } from '../helpers/use-test-app.js';
import { decodeJwt, forgedVariants, signJwt } from './jwt-forgery.js';
import { problemShapeIssues } from './response-checks.js';
import { insertSecurityCast } from './security-cast.js';

/**
 * Attacks on authentication: forged and edited access tokens, stolen refresh tokens, password
 * guessing, and telling accounts apart by their answers. Rate limits are the defaults (10 auth
 * requests per minute and address), as in production.
 */

type Injected = Awaited<ReturnType<App['inject']>>;

function expectUnauthorizedProblem(response: Injected, label: string) {
  expect(response.statusCode, `${label}: ${response.body}`).toBe(401);
  expect(problemShapeIssues(response), label).toEqual([]);
  expect(response.json(), label).toMatchObject({ code: 'unauthorized', status: 401 });
  // RFC 9110 §15.5.2: a 401 names the scheme it wants.
  expect(response.headers['www-authenticate'], label).toMatch(/^Bearer\b/);
}

/** Body and headers that may differ between two answers only by request id. */
function comparable(response: Injected) {
  const { requestId: _, ...body } = response.json() as Record<string, unknown>;
  const headers = Object.keys(response.headers)
    .filter((name) => !['date', 'x-request-id', 'ratelimit-reset', 'ratelimit-remaining'].includes(name))
    .sort()
    .map((name) => (name === 'content-length' ? name : `${name}: ${String(response.headers[name])}`));
  return { status: response.statusCode, body, headers };
}

describe('auth hardening', () => {
  const suite = useTestApp();
  let user: TestUser;
  let genuine: string;

  beforeAll(async () => {
    user = await insertUser(suite.db);
    genuine = await mintAccessToken(suite.testApp, user);
  });

  const me = (token: string) =>
    suite.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(token) });

  describe('access tokens', () => {
    it('accepts a genuine token, and the same claims re-signed by the test (so the forgeries below are meaningful)', async () => {
      expect((await me(genuine)).statusCode).toBe(200);
      const { header, payload } = decodeJwt(genuine);
      expect((await me(signJwt(payload, suite.testApp.config.jwtSecret, header))).statusCode).toBe(200);
    });

    it.each([
      'wrong secret',
      'alg none',
      'alg none, genuine signature',
      'HS512 header',
      'RS256 header over an HMAC',
      'tampered role',
      'tampered token version',
      'tampered signature',
      'expired',
      'not yet valid',
      'wrong audience',
      'wrong issuer',
      'no expiry',
      'no token version',
      'sub not a uuid',
      'sub of nobody',
      'two signatures',
      'header only',
    ])('refuses a forged token (%s) with a 401 problem, on a protected and an optional-auth route', async (name) => {
      const forged = forgedVariants(genuine, suite.testApp.config.jwtSecret).find(
        (variant) => variant.name === name,
      );
      expect(forged, name).toBeDefined();
      expectUnauthorizedProblem(await me(forged!.token), `${name} on /me`);
      const catalog = await suite.app.inject({
        method: 'GET',
        url: '/api/v1/courses',
        headers: bearer(forged!.token),
      });
      expectUnauthorizedProblem(catalog, `${name} on the catalog`);
    });

    it('refuses a student’s token edited to say admin on an admin route (401, not 403 and not 200)', async () => {
      const { payload } = decodeJwt(genuine);
      const forged = forgedVariants(genuine, suite.testApp.config.jwtSecret).find(
        (variant) => variant.name === 'tampered role',
      );
      expect(payload.role).toBe('student');
      const response = await suite.app.inject({
        method: 'GET',
        url: '/api/v1/users',
        headers: bearer(forged!.token),
      });
      expectUnauthorizedProblem(response, 'tampered role on GET /users');
    });

    it('refuses malformed Authorization headers with a 401 problem', async () => {
      for (const authorization of [
        'Bearer',
        'Bearer ',
        `Basic ${Buffer.from(`${user.email}:${user.password}`).toString('base64')}`,
        `Bearer ${genuine} extra`,
        `Bearer ${'a'.repeat(5000)}`,
        genuine,
      ]) {
        const response = await suite.app.inject({
          method: 'GET',
          url: '/api/v1/me',
          headers: { authorization },
        });
        expectUnauthorizedProblem(response, authorization.slice(0, 40));
      }
    });

    it('accepts the Bearer scheme in any case (RFC 9110 §11.1), and still refuses a bad token so written', async () => {
      for (const scheme of ['bearer', 'BEARER', 'BeArEr']) {
        const response = await suite.app.inject({
          method: 'GET',
          url: '/api/v1/me',
          headers: { authorization: `${scheme} ${genuine}` },
        });
        expect(response.statusCode, `${scheme}: ${response.body}`).toBe(200);
        expect(response.json().id).toBe(user.id);
      }
      const forged = await suite.app.inject({
        method: 'GET',
        url: '/api/v1/me',
        headers: { authorization: `bearer ${genuine}x` },
      });
      expectUnauthorizedProblem(forged, 'lower-case scheme, bad token');
    });

    it('answers WWW-Authenticate: Bearer on every 401, with error="invalid_token" when a token was refused (RFC 6750)', async () => {
      const anonymous = await suite.app.inject({ method: 'GET', url: '/api/v1/me' });
      expectUnauthorizedProblem(anonymous, 'no token');
      expect(anonymous.headers['www-authenticate']).toBe('Bearer');

      for (const [label, authorization] of [
        ['bad signature', `Bearer ${genuine}x`],
        ['garbage', 'Bearer garbage'],
        ['empty', 'Bearer '],
      ] as const) {
        const refused = await suite.app.inject({
          method: 'GET',
          url: '/api/v1/me',
          headers: { authorization },
        });
        expectUnauthorizedProblem(refused, label);
        expect(refused.headers['www-authenticate'], label).toBe('Bearer error="invalid_token"');
      }
      // Another scheme is no bearer token that could be refused: the plain challenge.
      const basic = await suite.app.inject({
        method: 'GET',
        url: '/api/v1/me',
        headers: { authorization: 'Basic dXNlcjpwYXNzd29yZA==' },
      });
      expect(basic.headers['www-authenticate']).toBe('Bearer');

      // 401s that are not about an access token carry the challenge too (a failed sign-in).
      const login = await suite.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        remoteAddress: uniqueClientAddress(),
        payload: { email: 'nobody-signs-in@example.com', password: 'not the password at all' },
      });
      expectUnauthorizedProblem(login, 'failed sign-in');
      expect(login.headers['www-authenticate']).toBe('Bearer');
    });

    it('refuses the token of a deleted user', async () => {
      const doomed = await insertUser(suite.db);
      const token = await mintAccessToken(suite.testApp, doomed);
      await suite.testApp.database.pool.query('DELETE FROM users WHERE id = $1', [doomed.id]);
      expectUnauthorizedProblem(await me(token), 'deleted user');
    });

    it('refuses the token of a deactivated user, and tokens issued before logout-all', async () => {
      const { users } = await insertSecurityCast(suite.testApp);
      const deactivated = await suite.app.inject({
        method: 'POST',
        url: `/api/v1/users/${users.student.id}/deactivate`,
        headers: users.admin.headers,
      });
      expect(deactivated.statusCode).toBe(200);
      expectUnauthorizedProblem(await me(users.student.token), 'deactivated user');

      const logoutAll = await suite.app.inject({
        method: 'POST',
        url: '/api/v1/auth/logout-all',
        headers: users.otherStudent.headers,
      });
      expect(logoutAll.statusCode).toBe(204);
      expectUnauthorizedProblem(await me(users.otherStudent.token), 'after logout-all');
    });
  });

  describe('refresh tokens', () => {
    const refresh = (refreshToken: string) =>
      suite.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken } });

    it('revokes the whole family when a used refresh token is presented again', async () => {
      const victim = await insertUser(suite.db);
      const stolen = await loginAs(suite.app, victim);
      const otherDevice = await loginAs(suite.app, victim);

      const rotated = await refresh(stolen.refreshToken);
      expect(rotated.statusCode).toBe(200);
      const next = rotated.json() as { accessToken: string; refreshToken: string };

      const reused = await refresh(stolen.refreshToken);
      expectUnauthorizedProblem(reused, 'reused refresh token');
      // The token the legitimate client received from the rotation is dead too.
      expectUnauthorizedProblem(await refresh(next.refreshToken), 'newest token of the revoked family');

      const { rows } = await suite.testApp.database.pool.query<{
        revoked: number;
        total: number;
        reasons: string[];
      }>(
        `SELECT count(*) FILTER (WHERE revoked_at IS NOT NULL)::int AS revoked, count(*)::int AS total,
                array_agg(DISTINCT revoked_reason) FILTER (WHERE revoked_reason IS NOT NULL) AS reasons
         FROM refresh_tokens
         WHERE family_id = (SELECT family_id FROM refresh_tokens WHERE user_id = $1 ORDER BY created_at LIMIT 1)`,
        [victim.id],
      );
      expect(rows[0]).toEqual({ revoked: 2, total: 2, reasons: ['reuse_detected'] });

      // Another session of the same account is not affected.
      expect((await refresh(otherDevice.refreshToken)).statusCode).toBe(200);
    });

    it('refuses unknown, malformed and over-long refresh tokens with 401 or 400, never more', async () => {
      expectUnauthorizedProblem(await refresh('A'.repeat(43)), 'unknown refresh token');
      for (const token of ["' OR 1=1 --", 'a'.repeat(257), '', 'x y']) {
        const response = await refresh(token);
        expect(response.statusCode, token).toBe(400);
        expect(problemShapeIssues(response)).toEqual([]);
      }
    });
  });

  describe('password guessing', () => {
    const login = (email: string, password: string, remoteAddress: string) =>
      suite.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        remoteAddress,
        payload: { email, password },
      });

    it('limits one address: 429 problem with RateLimit headers and Retry-After after the allowance', async () => {
      const address = uniqueClientAddress();
      const allowance = suite.testApp.config.rateLimit.authPerMinute;
      for (let i = 0; i < allowance; i++) {
        const response = await login(`guess-${i}@example.com`, 'not the password', address);
        expect(response.statusCode).toBe(401);
        expect(response.headers['ratelimit-limit']).toBe(String(allowance));
      }
      const limited = await login(user.email, user.password, address);
      expect(limited.statusCode).toBe(429);
      expect(problemShapeIssues(limited)).toEqual([]);
      expect(limited.json()).toMatchObject({ code: 'rate_limited' });
      expect(limited.headers['ratelimit-remaining']).toBe('0');
      expect(Number(limited.headers['ratelimit-reset'])).toBeGreaterThan(0);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    });

    it('guesses from many addresses: past the account ceiling only clean addresses may try; the owner still signs in', async () => {
      const target = await insertUser(suite.db);
      const ceiling = suite.testApp.config.loginThrottle.accountFailuresPerHour;
      const attackers = Array.from({ length: Math.ceil(ceiling / 5) }, () => uniqueClientAddress());
      for (const address of attackers) {
        for (let i = 0; i < 5; i++) {
          expect((await login(target.email, `guess ${address} ${i}`, address)).statusCode).toBe(401);
        }
      }
      // Every attacker address is held up, also with the right password (it may have been guessed).
      for (const password of ['another guess', target.password]) {
        const locked = await login(target.email, password, attackers[0]!);
        expect(locked.statusCode).toBe(429);
        expect(problemShapeIssues(locked)).toEqual([]);
        expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
        expect(locked.body).not.toContain('accessToken');
      }
      // An address with no recent failures for the account (the owner's) still signs in.
      expect((await login(target.email, target.password, uniqueClientAddress())).statusCode).toBe(200);
    });

    it('a password reset lets the owner through from the address that had failed', async () => {
      const owner = await insertUser(suite.db);
      const device = uniqueClientAddress();
      for (let i = 0; i < 5; i++) await login(owner.email, `forgotten ${i}`, device);
      expect((await login(owner.email, owner.password, device)).statusCode).toBe(429);
      await suite.app.inject({
        method: 'POST',
        url: '/api/v1/auth/password-reset',
        remoteAddress: device,
        payload: { email: owner.email },
      });
      await expect
        .poll(() => suite.testApp.outbox.sent.some((message) => message.to === owner.email), {
          timeout: 5_000,
        })
        .toBe(true);
      const message = suite.testApp.outbox.sent.find((sent) => sent.to === owner.email)!;
      const token = decodeURIComponent(/token=([^\s"&]+)/.exec(message.text)![1]!);
      const confirmed = await suite.app.inject({
        method: 'POST',
        url: '/api/v1/auth/password-reset/confirm',
        remoteAddress: device,
        payload: { token, newPassword: 'a brand new passphrase' },
      });
      expect(confirmed.statusCode).toBe(204);
      expect((await login(owner.email, 'a brand new passphrase', device)).statusCode).toBe(200);
    });
  });

  describe('account enumeration', () => {
    it('login: an unknown email, a wrong password and a deactivated account get the same answer', async () => {
      const deactivated = await insertUser(suite.db, { isActive: false });
      const answers = [
        await suite.app.inject({
          method: 'POST',
          url: '/api/v1/auth/login',
          remoteAddress: uniqueClientAddress(),
          payload: { email: 'nobody-here@example.com', password: 'some password' },
        }),
        await suite.app.inject({
          method: 'POST',
          url: '/api/v1/auth/login',
          remoteAddress: uniqueClientAddress(),
          payload: { email: user.email, password: 'some password' },
        }),
        await suite.app.inject({
          method: 'POST',
          url: '/api/v1/auth/login',
          remoteAddress: uniqueClientAddress(),
          payload: { email: deactivated.email, password: deactivated.password },
        }),
      ].map(comparable);
      expect(answers[0]?.status).toBe(401);
      expect(answers[1]).toEqual(answers[0]);
      expect(answers[2]).toEqual(answers[0]);
    });

    it('password reset: a known, an unknown and a deactivated address get the same answer', async () => {
      const deactivated = await insertUser(suite.db, { isActive: false });
      const answers = [];
      for (const email of [user.email, 'nobody-here@example.com', deactivated.email]) {
        answers.push(
          comparable(
            await suite.app.inject({
              method: 'POST',
              url: '/api/v1/auth/password-reset',
              remoteAddress: uniqueClientAddress(),
              payload: { email },
            }),
          ),
        );
      }
      expect(answers[0]?.status).toBe(202);
      expect(answers[1]).toEqual(answers[0]);
      expect(answers[2]).toEqual(answers[0]);
    });

    it('register: an existing email is a 409 (allowed to differ from a new one, which is 201)', async () => {
      const register = (email: string) =>
        suite.app.inject({
          method: 'POST',
          url: '/api/v1/auth/register',
          remoteAddress: uniqueClientAddress(),
          payload: { email, password: 'a perfectly fine passphrase', name: 'Someone' },
        });
      expect((await register(user.email.toUpperCase())).statusCode).toBe(409);
      expect((await register(`new-${Date.now()}@example.com`)).statusCode).toBe(201);
    });

    it('public profiles: a deactivated user and an id nobody has get the same 404', async () => {
      const deactivated = await insertUser(suite.db, { isActive: false });
      const answers = [];
      for (const id of [deactivated.id, '0a0a0a0a-0a0a-4a0a-8a0a-0a0a0a0a0a0a']) {
        const response = await suite.app.inject({ method: 'GET', url: `/api/v1/users/${id}/profile` });
        const { instance: _, ...rest } = comparable(response).body;
        answers.push({ status: response.statusCode, rest });
      }
      expect(answers[0]?.status).toBe(404);
      expect(answers[1]).toEqual(answers[0]);
    });

    it('courses: another instructor’s draft and an id nobody has get the same 404', async () => {
      const { users, courses } = await insertSecurityCast(suite.testApp);
      const answers = [];
      for (const id of [courses.draftCourse.id, '0a0a0a0a-0a0a-4a0a-8a0a-0a0a0a0a0a0a']) {
        for (const path of ['', '/authoring']) {
          const response = await suite.app.inject({
            method: 'GET',
            url: `/api/v1/courses/${id}${path}`,
            headers: users.otherInstructor.headers,
          });
          const { instance: _, ...rest } = comparable(response).body;
          answers.push({ path, status: response.statusCode, rest });
        }
      }
      expect(answers.map((answer) => answer.status)).toEqual([404, 404, 404, 404]);
      expect(answers[2]).toEqual(answers[0]);
      expect(answers[3]).toEqual(answers[1]);
    });
  });
});
