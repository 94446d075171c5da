import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { actorOf, authenticatePlugin } from '../../src/http/authenticate.js';
import { handleError } from '../../src/http/error-handler.js';
import { type AccessTokens, createAccessTokens } from '../../src/infrastructure/security/access-tokens.js';
import type { UserAuthState } from '../../src/shared/actor.js';

/**
 * The auth guard on its own: a Fastify app with only the guard, a counting verifier and user states
 * the test controls. The guard keeps the tokens it accepted until their expiry (so a session's
 * requests skip the signature check); these tests pin what that memo may and may not do.
 */
describe('the auth guard', () => {
  const real = createAccessTokens('authenticate-test-secret-0123456789abcdefghijklmnop', 900);
  let verifications = 0;
  const counting: AccessTokens = {
    ttlSeconds: real.ttlSeconds,
    sign: (claims) => real.sign(claims),
    verify: (token) => {
      verifications++;
      return real.verify(token);
    },
  };
  const states = new Map<string, UserAuthState>();
  let app: FastifyInstance;

  const user = () => {
    const id = randomUUID();
    states.set(id, { role: 'student', isActive: true, tokenVersion: 0 });
    return { id, token: real.sign({ sub: id, role: 'student', tv: 0 }) };
  };
  const get = (url: string, authorization?: string) =>
    app.inject({ method: 'GET', url, headers: authorization === undefined ? {} : { authorization } });

  beforeAll(async () => {
    app = Fastify();
    app.setErrorHandler(handleError);
    await app.register(authenticatePlugin, {
      accessTokens: counting,
      userStates: { authState: async (id) => states.get(id) },
    });
    app.get('/private', { preHandler: app.authenticate }, async (request) => ({ id: actorOf(request).id }));
    app.get('/optional', { preHandler: app.authenticateOptional }, async (request) => ({
      id: request.actor?.id ?? null,
    }));
    // A bug: a route reading the actor without the guard.
    app.get('/unguarded', async (request) => ({ id: actorOf(request).id }));
    await app.ready();
  });
  afterAll(() => app.close());
  beforeEach(() => {
    verifications = 0;
    vi.useRealTimers();
  });

  it('verifies a token once, then recognises it on the next requests', async () => {
    const { id, token } = user();
    for (let i = 0; i < 3; i++) {
      const response = await get('/private', `Bearer ${token}`);
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json()).toEqual({ id });
    }
    expect(verifications).toBe(1);
  });

  it('recognises several sessions’ tokens at once, not only the last one', async () => {
    const a = user();
    const b = user();
    for (const { token } of [a, b, a, b])
      expect((await get('/private', `Bearer ${token}`)).statusCode).toBe(200);
    expect(verifications).toBe(2);
  });

  it('never recognises a token past its expiry: it is checked again and refused', async () => {
    const { token } = user();
    expect((await get('/private', `Bearer ${token}`)).statusCode).toBe(200);
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 901_000 });
    const late = await get('/private', `Bearer ${token}`);
    expect(late.statusCode).toBe(401);
    expect(late.json().detail).toBe('The access token is invalid or has expired.');
    expect(verifications).toBe(2);
  });

  it('recognised tokens still follow the account: revoked on the next request', async () => {
    const { id, token } = user();
    expect((await get('/private', `Bearer ${token}`)).statusCode).toBe(200);
    states.set(id, { role: 'student', isActive: true, tokenVersion: 1 });
    const revoked = await get('/private', `Bearer ${token}`);
    expect(revoked.statusCode).toBe(401);
    expect(revoked.json().detail).toBe('The access token has been revoked.');
    expect(revoked.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
  });

  it('keeps at most 10,000 tokens: the oldest is checked again after that many others', async () => {
    const first = user();
    await get('/private', `Bearer ${first.token}`);
    for (let i = 0; i < 10_000; i++) await get('/private', `Bearer ${user().token}`);
    verifications = 0;
    expect((await get('/private', `Bearer ${first.token}`)).statusCode).toBe(200);
    expect(verifications).toBe(1);
  }, 60_000);

  it('refused tokens are checked every time', async () => {
    const { token } = user();
    const forged = `${token.slice(0, -2)}xx`;
    for (let i = 0; i < 2; i++) expect((await get('/private', `Bearer ${forged}`)).statusCode).toBe(401);
    expect(verifications).toBe(2);
  });

  it('401 without a token on a guarded route, with what to send', async () => {
    const response = await get('/private');
    expect(response.statusCode).toBe(401);
    expect(response.json().detail).toBe('This endpoint needs an access token (Authorization: Bearer …).');
  });

  it('401 for an Authorization header that is not a bearer token, naming the expected form', async () => {
    const response = await get('/private', 'Basic dXNlcjpwYXNz');
    expect(response.statusCode).toBe(401);
    expect(response.json().detail).toBe('The Authorization header must be "Bearer <access token>".');
  });

  it('an optional route: anonymous without a header, the user with a token', async () => {
    const anonymous = await get('/optional');
    expect(anonymous.statusCode, anonymous.body).toBe(200);
    expect(anonymous.json()).toEqual({ id: null });
    const { id, token } = user();
    expect((await get('/optional', `Bearer ${token}`)).json()).toEqual({ id });
  });

  it('a route that reads the actor without the guard fails loudly (500), leaking nothing', async () => {
    const response = await get('/unguarded');
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('actorOf');
  });
});
