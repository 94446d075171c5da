import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ConfigError,
  developmentSecretFrom,
  parseConfig,
  RETIRED_DEVELOPMENT_JWT_SECRET,
} from '../../src/config.js';
import { users } from '../../src/infrastructure/database/schema/index.js';
import { createAccessTokens } from '../../src/infrastructure/security/access-tokens.js';
import { insertUser } from '../helpers/factories/index.js';
import { useTestApp } from '../helpers/use-test-app.js';

/**
 * A development server used to sign with a secret written in src/config.ts: anyone could mint a
 * token for any user id (instructor ids are public in the catalog).
 */
describe('development JWT secret', () => {
  const folder = mkdtempSync(path.join(tmpdir(), 'lp-dev-secret-'));
  const secretFile = path.join(folder, '.data', 'jwt-secret');
  const development = (env: Record<string, string> = {}) =>
    parseConfig(
      { NODE_ENV: 'development', DATABASE_URL: 'postgresql://localhost/x', ...env },
      { developmentSecret: () => developmentSecretFrom(secretFile) },
    );
  // The app as a development server configures it (JWT_SECRET unset), on a test database.
  const suite = useTestApp({ config: { jwtSecret: development().jwtSecret } });

  afterAll(async () => {
    rmSync(folder, { recursive: true, force: true });
  });

  it('refuses a token minted with the old built-in secret (401); the same claims with its own secret pass', async () => {
    const user = await insertUser(suite.db, { role: 'admin' });
    const [row] = await suite.db
      .select({ tokenVersion: users.tokenVersion })
      .from(users)
      .where(eq(users.id, user.id));
    const claims = { sub: user.id, role: 'admin' as const, tv: row!.tokenVersion };
    const me = (token: string) =>
      suite.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });
    const minted = createAccessTokens(RETIRED_DEVELOPMENT_JWT_SECRET, 900).sign(claims);
    expect((await me(minted)).statusCode).toBe(401);
    const genuine = createAccessTokens(suite.testApp.config.jwtSecret, 900).sign(claims);
    expect((await me(genuine)).statusCode).toBe(200);
  });

  it('generates a random secret once into the data folder, owner-only, and reuses it after a restart', () => {
    const first = development();
    expect(first.jwtSecret).not.toBe(RETIRED_DEVELOPMENT_JWT_SECRET);
    expect(first.jwtSecret.length).toBeGreaterThanOrEqual(32);
    expect(first.jwtSecretSource).toBe('data-folder');
    expect(readFileSync(secretFile, 'utf8').trim()).toBe(first.jwtSecret);
    expect(statSync(secretFile).mode & 0o077).toBe(0);
    expect(development().jwtSecret).toBe(first.jwtSecret);
  });

  it('refuses to start without JWT_SECRET on a non-loopback address, and refuses the old secret anywhere', () => {
    expect(() => development({ HOST: '0.0.0.0' })).toThrow(ConfigError);
    expect(() => development({ HOST: '192.168.1.20' })).toThrow(/JWT_SECRET must be set/);
    expect(development({ HOST: 'localhost' }).jwtSecretSource).toBe('data-folder');
    expect(development({ HOST: '0.0.0.0', JWT_SECRET: 'x'.repeat(40) }).jwtSecretSource).toBe('environment');
    expect(() => development({ JWT_SECRET: RETIRED_DEVELOPMENT_JWT_SECRET })).toThrow(/public/);
  });

  it('gives a test configuration without JWT_SECRET a random per-process secret, never the old one', () => {
    const config = parseConfig({ NODE_ENV: 'test' });
    expect(config.jwtSecret).not.toBe(RETIRED_DEVELOPMENT_JWT_SECRET);
    expect(parseConfig({ NODE_ENV: 'test' }).jwtSecret).toBe(config.jwtSecret);
  });
});
