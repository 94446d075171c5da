import { count, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { passwordResetTokens, users } from '../../src/infrastructure/database/schema/index.js';
import { createSmtpMailer } from '../../src/infrastructure/mail/mailer.js';
import { hashOpaqueToken } from '../../src/infrastructure/security/opaque-tokens.js';
import {
  bearer,
  insertUser,
  loginAs,
  type TestUser,
  uniqueClientAddress,
} from '../helpers/factories/index.js';
import { ROOMY_RATE_LIMITS, useTestApp } from '../helpers/use-test-app.js';
import { resetTokenIn, type SmtpCapture, startSmtpCapture } from './smtp-capture.js';

const APP_URL = 'https://app.example.test';
const NEW_PASSWORD = 'seven purple kites over the harbour';
const ACCEPTED = {
  message: 'If an account uses this email address, a link to reset its password is on its way.',
};

describe('password reset by email, through a real SMTP server', () => {
  let smtp: SmtpCapture;
  beforeAll(async () => {
    smtp = await startSmtpCapture();
  });
  afterAll(async () => {
    await smtp?.close();
  });
  // Declared after the SMTP server's hooks: built once it listens, closed before it stops.
  const suite = useTestApp({
    config: { publicAppUrl: APP_URL },
    rateLimit: ROOMY_RATE_LIMITS,
    app: () => ({ mailer: createSmtpMailer(smtp.url, parseConfig({ NODE_ENV: 'test' }).mailFrom) }),
  });

  const requestReset = (email: string) =>
    suite.app.inject({
      method: 'POST',
      url: '/api/v1/auth/password-reset',
      remoteAddress: '198.51.100.20',
      payload: { email },
    });
  const confirm = (token: string, newPassword = NEW_PASSWORD, remoteAddress?: string) =>
    suite.app.inject({
      method: 'POST',
      url: '/api/v1/auth/password-reset/confirm',
      ...(remoteAddress === undefined ? {} : { remoteAddress }),
      payload: { token, newPassword },
    });
  const login = (email: string, password: string, remoteAddress = uniqueClientAddress()) =>
    suite.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      remoteAddress,
      payload: { email, password },
    });
  /** The token from the next email to `user`. */
  async function nextResetToken(user: TestUser): Promise<string> {
    const already = smtp.messages.length;
    expect((await requestReset(user.email)).statusCode).toBe(202);
    const [email] = (await smtp.waitFor(already + 1)).slice(already);
    expect(email?.to).toEqual([user.email]);
    return resetTokenIn(email!);
  }
  const tokenRows = async () => (await suite.db.select({ n: count() }).from(passwordResetTokens))[0]?.n ?? 0;
  /** Proves nothing else is on its way: a sentinel email arrives and nothing besides it. */
  async function expectNoEmailBesidesSentinel(sentBefore: number) {
    const sentinel = await insertUser(suite.db);
    await requestReset(sentinel.email);
    await smtp.waitFor(sentBefore + 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(smtp.messages.slice(sentBefore).map((m) => m.to)).toEqual([[sentinel.email]]);
  }

  it('resets end to end: email with link, new password works, every session ends, the link works once', async () => {
    const user = await insertUser(suite.db, { email: 'reset.me@example.com' });
    const phone = await loginAs(suite.app, user);
    const laptop = await loginAs(suite.app, user);
    const sentBefore = smtp.messages.length;

    const response = await requestReset('  Reset.Me@Example.com ');
    expect(response.statusCode).toBe(202);
    expect(response.json()).toEqual(ACCEPTED);

    const [email] = (await smtp.waitFor(sentBefore + 1)).slice(sentBefore);
    expect(email?.to).toEqual(['reset.me@example.com']);
    expect(email?.text).toContain(`${APP_URL}/reset-password?token=`);
    expect(email?.text).toMatch(/Subject: Reset your Learning Platform password/);
    const token = resetTokenIn(email!);

    const [stored] = await suite.db
      .select()
      .from(passwordResetTokens)
      .where(eq(passwordResetTokens.userId, user.id));
    expect(stored?.tokenHash).toBe(hashOpaqueToken(token));
    expect(stored?.tokenHash).not.toContain(token);
    expect(stored?.requestedIp).toBe('198.51.100.20');
    const ttlMs = suite.testApp.config.passwordResetTtlMinutes * 60_000;
    expect(Math.abs(stored!.expiresAt.getTime() - (Date.now() + ttlMs))).toBeLessThan(60_000);

    const confirmed = await confirm(token);
    expect(confirmed.statusCode).toBe(204);

    for (const session of [phone, laptop]) {
      expect(
        (await suite.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(session.accessToken) }))
          .statusCode,
      ).toBe(401);
      const refreshed = await suite.app.inject({
        method: 'POST',
        url: '/api/v1/auth/refresh',
        payload: { refreshToken: session.refreshToken },
      });
      expect(refreshed.statusCode).toBe(401);
    }
    expect((await login(user.email, user.password)).statusCode).toBe(401);
    const signedIn = await login(user.email, NEW_PASSWORD);
    expect(signedIn.statusCode).toBe(200);
    // Following the link proved the mailbox works.
    expect(signedIn.json().user.emailVerifiedAt).not.toBeNull();

    const reused = await confirm(token, 'yet another fine passphrase');
    expect(reused.statusCode).toBe(400);
    expect(reused.json()).toMatchObject({
      code: 'bad_request',
      reason: 'reset_token_used',
      errors: [{ field: '/body/token' }],
    });
    expect((await login(user.email, NEW_PASSWORD)).statusCode).toBe(200);
  });

  it('answers an unknown address exactly like a known one, and sends nothing', async () => {
    const rowsBefore = await tokenRows();
    const sentBefore = smtp.messages.length;

    const response = await requestReset('nobody-by-this-name@example.com');
    expect(response.statusCode).toBe(202);
    expect(response.json()).toEqual(ACCEPTED);
    await expectNoEmailBesidesSentinel(sentBefore);
    // Only the sentinel's token was stored.
    expect(await tokenRows()).toBe(rowsBefore + 1);
  });

  it('sends nothing to a deactivated account, still answering 202', async () => {
    const inactive = await insertUser(suite.db, { isActive: false });
    const sentBefore = smtp.messages.length;
    const response = await requestReset(inactive.email);
    expect(response.statusCode).toBe(202);
    expect(response.json()).toEqual(ACCEPTED);
    await expectNoEmailBesidesSentinel(sentBefore);
  });

  it('invalidates an earlier link when a new one is issued', async () => {
    const user = await insertUser(suite.db);
    const first = await nextResetToken(user);
    const second = await nextResetToken(user);

    const stale = await confirm(first);
    expect(stale.statusCode).toBe(400);
    expect(stale.json().reason).toBe('reset_token_used');
    expect((await confirm(second)).statusCode).toBe(204);
  });

  it('refuses an expired link with a clear reason and changes nothing', async () => {
    const user = await insertUser(suite.db);
    const token = await nextResetToken(user);
    await suite.db
      .update(passwordResetTokens)
      .set({ expiresAt: sql`now() - interval '1 second'` })
      .where(eq(passwordResetTokens.tokenHash, hashOpaqueToken(token)));
    const [before] = await suite.db.select().from(users).where(eq(users.id, user.id));

    const response = await confirm(token);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      reason: 'reset_token_expired',
      detail: expect.stringMatching(/expired/),
    });
    const [after] = await suite.db.select().from(users).where(eq(users.id, user.id));
    expect(after?.passwordHash).toBe(before?.passwordHash);
    expect(after?.tokenVersion).toBe(before?.tokenVersion);
  });

  it('refuses unknown and malformed tokens', async () => {
    const unknown = await confirm('C'.repeat(43));
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().reason).toBe('reset_token_invalid');

    const malformed = await confirm('not a token!');
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toMatchObject({ code: 'validation_failed', errors: [{ field: '/body/token' }] });
  });

  it('applies the password policy and leaves the token usable after a refused password', async () => {
    const user = await insertUser(suite.db);
    const token = await nextResetToken(user);

    const common = await confirm(token, 'Qwertyuiop123');
    expect(common.statusCode).toBe(400);
    expect(common.json().errors).toEqual([
      { field: '/body/newPassword', message: expect.stringMatching(/common/) },
    ]);
    const short = await confirm(token, 'short');
    expect(short.statusCode).toBe(400);
    expect(short.json().errors[0].field).toBe('/body/newPassword');

    expect((await confirm(token)).statusCode).toBe(204);
  });

  it('sends at most 3 emails per address and hour, still answering 202 to every request', async () => {
    const user = await insertUser(suite.db);
    const sentBefore = smtp.messages.length;
    for (let i = 0; i < 5; i++) {
      const response = await requestReset(user.email);
      expect(response.statusCode).toBe(202);
      expect(response.json()).toEqual(ACCEPTED);
    }
    await smtp.waitFor(sentBefore + 3);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(smtp.messages.slice(sentBefore).filter((m) => m.to.includes(user.email))).toHaveLength(3);
  });

  // Sign-ins are throttled per account and address: the device that made the failures waits, and a reset from it ends that.
  it('ends a failed-login throttle once the owner resets the password', async () => {
    const user = await insertUser(suite.db);
    const device = uniqueClientAddress();
    for (let i = 0; i < 5; i++) {
      expect((await login(user.email, `wrong guess ${i}`, device)).statusCode).toBe(401);
    }
    expect((await login(user.email, user.password, device)).statusCode).toBe(429);

    const token = await nextResetToken(user);
    expect((await confirm(token, NEW_PASSWORD, device)).statusCode).toBe(204);
    expect((await login(user.email, NEW_PASSWORD, device)).statusCode).toBe(200);
  });
});
