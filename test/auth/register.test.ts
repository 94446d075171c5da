import { count, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { refreshTokens, users } from '../../src/infrastructure/database/schema/index.js';
import { hashOpaqueToken } from '../../src/infrastructure/security/opaque-tokens.js';
import { COMMON_PASSWORDS } from '../../src/modules/auth/common-passwords.js';
import { bearer, uniqueClientAddress } from '../helpers/factories/index.js';
import { buildTestApp, redisReady } from '../helpers/test-app.js';
import { ROOMY_RATE_LIMITS, useTestApp } from '../helpers/use-test-app.js';

const PASSWORD = 'a quiet orange lighthouse';

describe('POST /api/v1/auth/register', () => {
  const suite = useTestApp({ rateLimit: ROOMY_RATE_LIMITS });

  const register = (payload: unknown) =>
    suite.app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: payload as object });
  const userCount = async () => (await suite.db.select({ n: count() }).from(users))[0]?.n ?? 0;

  it('creates a student with a normalised email, signs them in, and stores only an argon2id hash', async () => {
    const response = await register({
      email: '  Ada.Lovelace@Example.COM ',
      password: PASSWORD,
      name: '  Ada  ',
    });

    expect(response.statusCode).toBe(201);
    expect(response.headers['cache-control']).toBe('no-store');
    const body = response.json();
    expect(body).toMatchObject({
      tokenType: 'Bearer',
      expiresIn: suite.testApp.config.accessTokenTtlSeconds,
      user: { email: 'ada.lovelace@example.com', name: 'Ada', role: 'student', isActive: true },
    });
    expect(typeof body.accessToken).toBe('string');
    expect(body.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const ttlMs = suite.testApp.config.refreshTokenTtlDays * 86_400_000;
    expect(Math.abs(Date.parse(body.refreshTokenExpiresAt) - (Date.now() + ttlMs))).toBeLessThan(60_000);
    expect(response.body).not.toMatch(/passwordHash|password_hash|\$argon2|tokenVersion/);

    const [row] = await suite.db.select().from(users).where(eq(users.id, body.user.id));
    expect(row?.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(row?.passwordHash).not.toContain(PASSWORD);
    const tokens = await suite.db.select().from(refreshTokens).where(eq(refreshTokens.userId, body.user.id));
    expect(tokens).toHaveLength(1);
    expect(tokens[0]?.tokenHash).toBe(hashOpaqueToken(body.refreshToken));

    const me = await suite.app.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: bearer(body.accessToken),
    });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ email: 'ada.lovelace@example.com', role: 'student' });
  });

  it('refuses a role in the body: nobody self-registers as admin or instructor', async () => {
    const before = await userCount();
    for (const role of ['admin', 'instructor']) {
      const response = await register({
        email: `${role}@example.com`,
        password: PASSWORD,
        name: 'Mallory',
        role,
      });
      expect(response.statusCode).toBe(400);
      expect(response.json().errors).toContainEqual({ field: '/body/role', message: 'is not allowed' });
    }
    expect(await userCount()).toBe(before);
  });

  it('lists every bad field and writes nothing', async () => {
    const before = await userCount();
    const response = await register({ email: 'not-an-email', password: 'short', name: '   ' });

    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    const body = response.json();
    expect(body.code).toBe('validation_failed');
    const fields = body.errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['/body/email', '/body/password', '/body/name']));
    expect(await userCount()).toBe(before);

    const missing = await register({});
    expect(missing.statusCode).toBe(400);
    expect(missing.json().errors.map((e: { field: string }) => e.field)).toEqual(
      expect.arrayContaining(['/body/email', '/body/password', '/body/name']),
    );
    expect(await userCount()).toBe(before);
  });

  it('enforces the password policy: 10 to 256 characters, not common (case-insensitively), not the email', async () => {
    const before = await userCount();
    const cases: Array<[string, RegExp]> = [
      ['nine char', /at least 10|fewer than 10/],
      ['x'.repeat(257), /at most 256|more than 256/],
      ['Password123', /too common/],
      ['QWERTYUIOP', /too common/],
      ['1234567890', /too common/],
      ['grace.hopper@example.com', /email/],
    ];
    for (const [password, message] of cases) {
      const response = await register({ email: 'grace.hopper@example.com', password, name: 'Grace' });
      expect(response.statusCode, password).toBe(400);
      const error = response.json().errors.find((e: { field: string }) => e.field === '/body/password');
      expect(error?.message, password).toMatch(message);
    }
    expect(await userCount()).toBe(before);

    const accepted = await register({
      email: 'grace.hopper@example.com',
      password: 'x'.repeat(256),
      name: 'Grace',
    });
    expect(accepted.statusCode).toBe(201);
  });

  it('ships a common-password list of about 200 lower-case entries of 10+ characters', () => {
    expect(COMMON_PASSWORDS.size).toBeGreaterThanOrEqual(200);
    for (const password of COMMON_PASSWORDS) {
      expect(password.length).toBeGreaterThanOrEqual(10);
      expect(password).toBe(password.toLowerCase());
    }
  });

  it('answers 409 for an email that is already registered, whatever its case', async () => {
    const first = await register({ email: 'a@x.com', password: PASSWORD, name: 'First' });
    expect(first.statusCode).toBe(201);
    const before = await userCount();

    const second = await register({ email: 'A@X.com', password: PASSWORD, name: 'Second' });
    expect(second.statusCode).toBe(409);
    expect(second.json()).toMatchObject({
      code: 'conflict',
      detail: expect.stringMatching(/already exists/),
    });
    expect(await userCount()).toBe(before);
    const rows = await suite.db.select().from(users).where(eq(users.email, 'a@x.com'));
    expect(rows.map((r) => r.name)).toEqual(['First']);
  });

  it('lets exactly one of two simultaneous registrations of the same address win', async () => {
    const payload = { email: 'race@example.com', password: PASSWORD, name: 'Racer' };
    const results = await Promise.all([register(payload), register(payload), register(payload)]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 409, 409]);
    expect(await suite.db.select().from(users).where(eq(users.email, 'race@example.com'))).toHaveLength(1);
  });

  it('is rate limited per client address by the route limit', async () => {
    const limited = await buildTestApp({ rateLimit: { globalPerMinute: 1000, authPerMinute: 2 } });
    try {
      await redisReady(limited.redis);
      const address = uniqueClientAddress();
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) {
        const response = await limited.app.inject({
          method: 'POST',
          url: '/api/v1/auth/register',
          remoteAddress: address,
          payload: { email: `limit-${i}@example.com`, password: PASSWORD, name: 'Limit' },
        });
        statuses.push(response.statusCode);
        if (i === 2) {
          expect(response.json().code).toBe('rate_limited');
          expect(response.headers['retry-after']).toBeDefined();
        }
      }
      expect(statuses).toEqual([201, 201, 429]);
    } finally {
      await limited.close();
    }
  });
});
