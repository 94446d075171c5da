import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { users } from '../../src/infrastructure/database/schema/index.js';
import { bearer, insertUser, loginAs, uniqueClientAddress } from '../helpers/factories/index.js';
import { ROOMY_RATE_LIMITS, useTestApp } from '../helpers/use-test-app.js';

const NEW_PASSWORD = 'violet tractors hum at dawn';

describe('POST /api/v1/auth/change-password', () => {
  const suite = useTestApp({ rateLimit: ROOMY_RATE_LIMITS });

  const changePassword = (accessToken: string | undefined, payload: object) =>
    suite.app.inject({
      method: 'POST',
      url: '/api/v1/auth/change-password',
      headers: accessToken === undefined ? {} : bearer(accessToken),
      payload,
    });
  const me = (accessToken: string) =>
    suite.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(accessToken) });
  const refresh = (refreshToken: string) =>
    suite.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken } });
  const login = (email: string, password: string) =>
    suite.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      remoteAddress: uniqueClientAddress(),
      payload: { email, password },
    });
  const passwordHashOf = async (id: string) =>
    (await suite.db.select({ hash: users.passwordHash }).from(users).where(eq(users.id, id)))[0]?.hash;

  it('changes the password, ends every other session and gives this device a fresh pair', async () => {
    const user = await insertUser(suite.db);
    const thisDevice = await loginAs(suite.app, user);
    const otherDevice = await loginAs(suite.app, user);

    const response = await changePassword(thisDevice.accessToken, {
      currentPassword: user.password,
      newPassword: NEW_PASSWORD,
    });
    expect(response.statusCode).toBe(200);
    const fresh = response.json();
    expect(fresh).toMatchObject({ tokenType: 'Bearer', user: { id: user.id } });
    expect(response.body).not.toMatch(/passwordHash|\$argon2/);

    expect((await me(fresh.accessToken)).statusCode).toBe(200);
    expect((await refresh(fresh.refreshToken)).statusCode).toBe(200);

    expect((await me(thisDevice.accessToken)).statusCode).toBe(401);
    expect((await me(otherDevice.accessToken)).statusCode).toBe(401);
    expect((await refresh(thisDevice.refreshToken)).statusCode).toBe(401);
    const ended = await refresh(otherDevice.refreshToken);
    expect(ended.statusCode).toBe(401);
    expect(ended.json().detail).toBe(
      'This session was signed out because the account password changed; sign in again.',
    );

    expect((await login(user.email, user.password)).statusCode).toBe(401);
    expect((await login(user.email, NEW_PASSWORD)).statusCode).toBe(200);
  });

  it('refuses a wrong current password with 400 and changes nothing', async () => {
    const user = await insertUser(suite.db);
    const session = await loginAs(suite.app, user);
    const hashBefore = await passwordHashOf(user.id);

    const response = await changePassword(session.accessToken, {
      currentPassword: 'this is not it at all',
      newPassword: NEW_PASSWORD,
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors).toEqual([
      { field: '/body/currentPassword', message: 'is not your current password' },
    ]);
    // A new password equal to the wrong guess: only the guess is reported, not "must differ".
    const sameAsGuess = await changePassword(session.accessToken, {
      currentPassword: NEW_PASSWORD,
      newPassword: NEW_PASSWORD,
    });
    expect(sameAsGuess.json().errors).toEqual([
      { field: '/body/currentPassword', message: 'is not your current password' },
    ]);
    expect(await passwordHashOf(user.id)).toBe(hashBefore);
    expect((await me(session.accessToken)).statusCode).toBe(200);
    expect((await refresh(session.refreshToken)).statusCode).toBe(200);
  });

  it('applies the password policy to the new password and lists every bad field', async () => {
    const user = await insertUser(suite.db);
    const session = await loginAs(suite.app, user);
    const hashBefore = await passwordHashOf(user.id);

    const common = await changePassword(session.accessToken, {
      currentPassword: 'wrong current password',
      newPassword: 'Password1234',
    });
    expect(common.statusCode).toBe(400);
    expect(
      common
        .json()
        .errors.map((e: { field: string }) => e.field)
        .sort(),
    ).toEqual(['/body/currentPassword', '/body/newPassword']);

    const same = await changePassword(session.accessToken, {
      currentPassword: user.password,
      newPassword: user.password,
    });
    expect(same.statusCode).toBe(400);
    expect(same.json().errors).toEqual([
      { field: '/body/newPassword', message: 'must differ from the current password' },
    ]);

    const short = await changePassword(session.accessToken, {
      currentPassword: user.password,
      newPassword: 'short',
    });
    expect(short.statusCode).toBe(400);
    expect(short.json().errors[0].field).toBe('/body/newPassword');

    const ownEmail = await changePassword(session.accessToken, {
      currentPassword: user.password,
      newPassword: user.email,
    });
    expect(ownEmail.statusCode).toBe(400);
    expect(ownEmail.json().errors).toEqual([
      { field: '/body/newPassword', message: 'must not be your email address' },
    ]);

    expect(await passwordHashOf(user.id)).toBe(hashBefore);
  });

  it('needs an access token', async () => {
    const response = await changePassword(undefined, { currentPassword: 'x', newPassword: NEW_PASSWORD });
    expect(response.statusCode).toBe(401);
  });

  it('answers 429 after 5 wrong current passwords in a row', async () => {
    const user = await insertUser(suite.db);
    const session = await loginAs(suite.app, user);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const response = await changePassword(session.accessToken, {
        currentPassword: `wrong guess number ${i}`,
        newPassword: NEW_PASSWORD,
      });
      statuses.push(response.statusCode);
      if (response.statusCode === 429) {
        expect(response.json()).toMatchObject({
          code: 'rate_limited',
          detail: 'Too many attempts with a wrong current password. Wait before trying again.',
        });
        expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
      }
    }
    expect(statuses).toEqual([400, 400, 400, 400, 400, 429]);
    // Even the right password waits until the window ends.
    const right = await changePassword(session.accessToken, {
      currentPassword: user.password,
      newPassword: NEW_PASSWORD,
    });
    expect(right.statusCode).toBe(429);

    // The count is per account: someone else's wrong guess is still a plain 400.
    const other = await insertUser(suite.db);
    const otherSession = await loginAs(suite.app, other);
    const otherGuess = await changePassword(otherSession.accessToken, {
      currentPassword: 'wrong guess',
      newPassword: NEW_PASSWORD,
    });
    expect(otherGuess.statusCode).toBe(400);
  });

  it('the right current password clears the count of wrong ones', async () => {
    const user = await insertUser(suite.db);
    let session = await loginAs(suite.app, user);
    const wrong = () =>
      changePassword(session.accessToken, { currentPassword: 'wrong guess', newPassword: NEW_PASSWORD });
    for (let i = 0; i < 4; i++) expect((await wrong()).statusCode).toBe(400);
    const right = await changePassword(session.accessToken, {
      currentPassword: user.password,
      newPassword: NEW_PASSWORD,
    });
    expect(right.statusCode).toBe(200);
    session = right.json();
    // Without the reset this would be the sixth attempt in the window: 429.
    expect((await wrong()).statusCode).toBe(400);
  });
});
