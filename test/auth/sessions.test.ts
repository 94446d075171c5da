import { createHmac } from 'node:crypto';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { refreshTokens, users } from '../../src/infrastructure/database/schema/index.js';
import { hashOpaqueToken } from '../../src/infrastructure/security/opaque-tokens.js';
import {
  bearer,
  insertUser,
  loginAs,
  type TestUser,
  uniqueClientAddress,
} from '../helpers/factories/index.js';
import { ROOMY_RATE_LIMITS, useTestApp } from '../helpers/use-test-app.js';

const INVALID_CREDENTIALS = 'The email address or password is incorrect.';

/** A JWT built by hand, so tests control every part of it (header, claims, signature). */
function handMadeJwt(
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
  secret: string,
  hmac = 'sha256',
): string {
  const encode = (part: unknown) => Buffer.from(JSON.stringify(part)).toString('base64url');
  const unsigned = `${encode(header)}.${encode(claims)}`;
  return `${unsigned}.${createHmac(hmac, secret).update(unsigned).digest('base64url')}`;
}

describe('sessions: login, access tokens, refresh, logout', () => {
  const suite = useTestApp({ rateLimit: ROOMY_RATE_LIMITS });

  const login = (email: string, password: string) =>
    suite.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      remoteAddress: uniqueClientAddress(),
      payload: { email, password },
    });
  const refresh = (refreshToken: string) =>
    suite.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken } });
  const me = (accessToken: string) =>
    suite.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(accessToken) });

  describe('POST /auth/login', () => {
    let user: TestUser;
    beforeAll(async () => {
      user = await insertUser(suite.db, { email: 'login@example.com' });
    });

    it('signs in with a trimmed, case-insensitive email and records the session', async () => {
      const response = await suite.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        headers: { 'user-agent': 'vitest-client/1.0' },
        remoteAddress: '203.0.113.7',
        payload: { email: '  LOGIN@Example.com ', password: user.password },
      });
      expect(response.statusCode).toBe(200);
      expect(response.headers['cache-control']).toBe('no-store');
      const body = response.json();
      expect(body).toMatchObject({ tokenType: 'Bearer', user: { id: user.id, email: 'login@example.com' } });
      expect(body.user.lastLoginAt).not.toBeNull();
      expect(response.body).not.toMatch(/passwordHash|\$argon2/);

      const [stored] = await suite.db
        .select()
        .from(refreshTokens)
        .where(eq(refreshTokens.tokenHash, hashOpaqueToken(body.refreshToken)));
      expect(stored).toMatchObject({
        userId: user.id,
        userAgent: 'vitest-client/1.0',
        ipAddress: '203.0.113.7',
      });
      const plainTextRows = await suite.db
        .select()
        .from(refreshTokens)
        .where(eq(refreshTokens.tokenHash, body.refreshToken));
      expect(plainTextRows).toHaveLength(0);

      expect((await me(body.accessToken)).statusCode).toBe(200);
    });

    it('a successful sign-in clears the failures of its address', async () => {
      const user = await insertUser(suite.db);
      const address = uniqueClientAddress();
      const from = (password: string) =>
        suite.app.inject({
          method: 'POST',
          url: '/api/v1/auth/login',
          remoteAddress: address,
          payload: { email: user.email, password },
        });
      const free = suite.testApp.config.loginThrottle.freeFailuresPerAddress;
      for (const round of [1, 2]) {
        for (let i = 1; i < free; i++) expect((await from(`guess ${round}.${i}`)).statusCode).toBe(401);
        // Uncleared, the second round's guesses would pass the free ones and start a wait (429).
        expect((await from(user.password)).statusCode, `round ${round}`).toBe(200);
      }
    });

    it('answers the same 401 for a wrong password, an unknown email and a deactivated account', async () => {
      const inactive = await insertUser(suite.db, { isActive: false });
      const responses = [
        await login(user.email, 'not the right password'),
        await login('nobody-here@example.com', user.password),
        await login(inactive.email, inactive.password),
      ];
      for (const response of responses) {
        expect(response.statusCode).toBe(401);
        expect(response.json()).toMatchObject({ code: 'unauthorized', detail: INVALID_CREDENTIALS });
      }
      const bodies = responses.map((r) => {
        const { requestId: _id, ...rest } = r.json();
        return rest;
      });
      expect(bodies[1]).toEqual(bodies[0]);
      expect(bodies[2]).toEqual(bodies[0]);
    });

    it('rejects a malformed body with 400 listing the fields', async () => {
      const response = await suite.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: 42 },
      });
      expect(response.statusCode).toBe(400);
      expect(response.json().errors.map((e: { field: string }) => e.field)).toContain('/body/password');
    });
  });

  describe('access tokens', () => {
    let user: TestUser;
    let claims: Record<string, unknown>;
    const header = { alg: 'HS256', typ: 'JWT' };

    beforeAll(async () => {
      user = await insertUser(suite.db);
      const now = Math.floor(Date.now() / 1000);
      claims = {
        sub: user.id,
        role: 'student',
        tv: 0,
        iss: 'learning-platform',
        aud: 'learning-platform-api',
        iat: now,
        exp: now + 600,
      };
    });

    it('accepts a correctly signed token (the hand-made builder is right)', async () => {
      expect((await me(handMadeJwt(header, claims, suite.testApp.config.jwtSecret))).statusCode).toBe(200);
    });

    it.each([
      ['no Authorization header', () => undefined],
      [
        'an expired token',
        () => handMadeJwt(header, { ...claims, iat: 1, exp: 2 }, suite.testApp.config.jwtSecret),
      ],
      ['a token signed with another secret', () => handMadeJwt(header, claims, 'x'.repeat(64))],
      [
        'an alg "none" token',
        () =>
          `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`,
      ],
      [
        'a token whose claims were edited after signing (role: admin)',
        () => {
          const [h, , s] = handMadeJwt(header, claims, suite.testApp.config.jwtSecret).split('.');
          const forged = Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url');
          return `${h}.${forged}.${s}`;
        },
      ],
      [
        'an HS512 token with the right secret (only HS256 is accepted)',
        () => handMadeJwt({ alg: 'HS512', typ: 'JWT' }, claims, suite.testApp.config.jwtSecret, 'sha512'),
      ],
      [
        'a token for the wrong audience',
        () => handMadeJwt(header, { ...claims, aud: 'other' }, suite.testApp.config.jwtSecret),
      ],
      [
        'a token with an old token version',
        () => handMadeJwt(header, { ...claims, tv: 7 }, suite.testApp.config.jwtSecret),
      ],
      [
        'a token for a user that does not exist',
        () =>
          handMadeJwt(
            header,
            { ...claims, sub: '00000000-0000-4000-8000-000000000000' },
            suite.testApp.config.jwtSecret,
          ),
      ],
      ['garbage', () => 'not.a.jwt'],
    ])('answers 401 problem+json for %s', async (_name, token) => {
      const value = token();
      const response = await suite.app.inject({
        method: 'GET',
        url: '/api/v1/me',
        headers: value === undefined ? {} : bearer(value),
      });
      expect(response.statusCode).toBe(401);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json().code).toBe('unauthorized');
    });

    it('answers 401 for a non-Bearer Authorization header', async () => {
      const response = await suite.app.inject({
        method: 'GET',
        url: '/api/v1/me',
        headers: { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` },
      });
      expect(response.statusCode).toBe(401);
    });
  });

  describe('POST /auth/refresh', () => {
    let user: TestUser;
    beforeAll(async () => {
      user = await insertUser(suite.db);
    });

    it('rotates: a new pair each time, and the presented token stops working', async () => {
      const session = await loginAs(suite.app, user);
      const first = await refresh(session.refreshToken);
      expect(first.statusCode).toBe(200);
      const rotated = first.json();
      expect(rotated.refreshToken).not.toBe(session.refreshToken);
      expect(rotated.user.id).toBe(user.id);
      expect((await me(rotated.accessToken)).statusCode).toBe(200);

      const second = await refresh(rotated.refreshToken);
      expect(second.statusCode).toBe(200);

      const [old] = await suite.db
        .select()
        .from(refreshTokens)
        .where(eq(refreshTokens.tokenHash, hashOpaqueToken(session.refreshToken)));
      expect(old?.usedAt).not.toBeNull();
      const family = await suite.db
        .select()
        .from(refreshTokens)
        .where(eq(refreshTokens.familyId, old!.familyId));
      expect(family).toHaveLength(3);
    });

    it('treats a used token presented again as theft: 401 and the whole family, newest token included, is revoked', async () => {
      const session = await loginAs(suite.app, user);
      const other = await loginAs(suite.app, user);
      const rotated = (await refresh(session.refreshToken)).json();

      const replay = await refresh(session.refreshToken);
      expect(replay.statusCode).toBe(401);
      expect(replay.json().detail).toMatch(/already used/);

      const newest = await refresh(rotated.refreshToken);
      expect(newest.statusCode).toBe(401);

      const [row] = await suite.db
        .select()
        .from(refreshTokens)
        .where(eq(refreshTokens.tokenHash, hashOpaqueToken(rotated.refreshToken)));
      expect(row?.revokedReason).toBe('reuse_detected');
      // Another device's session is a different family and keeps working.
      expect((await refresh(other.refreshToken)).statusCode).toBe(200);
    });

    it('lets only one of two simultaneous refreshes with the same token succeed', async () => {
      const session = await loginAs(suite.app, user);
      const results = await Promise.all([refresh(session.refreshToken), refresh(session.refreshToken)]);
      expect(results.map((r) => r.statusCode).sort()).toEqual([200, 401]);
      const winner = results.find((r) => r.statusCode === 200)!.json();
      // The loser presented a used token: reuse, so the winner's new token is revoked too.
      expect((await refresh(winner.refreshToken)).statusCode).toBe(401);
    });

    it('answers 401 for an unknown or expired token, and an expired one does not revoke the family', async () => {
      expect((await refresh('A'.repeat(43))).statusCode).toBe(401);

      const session = await loginAs(suite.app, user);
      await suite.db
        .update(refreshTokens)
        .set({ expiresAt: sql`now() - interval '1 second'` })
        .where(eq(refreshTokens.tokenHash, hashOpaqueToken(session.refreshToken)));
      const expired = await refresh(session.refreshToken);
      expect(expired.statusCode).toBe(401);
      expect(expired.json().detail).toMatch(/invalid, expired or revoked/);
      const [row] = await suite.db
        .select()
        .from(refreshTokens)
        .where(eq(refreshTokens.tokenHash, hashOpaqueToken(session.refreshToken)));
      expect(row?.revokedAt).toBeNull();
    });

    it('answers 400 for a malformed body', async () => {
      const response = await suite.app.inject({
        method: 'POST',
        url: '/api/v1/auth/refresh',
        payload: { refreshToken: 'has spaces and $ymbols' },
      });
      expect(response.statusCode).toBe(400);
      expect(response.json().errors[0].field).toBe('/body/refreshToken');
    });
  });

  describe('POST /auth/logout and /auth/logout-all', () => {
    it('logout ends only the presenting device’s session', async () => {
      const user = await insertUser(suite.db);
      const phone = await loginAs(suite.app, user);
      const laptop = await loginAs(suite.app, user);
      const rotated = (await refresh(phone.refreshToken)).json();

      // Signing out with the current token of the family.
      const response = await suite.app.inject({
        method: 'POST',
        url: '/api/v1/auth/logout',
        payload: { refreshToken: rotated.refreshToken },
      });
      expect(response.statusCode).toBe(204);
      expect(response.body).toBe('');
      expect((await refresh(rotated.refreshToken)).statusCode).toBe(401);
      const [row] = await suite.db
        .select()
        .from(refreshTokens)
        .where(eq(refreshTokens.tokenHash, hashOpaqueToken(rotated.refreshToken)));
      expect(row?.revokedReason).toBe('logout');

      expect((await refresh(laptop.refreshToken)).statusCode).toBe(200);
    });

    it('refreshing with a signed-out token says the session was signed out, while a rotated one is still reuse', async () => {
      const user = await insertUser(suite.db);
      const session = await loginAs(suite.app, user);
      const rotated = (await refresh(session.refreshToken)).json();
      const logout = await suite.app.inject({
        method: 'POST',
        url: '/api/v1/auth/logout',
        payload: { refreshToken: rotated.refreshToken },
      });
      expect(logout.statusCode).toBe(204);

      const signedOut = await refresh(rotated.refreshToken);
      expect(signedOut.statusCode).toBe(401);
      expect(signedOut.headers['www-authenticate']).toBe('Bearer');
      expect(signedOut.json()).toMatchObject({
        code: 'unauthorized',
        detail: 'This session was signed out; sign in again.',
      });
      const revokedReasons = async () =>
        (
          await suite.db
            .select({ reason: refreshTokens.revokedReason })
            .from(refreshTokens)
            .where(eq(refreshTokens.userId, user.id))
        ).map((row) => row.reason);
      // Presenting a signed-out token is no theft: the recorded reason stays "logout".
      expect(await revokedReasons()).toEqual(['logout', 'logout']);

      // The token rotated before the logout, presented again, is reuse: its own message.
      const replay = await refresh(session.refreshToken);
      expect(replay.statusCode).toBe(401);
      expect(replay.json().detail).toMatch(/already used/);
    });

    it('refreshing after logout-all or a password change says the session was signed out', async () => {
      const user = await insertUser(suite.db);
      const session = await loginAs(suite.app, user);
      await suite.app.inject({
        method: 'POST',
        url: '/api/v1/auth/logout-all',
        headers: bearer(session.accessToken),
      });
      const afterLogoutAll = await refresh(session.refreshToken);
      expect(afterLogoutAll.statusCode).toBe(401);
      expect(afterLogoutAll.json().detail).toBe('This session was signed out; sign in again.');

      const next = await loginAs(suite.app, user);
      await suite.db
        .update(refreshTokens)
        .set({ revokedAt: sql`now()`, revokedReason: 'password_changed' })
        .where(eq(refreshTokens.tokenHash, hashOpaqueToken(next.refreshToken)));
      const afterPasswordChange = await refresh(next.refreshToken);
      expect(afterPasswordChange.statusCode).toBe(401);
      expect(afterPasswordChange.json().detail).toMatch(/signed out because the account password changed/);
    });

    it('an inactive account cannot refresh, even with a token that was never revoked', async () => {
      // Deactivation revokes the tokens too; this checks the refresh's own check of the account.
      const user = await insertUser(suite.db);
      const session = await loginAs(suite.app, user);
      await suite.db.update(users).set({ isActive: false }).where(eq(users.id, user.id));
      const response = await refresh(session.refreshToken);
      expect(response.statusCode).toBe(401);
      expect(response.json().detail).toBe('The refresh token is invalid, expired or revoked. Sign in again.');
    });

    it('logout with an unknown token is a no-op 204', async () => {
      const response = await suite.app.inject({
        method: 'POST',
        url: '/api/v1/auth/logout',
        payload: { refreshToken: 'B'.repeat(43) },
      });
      expect(response.statusCode).toBe(204);
    });

    it('logout-all needs an access token', async () => {
      const response = await suite.app.inject({ method: 'POST', url: '/api/v1/auth/logout-all' });
      expect(response.statusCode).toBe(401);
    });

    it('logout-all kills every access token at once and every refresh token', async () => {
      const user = await insertUser(suite.db);
      const phone = await loginAs(suite.app, user);
      const laptop = await loginAs(suite.app, user);
      expect((await me(laptop.accessToken)).statusCode).toBe(200);

      const response = await suite.app.inject({
        method: 'POST',
        url: '/api/v1/auth/logout-all',
        headers: bearer(phone.accessToken),
      });
      expect(response.statusCode).toBe(204);

      expect((await me(phone.accessToken)).statusCode).toBe(401);
      expect((await me(laptop.accessToken)).statusCode).toBe(401);
      expect((await refresh(phone.refreshToken)).statusCode).toBe(401);
      expect((await refresh(laptop.refreshToken)).statusCode).toBe(401);
      const live = await suite.db
        .select()
        .from(refreshTokens)
        .where(and(eq(refreshTokens.userId, user.id), isNull(refreshTokens.revokedAt)));
      expect(live).toHaveLength(0);
      const [row] = await suite.db.select().from(users).where(eq(users.id, user.id));
      expect(row?.tokenVersion).toBe(1);

      // Signing in again works and starts fresh.
      const again = await loginAs(suite.app, user);
      expect((await me(again.accessToken)).statusCode).toBe(200);
    });
  });
});
