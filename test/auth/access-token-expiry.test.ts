import { afterEach, describe, expect, it, vi } from 'vitest';
import { bearer, insertUser, loginAs } from '../helpers/factories/index.js';
import { useTestApp } from '../helpers/use-test-app.js';

/**
 * The guard keeps the tokens it has accepted (so a session's next requests skip verification): a
 * kept token must still stop working the moment it expires, and a forged variant of a kept token
 * must not ride on it.
 */
describe('access tokens the guard has already accepted', () => {
  const suite = useTestApp({ config: { accessTokenTtlSeconds: 60 } });

  afterEach(() => {
    vi.useRealTimers();
  });

  const me = (token: string) =>
    suite.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(token) });

  it('are refused from the moment they expire', async () => {
    const user = await insertUser(suite.db);
    // The clock stands still from the token's issue on: a slow login on a busy machine moves nothing.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    const { accessToken } = await loginAs(suite.app, user);
    expect((await me(accessToken)).statusCode).toBe(200);
    expect((await me(accessToken)).statusCode).toBe(200);

    vi.setSystemTime(Date.now() + 59_000);
    expect((await me(accessToken)).statusCode).toBe(200);
    vi.setSystemTime(Date.now() + 2_000);
    const expired = await me(accessToken);
    expect(expired.statusCode).toBe(401);
    expect(expired.json().detail).toMatch(/invalid or has expired/);
  });

  it('do not vouch for a token that differs from them in any character', async () => {
    const user = await insertUser(suite.db);
    const { accessToken } = await loginAs(suite.app, user);
    expect((await me(accessToken)).statusCode).toBe(200);
    const [header, payload, signature] = accessToken.split('.') as [string, string, string];
    // A character in the middle (the last one of a base64url signature carries padding bits).
    const flipped = `${signature.slice(0, 10)}${signature[10] === 'A' ? 'B' : 'A'}${signature.slice(11)}`;
    expect((await me(`${header}.${payload}.${flipped}`)).statusCode).toBe(401);
    expect((await me(`${header}.${payload}.${signature}x`)).statusCode).toBe(401);
  });
});
