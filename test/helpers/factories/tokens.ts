import { randomBytes, randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { App } from '../../../src/app.js';
import type { Database } from '../../../src/infrastructure/database/client/client.js';
import {
  passwordResetTokens,
  refreshTokens,
  users,
} from '../../../src/infrastructure/database/schema/index.js';
import { createAccessTokens } from '../../../src/infrastructure/security/access-tokens.js';
import type { TestApp } from '../test-app.js';

/** The one way a test gets credentials: a minted access token, or a real session through login. */

/**
 * An access token the app's guard accepts for `user`, minted directly (no login, no refresh token).
 * Reads the user's current role and token version, so it is valid until they change.
 */
export async function mintAccessToken(
  testApp: Pick<TestApp, 'db' | 'config'>,
  user: { id: string },
): Promise<string> {
  const [row] = await testApp.db
    .select({ role: users.role, tokenVersion: users.tokenVersion })
    .from(users)
    .where(eq(users.id, user.id));
  if (!row) throw new Error(`mintAccessToken: no user ${user.id}`);
  const tokens = createAccessTokens(testApp.config.jwtSecret, testApp.config.accessTokenTtlSeconds);
  return tokens.sign({ sub: user.id, role: row.role, tv: row.tokenVersion });
}

export const bearer = (token: string): { authorization: string } => ({ authorization: `Bearer ${token}` });

let addressSequence = 0;

/**
 * A client address no other request of this process used, so helpers that go through the login
 * endpoint do not use up the per-address rate limit of the test that calls them.
 */
export function uniqueClientAddress(): string {
  addressSequence += 1;
  return `10.${(addressSequence >> 16) & 255}.${(addressSequence >> 8) & 255}.${addressSequence & 255}`;
}

export interface Session {
  accessToken: string;
  refreshToken: string;
  refreshTokenExpiresAt: string;
}

/** Signs in through the real login endpoint (a new session), from a fresh client address. */
export async function loginAs(app: App, user: { email: string; password: string }): Promise<Session> {
  const response = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    remoteAddress: uniqueClientAddress(),
    payload: { email: user.email, password: user.password },
  });
  if (response.statusCode !== 200) {
    throw new Error(`loginAs(${user.email}) failed: ${response.statusCode} ${response.body}`);
  }
  const body = response.json() as Session;
  return {
    accessToken: body.accessToken,
    refreshToken: body.refreshToken,
    refreshTokenExpiresAt: body.refreshTokenExpiresAt,
  };
}

export interface StoredTokenOptions {
  expiresAt: Date;
  usedAt?: Date | null;
  /** Revoked now, with this reason (refresh tokens only). */
  revokedReason?: string;
}

/** A refresh-token row (random hash: no client can present it), for tests of what reads the table. */
export async function insertRefreshToken(
  db: Database,
  userId: string,
  options: StoredTokenOptions,
): Promise<{ id: string }> {
  const [row] = await db
    .insert(refreshTokens)
    .values({
      userId,
      familyId: randomUUID(),
      tokenHash: randomBytes(32).toString('hex'),
      expiresAt: options.expiresAt,
      usedAt: options.usedAt ?? null,
      revokedAt: options.revokedReason ? new Date() : null,
      revokedReason: options.revokedReason ?? null,
    })
    .returning({ id: refreshTokens.id });
  if (!row) throw new Error('insertRefreshToken: insert returned no row');
  return row;
}

/** A password-reset-token row (random hash), for tests of what reads the table. */
export async function insertPasswordResetToken(
  db: Database,
  userId: string,
  options: StoredTokenOptions,
): Promise<{ id: string }> {
  const [row] = await db
    .insert(passwordResetTokens)
    .values({
      userId,
      tokenHash: randomBytes(32).toString('hex'),
      expiresAt: options.expiresAt,
      usedAt: options.usedAt ?? null,
    })
    .returning({ id: passwordResetTokens.id });
  if (!row) throw new Error('insertPasswordResetToken: insert returned no row');
  return row;
}
