import { hash } from '@node-rs/argon2';
import { describe, expect, it } from 'vitest';
import { users } from '../../src/infrastructure/database/schema/index.js';
import { insertUser, loginAs, uniqueClientAddress } from '../helpers/factories/index.js';
import { useTestApp } from '../helpers/use-test-app.js';

/** Display names that show as nothing or reorder the page, and passwords typed in another Unicode form. */
describe('display names and passwords in Unicode', () => {
  const suite = useTestApp({ rateLimit: { globalPerMinute: 10_000, authPerMinute: 1_000 } });

  const register = (payload: Record<string, string>) =>
    suite.app.inject({
      method: 'POST',
      url: '/api/v1/auth/register',
      remoteAddress: uniqueClientAddress(),
      payload,
    });
  const login = (email: string, password: string) =>
    suite.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      remoteAddress: uniqueClientAddress(),
      payload: { email, password },
    });
  const count = async () => (await suite.db.select({ id: users.id }).from(users)).length;

  it.each([
    ['zero-width spaces', '\u200b\u200b\u200b'],
    ['a Hangul filler', '\u3164'],
    ['a braille blank and a word joiner', '\u2800\u2060'],
    ['a right-to-left override first', '\u202eevil.exe'],
    ['a left-to-right isolate first', '\u2066Admin'],
  ])('refuses a display name of %s, on register and on PATCH /me, writing nothing', async (_label, name) => {
    const before = await count();
    const registered = await register({
      email: `n-${Date.now()}-${Math.random()}@example.com`,
      password: 'a perfectly fine passphrase',
      name,
    });
    expect(registered.statusCode).toBe(400);
    expect(registered.json()).toMatchObject({ errors: [{ field: '/body/name' }] });
    expect(await count()).toBe(before);

    const user = await insertUser(suite.db);
    const { accessToken } = await loginAs(suite.app, user);
    const renamed = await suite.app.inject({
      method: 'PATCH',
      url: '/api/v1/me',
      headers: { authorization: `Bearer ${accessToken}` },
      payload: { name },
    });
    expect(renamed.statusCode).toBe(400);
    const me = await suite.app.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(me.json().name).toBe(user.name);
  });

  it('keeps names with invisible characters inside visible text', async () => {
    const response = await register({
      email: `ok-${Date.now()}@example.com`,
      password: 'a perfectly fine passphrase',
      name: 'Zoë\u200dSmith',
    });
    expect(response.statusCode).toBe(201);
  });

  it('refuses a password of only spaces', async () => {
    const response = await register({
      email: `sp-${Date.now()}@example.com`,
      password: ' '.repeat(12),
      name: 'Spacey',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ errors: [{ field: '/body/password' }] });
  });

  it('a password registered composed signs in typed decomposed, and the other way round', async () => {
    const composed = 'caf\u00e9 au lait passphrase';
    const decomposed = 'cafe\u0301 au lait passphrase';
    const email = `nfc-${Date.now()}@example.com`;
    expect((await register({ email, password: composed, name: 'Composed' })).statusCode).toBe(201);
    expect((await login(email, decomposed)).statusCode).toBe(200);
    const other = `nfd-${Date.now()}@example.com`;
    expect((await register({ email: other, password: decomposed, name: 'Decomposed' })).statusCode).toBe(201);
    expect((await login(other, composed)).statusCode).toBe(200);
  });

  it('an existing hash of a decomposed password (made before normalising) still verifies', async () => {
    const decomposed = 'cafe\u0301 au lait passphrase';
    const user = await insertUser(suite.db, { password: 'placeholder passphrase' });
    const legacy = await hash(decomposed, { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 });
    await suite.testApp.database.pool.query('UPDATE users SET password_hash = $1 WHERE id = $2', [
      legacy,
      user.id,
    ]);
    expect((await login(user.email, decomposed)).statusCode).toBe(200);
  });
});
