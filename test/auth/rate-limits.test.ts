import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { createUser, redisReady, uniqueClientAddress } from '../helpers/factories.js';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';

const AUTH_PER_MINUTE = 3;

describe('rate limits on auth endpoints', () => {
  let testApp: TestApp;
  let app: App;

  beforeAll(async () => {
    testApp = await buildTestApp({ rateLimit: { globalPerMinute: 10_000, authPerMinute: AUTH_PER_MINUTE } });
    app = testApp.app;
    await redisReady(testApp.redis);
    await app.ready();
  });
  afterAll(async () => {
    await testApp?.close();
  });

  const login = (email: string, password: string, remoteAddress = uniqueClientAddress()) =>
    app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress, payload: { email, password } });

  describe('per client address (route limit: rateLimit.authPerMinute)', () => {
    it('login: 429 problem+json with RateLimit headers once the address used its allowance', async () => {
      const address = uniqueClientAddress();
      for (let i = 0; i < AUTH_PER_MINUTE; i++) {
        const response = await login(`someone-${i}@example.com`, 'whatever password', address);
        expect(response.statusCode).toBe(401);
        expect(response.headers['ratelimit-limit']).toBe(String(AUTH_PER_MINUTE));
        expect(response.headers['ratelimit-remaining']).toBe(String(AUTH_PER_MINUTE - 1 - i));
      }
      const limited = await login('someone@example.com', 'whatever password', address);
      expect(limited.statusCode).toBe(429);
      expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(limited.json()).toMatchObject({ code: 'rate_limited', status: 429 });
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(limited.headers['ratelimit-remaining']).toBe('0');

      // Another address is not affected.
      expect((await login('someone@example.com', 'whatever password')).statusCode).toBe(401);
    });

    it('password reset: limited per address too', async () => {
      const address = uniqueClientAddress();
      const statuses: number[] = [];
      for (let i = 0; i <= AUTH_PER_MINUTE; i++) {
        const response = await app.inject({
          method: 'POST',
          url: '/api/v1/auth/password-reset',
          remoteAddress: address,
          payload: { email: `reset-${i}@example.com` },
        });
        statuses.push(response.statusCode);
      }
      expect(statuses).toEqual([...Array(AUTH_PER_MINUTE).fill(202), 429]);
    });

    it('counts each auth route separately from the others', async () => {
      const address = uniqueClientAddress();
      for (let i = 0; i <= AUTH_PER_MINUTE; i++) await login('x@example.com', 'whatever password', address);
      const reset = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/password-reset',
        remoteAddress: address,
        payload: { email: 'x@example.com' },
      });
      expect(reset.statusCode).toBe(202);
    });
  });

  describe('per account (shared rate limiter), whatever the client address', () => {
    it('locks an account after 5 failed logins: 429 with Retry-After even from a new address with the right password', async () => {
      const user = await createUser(testApp.db);
      const bystander = await createUser(testApp.db);
      for (let i = 0; i < 5; i++) {
        const response = await login(user.email, `wrong guess ${i}`);
        expect(response.statusCode).toBe(401);
      }
      const locked = await login(user.email.toUpperCase(), user.password);
      expect(locked.statusCode).toBe(429);
      expect(locked.json()).toMatchObject({
        code: 'rate_limited',
        detail: expect.stringMatching(/failed sign-in/),
      });
      const retryAfter = Number(locked.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(15 * 60);

      expect((await login(bystander.email, bystander.password)).statusCode).toBe(200);
    });

    it('locks unknown addresses the same way, so the lockout does not reveal which accounts exist', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await login('ghost@example.com', `guess ${i}`)).statusCode);
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    });

    it('a successful login clears the count of failures', async () => {
      const user = await createUser(testApp.db);
      for (let i = 0; i < 4; i++) expect((await login(user.email, `wrong ${i}`)).statusCode).toBe(401);
      expect((await login(user.email, user.password)).statusCode).toBe(200);
      for (let i = 0; i < 4; i++) expect((await login(user.email, `wrong again ${i}`)).statusCode).toBe(401);
      expect((await login(user.email, user.password)).statusCode).toBe(200);
    });
  });
});
