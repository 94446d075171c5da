import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { REDACT_CENSOR } from '../../src/http/logger.js';
import { bearer } from '../helpers/factories/index.js';
import { ROOMY_RATE_LIMITS, useTestApp } from '../helpers/use-test-app.js';
import { forgedVariants } from './jwt-forgery.js';

/**
 * Secrets never reach the logs: a realistic session runs through an app logging at `trace` into a
 * captured stream, then every password, token and Authorization value it used is searched for in
 * the whole output.
 */

interface TokenPair {
  accessToken: string;
  refreshToken: string;
}

describe('secrets never in logs', () => {
  const lines: string[] = [];
  const suite = useTestApp({
    rateLimit: ROOMY_RATE_LIMITS,
    app: { logger: { level: 'trace', stream: { write: (line: string) => void lines.push(line) } } },
  });
  /** Every secret the session used, by what it is (for the failure message). */
  const secrets = new Map<string, string>();
  const requestIds: string[] = [];
  let remoteAddress = 0;

  const remember = (what: string, value: string) => {
    secrets.set(value, what);
    // A JWT's signature alone is as secret as the token.
    const signature = value.split('.')[2];
    if (value.startsWith('eyJ') && signature) secrets.set(signature, `${what} (signature)`);
  };

  /** The token pair a response answered with `status` carries; both tokens are remembered. */
  function tokensOf(response: LightMyRequestResponse, status: number, source: string): TokenPair {
    expect(response.statusCode, response.body).toBe(status);
    const pair = response.json() as TokenPair;
    remember(`access token ${source}`, pair.accessToken);
    remember(`refresh token ${source}`, pair.refreshToken);
    return pair;
  }

  async function send(options: InjectOptions) {
    remoteAddress += 1;
    const response = await suite.app.inject({ remoteAddress: `10.77.0.${remoteAddress}`, ...options });
    requestIds.push(String(response.headers['x-request-id']));
    return response;
  }

  async function waitForResetEmail(count: number): Promise<string> {
    for (let attempt = 0; attempt < 200 && suite.testApp.outbox.sent.length < count; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const text = suite.testApp.outbox.sent[count - 1]?.text ?? '';
    const token = /[?&]token=([A-Za-z0-9_-]+)/.exec(text)?.[1];
    if (!token) throw new Error(`no reset link in the email: ${text}`);
    return decodeURIComponent(token);
  }

  beforeAll(async () => {
    const email = 'log-secrets@example.com';
    const firstPassword = 'first secret passphrase 1';
    const secondPassword = 'second secret passphrase 2';
    const thirdPassword = 'third secret passphrase 3';
    const wrongPassword = 'wrong secret passphrase 4';
    const nulPassword = 'nul secret passphrase 5';
    remember('first password', firstPassword);
    remember('second password', secondPassword);
    remember('third password', thirdPassword);
    remember('wrong password', wrongPassword);
    remember('password sent with a NUL email', nulPassword);
    remember('common password', 'password123');

    const register = await send({
      method: 'POST',
      url: '/api/v1/auth/register',
      payload: { email, password: firstPassword, name: 'Log Secrets' },
    });
    tokensOf(register, 201, 'from register');

    // Rejected: a common password, an existing email, a NUL the database refuses.
    await send({
      method: 'POST',
      url: '/api/v1/auth/register',
      payload: { email: 'other@example.com', password: 'password123', name: 'Common' },
    });
    await send({
      method: 'POST',
      url: '/api/v1/auth/register',
      payload: { email, password: firstPassword, name: 'Again' },
    });
    await send({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'nul\u0000@example.com', password: nulPassword },
    });

    const login = await send({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email, password: firstPassword },
    });
    const session = tokensOf(login, 200, 'from login');
    await send({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password: wrongPassword } });

    const refreshed = await send({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      payload: { refreshToken: session.refreshToken },
    });
    const current = tokensOf(refreshed, 200, 'from refresh');

    expect(
      (await send({ method: 'GET', url: '/api/v1/me', headers: bearer(current.accessToken) })).statusCode,
    ).toBe(200);
    await send({
      method: 'PATCH',
      url: '/api/v1/me/profile',
      headers: bearer(current.accessToken),
      payload: { headline: 'Logging things' },
    });
    // Tokens in query strings (a client that puts them in the URL).
    await send({ method: 'GET', url: `/api/v1/me?access_token=${current.accessToken}` });
    await send({ method: 'GET', url: `/api/v1/courses?token=${current.refreshToken}&limit=5` });

    const changed = await send({
      method: 'POST',
      url: '/api/v1/auth/change-password',
      headers: bearer(current.accessToken),
      payload: { currentPassword: firstPassword, newPassword: secondPassword },
    });
    tokensOf(changed, 200, 'from change-password');
    // The old token after the change, and a reused refresh token: both refused.
    await send({ method: 'GET', url: '/api/v1/me', headers: bearer(current.accessToken) });
    await send({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      payload: { refreshToken: session.refreshToken },
    });

    expect(
      (await send({ method: 'POST', url: '/api/v1/auth/password-reset', payload: { email } })).statusCode,
    ).toBe(202);
    const resetToken = await waitForResetEmail(1);
    remember('password reset token', resetToken);
    await send({ method: 'GET', url: `/reset-password?token=${resetToken}` });
    const confirmed = await send({
      method: 'POST',
      url: '/api/v1/auth/password-reset/confirm',
      payload: { token: resetToken, newPassword: thirdPassword },
    });
    expect(confirmed.statusCode, confirmed.body).toBe(204);
    await send({
      method: 'POST',
      url: '/api/v1/auth/password-reset/confirm',
      payload: { token: resetToken, newPassword: thirdPassword },
    });

    const last = await send({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email, password: thirdPassword },
    });
    const lastSession = tokensOf(last, 200, 'of the last login');

    // Failing requests with bad tokens.
    for (const { name, token } of forgedVariants(
      lastSession.accessToken,
      suite.testApp.config.jwtSecret,
    ).slice(0, 6)) {
      remember(`forged token (${name})`, token);
      const response = await send({ method: 'GET', url: '/api/v1/me', headers: bearer(token) });
      expect(response.statusCode).toBe(401);
    }
    remember('garbage bearer token', 'not-a-jwt-but-secret-anyway');
    await send({ method: 'GET', url: '/api/v1/me', headers: bearer('not-a-jwt-but-secret-anyway') });

    await send({
      method: 'POST',
      url: '/api/v1/auth/logout',
      payload: { refreshToken: lastSession.refreshToken },
    });
    await send({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      payload: { refreshToken: lastSession.refreshToken },
    });
    await send({ method: 'POST', url: '/api/v1/auth/logout-all', headers: bearer(lastSession.accessToken) });
  }, 60_000);

  it('captures the session: the log is non-empty and names every request id', () => {
    const log = lines.join('');
    expect(lines.length).toBeGreaterThan(requestIds.length);
    for (const requestId of requestIds) expect(log, requestId).toContain(requestId);
    // The query-string tokens were logged, redacted.
    expect(log).toContain(`access_token=${REDACT_CENSOR}`);
    expect(log).toContain(`token=${REDACT_CENSOR}`);
  });

  it('contains no password, access token, refresh token, reset token or Authorization value', () => {
    const log = lines.join('');
    expect(secrets.size).toBeGreaterThan(20);
    const found = [...secrets].filter(([value]) => log.includes(value)).map(([, what]) => what);
    expect(found).toEqual([]);
    for (const value of secrets.keys()) expect(log.includes(`Bearer ${value}`)).toBe(false);
    expect(log).not.toMatch(/\$argon2(?:id|i|d)\$/);
    expect(log).not.toMatch(/"authorization"\s*:\s*"Bearer /i);
  });
});
