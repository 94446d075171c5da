import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { users } from '../../src/infrastructure/database/schema/index.js';
import {
  bearer,
  insertUser,
  loginAs,
  mintAccessToken,
  uniqueClientAddress,
} from '../helpers/factories/index.js';
import { useTestApp } from '../helpers/use-test-app.js';

/**
 * The auth guard and GET /me are served from the user cache (no database read on a hit). Every test
 * here first WARMS that cache with the token it later checks (two reads: the second is a hit), then
 * changes the user through the API, and expects the change on the very next request.
 */
describe('cached auth state and /me: every write takes effect on the next request', () => {
  const suite = useTestApp({});
  let adminHeaders: { authorization: string };

  beforeAll(async () => {
    const admin = await insertUser(suite.db, { role: 'admin' });
    adminHeaders = bearer(await mintAccessToken(suite.testApp, admin));
  });

  const get = (url: string, headers: Record<string, string>) =>
    suite.app.inject({ method: 'GET', url: `/api/v1${url}`, headers });
  const send = (method: 'POST' | 'PATCH', url: string, headers: Record<string, string>, payload?: object) =>
    suite.app.inject({
      method,
      url: `/api/v1${url}`,
      headers,
      payload,
      remoteAddress: uniqueClientAddress(),
    });

  /** Two reads of /me with `headers`, both 200: the second one is answered from the cache. */
  async function warm(headers: Record<string, string>) {
    for (let i = 0; i < 2; i++) {
      const response = await get('/me', headers);
      expect(response.statusCode, response.body).toBe(200);
    }
  }

  async function signedIn(options: Parameters<typeof insertUser>[1] = {}) {
    const user = await insertUser(suite.db, options);
    const session = await loginAs(suite.app, user);
    const headers = bearer(session.accessToken);
    await warm(headers);
    return { user, session, headers };
  }

  it('deactivation: the warmed token is refused at once, on /me and every other guarded route', async () => {
    const { user, headers } = await signedIn();
    expect((await send('POST', `/users/${user.id}/deactivate`, adminHeaders)).statusCode).toBe(200);
    expect((await get('/me', headers)).statusCode).toBe(401);
    expect((await get('/me/profile', headers)).statusCode).toBe(401);

    // Reactivated: the old token stays revoked (token version), a new sign-in works at once.
    expect((await send('POST', `/users/${user.id}/reactivate`, adminHeaders)).statusCode).toBe(200);
    expect((await get('/me', headers)).statusCode).toBe(401);
    const again = bearer((await loginAs(suite.app, user)).accessToken);
    const me = await get('/me', again);
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ isActive: true, deactivatedAt: null });
  });

  it('deactivating an already inactive user still drops what the cache holds', async () => {
    const { user, headers } = await signedIn();
    // Deactivated behind the app's back (no invalidation): the cache still says active...
    await suite.db.update(users).set({ isActive: false }).where(eq(users.id, user.id));
    expect((await get('/me', headers)).statusCode).toBe(200);
    // ...until an admin deactivates through the API, which is a no-op in the database.
    expect((await send('POST', `/users/${user.id}/deactivate`, adminHeaders)).statusCode).toBe(200);
    expect((await get('/me', headers)).statusCode).toBe(401);
  });

  it('logout everywhere: every warmed token of the user is refused at once', async () => {
    const { user, headers: phone } = await signedIn();
    const laptop = bearer((await loginAs(suite.app, user)).accessToken);
    await warm(laptop);
    expect((await send('POST', '/auth/logout-all', phone)).statusCode).toBe(204);
    expect((await get('/me', phone)).statusCode).toBe(401);
    expect((await get('/me', laptop)).statusCode).toBe(401);
  });

  it('role change: a promotion opens an admin route at once, a demotion closes it at once', async () => {
    const { user, headers } = await signedIn();
    expect((await get('/users?limit=1', headers)).statusCode).toBe(403);
    expect((await get('/users?limit=1', headers)).statusCode).toBe(403);

    const promoted = await send('PATCH', `/users/${user.id}/role`, adminHeaders, { role: 'admin' });
    expect(promoted.statusCode).toBe(200);
    expect((await get('/users?limit=1', headers)).statusCode).toBe(200);
    expect((await get('/me', headers)).json().role).toBe('admin');

    await send('PATCH', `/users/${user.id}/role`, adminHeaders, { role: 'student' });
    expect((await get('/users?limit=1', headers)).statusCode).toBe(403);
    expect((await get('/me', headers)).json().role).toBe('student');
  });

  it('profile and name updates show in /me at once', async () => {
    const { headers } = await signedIn();
    const profile = await send('PATCH', '/me/profile', headers, {
      headline: 'Cache buster',
      timezone: 'Asia/Tokyo',
    });
    expect(profile.statusCode, profile.body).toBe(200);
    expect((await get('/me', headers)).json().profile).toMatchObject({
      headline: 'Cache buster',
      timezone: 'Asia/Tokyo',
    });

    expect((await send('PATCH', '/me', headers, { name: 'Renamed Right Away' })).statusCode).toBe(200);
    const me = await get('/me', headers);
    expect(me.json().name).toBe('Renamed Right Away');
    expect(me.json().profile.headline).toBe('Cache buster');
  });

  it('change password: the other warmed tokens are refused at once, the new one works', async () => {
    const { user, headers } = await signedIn();
    const other = bearer((await loginAs(suite.app, user)).accessToken);
    await warm(other);
    const changed = await send('POST', '/auth/change-password', headers, {
      currentPassword: user.password,
      newPassword: 'a brand new passphrase 42',
    });
    expect(changed.statusCode, changed.body).toBe(200);
    expect((await get('/me', headers)).statusCode).toBe(401);
    expect((await get('/me', other)).statusCode).toBe(401);
    expect((await get('/me', bearer(changed.json().accessToken))).statusCode).toBe(200);
  });

  it('password reset: the warmed token is refused as soon as the reset is confirmed', async () => {
    const { user, headers } = await signedIn();
    const sentBefore = suite.testApp.outbox.sent.length;
    expect((await send('POST', '/auth/password-reset', {}, { email: user.email })).statusCode).toBe(202);
    const deadline = Date.now() + 5_000;
    while (suite.testApp.outbox.sent.length === sentBefore && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const token = /token=([A-Za-z0-9_-]+)/.exec(suite.testApp.outbox.sent.at(-1)?.text ?? '')?.[1];
    expect(token).toBeDefined();
    const confirmed = await send(
      'POST',
      '/auth/password-reset/confirm',
      {},
      {
        token,
        newPassword: 'reset to something new 7',
      },
    );
    expect(confirmed.statusCode, confirmed.body).toBe(204);
    expect((await get('/me', headers)).statusCode).toBe(401);
  });

  it('signing in again shows the new last sign-in time in /me at once', async () => {
    const { user, headers } = await signedIn();
    const before = (await get('/me', headers)).json().lastLoginAt as string;
    await new Promise((resolve) => setTimeout(resolve, 5));
    await loginAs(suite.app, user);
    const after = (await get('/me', headers)).json().lastLoginAt as string;
    expect(Date.parse(after)).toBeGreaterThan(Date.parse(before));
  });
});
