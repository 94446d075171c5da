import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import { createSigner } from 'fast-jwt';
import { beforeEach, describe, expect, it } from 'vitest';
import { refreshTokens } from '../../src/infrastructure/database/schema/index.js';
import { createAccessTokens } from '../../src/infrastructure/security/access-tokens.js';
import { hashOpaqueToken } from '../../src/infrastructure/security/opaque-tokens.js';
import { revokedRefreshTokenDetail } from '../../src/modules/auth/sessions.js';
import { insertUser, uniqueClientAddress } from '../helpers/factories/index.js';
import { useTestApp } from '../helpers/use-test-app.js';

const SECRET = 'token-rules-secret-0123456789abcdefghijklmnopqrstuvwxyz';
const CLAIMS = { sub: randomUUID(), role: 'student' as const, tv: 0 };

/** A token signed with the real secret, issuer and audience, but with what the test chooses. */
function forge(
  payload: Record<string, unknown>,
  options: { algorithm?: 'HS256' | 'HS512'; expiresIn?: number } = {},
) {
  return createSigner({
    key: SECRET,
    algorithm: options.algorithm ?? 'HS256',
    iss: 'learning-platform',
    aud: 'learning-platform-api',
    ...(options.expiresIn === undefined ? {} : { expiresIn: options.expiresIn }),
  })(payload);
}

describe('access tokens (the verifier’s own rules)', () => {
  // Made in each test, not once per file: mutation testing switches the code under test between tests.
  let tokens: ReturnType<typeof createAccessTokens>;
  beforeEach(() => {
    tokens = createAccessTokens(SECRET, 900);
  });

  it('signs HS256 with sub, role, tv and an expiry, and verifies its own tokens', () => {
    const token = tokens.sign(CLAIMS);
    const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString());
    const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
    expect(header.alg).toBe('HS256');
    expect(payload.exp - payload.iat).toBe(900);
    expect(tokens.verify(token)).toEqual({ ...CLAIMS, exp: payload.exp });
  });

  it('refuses another HMAC algorithm with the same secret (only HS256)', () => {
    expect(tokens.verify(forge(CLAIMS, { algorithm: 'HS256', expiresIn: 60_000 }))).toMatchObject(CLAIMS);
    expect(tokens.verify(forge(CLAIMS, { algorithm: 'HS512', expiresIn: 60_000 }))).toBeNull();
  });

  it('refuses a token without an expiry, or with claims of the wrong type', () => {
    expect(tokens.verify(forge(CLAIMS))).toBeNull();
    expect(tokens.verify(forge({ ...CLAIMS, tv: '0' }, { expiresIn: 60_000 }))).toBeNull();
    expect(tokens.verify(forge({ ...CLAIMS, role: 7 }, { expiresIn: 60_000 }))).toBeNull();
    expect(tokens.verify(forge({ ...CLAIMS, sub: 'not-a-user-id' }, { expiresIn: 60_000 }))).toBeNull();
    // An array whose only element is a user id reads as that id when turned into a string.
    expect(tokens.verify(forge({ ...CLAIMS, sub: [CLAIMS.sub] }, { expiresIn: 60_000 }))).toBeNull();
    expect(tokens.verify(forge({ role: 'student', tv: 0 }, { expiresIn: 60_000 }))).toBeNull();
  });

  it('answers null (never throws) for anything that is not a token', () => {
    for (const garbage of ['', 'a.b.c', 'not a token', `${tokens.sign(CLAIMS)}x`]) {
      expect(tokens.verify(garbage)).toBeNull();
    }
  });
});

describe('why a refresh token was refused', () => {
  it('names the reason a session ended, and only for reasons that are no sign of a copied token', () => {
    expect(revokedRefreshTokenDetail('logout')).toBe('This session was signed out; sign in again.');
    expect(revokedRefreshTokenDetail('logout_all')).toBe('This session was signed out; sign in again.');
    const passwordChanged =
      'This session was signed out because the account password changed; sign in again.';
    expect(revokedRefreshTokenDetail('password_changed')).toBe(passwordChanged);
    expect(revokedRefreshTokenDetail('password_reset')).toBe(passwordChanged);
    expect(revokedRefreshTokenDetail('reuse_detected')).toBe(
      'This session was signed out because one of its refresh tokens was used twice; sign in again.',
    );
    expect(revokedRefreshTokenDetail('rotated')).toBeUndefined();
    expect(revokedRefreshTokenDetail(null)).toBeUndefined();
  });
});

describe('sign-in: the session it starts', () => {
  const suite = useTestApp();

  const login = (user: { email: string; password: string }, headers: Record<string, string>) =>
    suite.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      remoteAddress: uniqueClientAddress(),
      headers,
      payload: { email: user.email, password: user.password },
    });

  it('answers a Bearer pair and keeps the client’s user agent, cut at 512 characters', async () => {
    const user = await insertUser(suite.db);
    const response = await login(user, { 'user-agent': `Agent/${'x'.repeat(600)}` });
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json();
    expect(body.tokenType).toBe('Bearer');
    const [row] = await suite.db
      .select()
      .from(refreshTokens)
      .where(eq(refreshTokens.tokenHash, hashOpaqueToken(body.refreshToken)));
    expect(row?.userAgent).toBe(`Agent/${'x'.repeat(506)}`);
  });

  it('a client that sends no user agent signs in too', async () => {
    const user = await insertUser(suite.db);
    // light-my-request always adds a user agent: a real request without one.
    await suite.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = suite.app.server.address() as AddressInfo;
    const body = JSON.stringify({ email: user.email, password: user.password });
    const status = await new Promise<number>((resolve, reject) => {
      const request = httpRequest(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/api/v1/auth/login',
          headers: { 'content-type': 'application/json' },
        },
        (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        },
      );
      request.on('error', reject);
      request.end(body);
    });
    expect(status).toBe(200);
  });
});
