import { describe, expect, it } from 'vitest';
import { insertUser, uniqueClientAddress } from '../helpers/factories/index.js';
import { useTestApp } from '../helpers/use-test-app.js';

const AUTH_PER_MINUTE = 3;

describe('rate limits on auth endpoints', () => {
  const suite = useTestApp({ rateLimit: { globalPerMinute: 10_000, authPerMinute: AUTH_PER_MINUTE } });

  const login = (email: string, password: string, remoteAddress = uniqueClientAddress()) =>
    suite.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      remoteAddress,
      payload: { email, password },
    });

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
        const response = await suite.app.inject({
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
      const reset = await suite.app.inject({
        method: 'POST',
        url: '/api/v1/auth/password-reset',
        remoteAddress: address,
        payload: { email: 'x@example.com' },
      });
      expect(reset.statusCode).toBe(202);
    });
  });

  describe('per account and address (login-throttle.ts): guessing is slowed, the owner is never locked out', () => {
    // Its own app, with a per-address route limit above the throttle's numbers.
    const throttle = useTestApp({ rateLimit: { globalPerMinute: 10_000, authPerMinute: 1_000 } });
    const login = (email: string, password: string, remoteAddress = uniqueClientAddress()) =>
      throttle.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        remoteAddress,
        payload: { email, password },
      });

    it('after 5 failures from one address that address waits (429 whose Retry-After, RateLimit headers and detail agree); the owner elsewhere signs in', async () => {
      const user = await insertUser(throttle.db);
      const attacker = uniqueClientAddress();
      for (let i = 0; i < 5; i++) {
        expect((await login(user.email, `wrong guess ${i}`, attacker)).statusCode).toBe(401);
      }
      const throttled = await login(user.email.toUpperCase(), user.password, attacker);
      expect(throttled.statusCode).toBe(429);
      const retryAfter = Number(throttled.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(15 * 60);
      expect(throttled.headers['ratelimit-remaining']).toBe('0');
      expect(throttled.headers['ratelimit-reset']).toBe(String(retryAfter));
      expect(throttled.json()).toMatchObject({
        code: 'rate_limited',
        detail: expect.stringMatching(new RegExp(`failed sign-in.*Try again in ${retryAfter} seconds?`)),
      });
      // The owner, on another address, is not held up by the attacker's guesses.
      expect((await login(user.email, user.password)).statusCode).toBe(200);
    });

    it('the waits grow: 1 s after the 5th failure, 2 s after the 6th', async () => {
      const user = await insertUser(throttle.db);
      const address = uniqueClientAddress();
      for (let i = 0; i < 5; i++) await login(user.email, `wrong ${i}`, address);
      expect((await login(user.email, 'wrong again', address)).headers['retry-after']).toBe('1');
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      expect((await login(user.email, 'wrong sixth', address)).statusCode).toBe(401);
      expect((await login(user.email, 'wrong seventh', address)).headers['retry-after']).toBe('2');
    });

    it('throttles unknown addresses the same way, so throttling does not reveal which accounts exist', async () => {
      const address = uniqueClientAddress();
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++)
        statuses.push((await login('ghost@example.com', `guess ${i}`, address)).statusCode);
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    });

    it('a successful login clears the count of failures of that address', async () => {
      const user = await insertUser(throttle.db);
      const address = uniqueClientAddress();
      for (let i = 0; i < 4; i++)
        expect((await login(user.email, `wrong ${i}`, address)).statusCode).toBe(401);
      expect((await login(user.email, user.password, address)).statusCode).toBe(200);
      for (let i = 0; i < 4; i++)
        expect((await login(user.email, `wrong again ${i}`, address)).statusCode).toBe(401);
      expect((await login(user.email, user.password, address)).statusCode).toBe(200);
    });

    it('reset emails: another address can always get one, so nobody can use up the owner’s quota', async () => {
      const user = await insertUser(throttle.db);
      const reset = (remoteAddress: string) =>
        throttle.app.inject({
          method: 'POST',
          url: '/api/v1/auth/password-reset',
          remoteAddress,
          payload: { email: user.email },
        });
      const sentBefore = throttle.testApp.outbox.sent.length;
      // 3 per client address; 12 from four attacker addresses use up the account's 10 per hour.
      for (let a = 0; a < 4; a++) {
        const address = uniqueClientAddress();
        for (let i = 0; i < 3; i++) expect((await reset(address)).statusCode).toBe(202);
      }
      await expect.poll(() => throttle.testApp.outbox.sent.length - sentBefore, { timeout: 5_000 }).toBe(10);
      expect((await reset(uniqueClientAddress())).statusCode).toBe(202);
      await expect.poll(() => throttle.testApp.outbox.sent.length - sentBefore, { timeout: 5_000 }).toBe(11);
    });
  });
});
