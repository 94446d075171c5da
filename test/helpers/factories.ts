import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { eq } from 'drizzle-orm';
import type { Redis } from 'ioredis';
import type { App } from '../../src/app.js';
import type { Database } from '../../src/infrastructure/database/client/client.js';
import { type Role, users } from '../../src/infrastructure/database/schema/index.js';
import { createAccessTokens } from '../../src/infrastructure/security/access-tokens.js';
import { hashPassword } from '../../src/infrastructure/security/password.js';
import type { TestApp } from './test-app.js';

/**
 * Shared account factories. Users are inserted straight into the database with a real argon2id hash,
 * computed once per distinct password, so `loginAs` works and creating many users stays fast.
 */

export const DEFAULT_PASSWORD = 'factory default passphrase';

const passwordHashes = new Map<string, Promise<string>>();

/** argon2id hash of `password`, computed once per test file. */
export function passwordHashFor(password: string): Promise<string> {
  let hash = passwordHashes.get(password);
  if (!hash) {
    hash = hashPassword(password);
    passwordHashes.set(password, hash);
  }
  return hash;
}

export interface TestUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  /** The plain password, for logging in through the API. */
  password: string;
}

export interface CreateUserOptions {
  role?: Role;
  email?: string;
  password?: string;
  name?: string;
  isActive?: boolean;
}

let sequence = 0;

export async function createUser(db: Database, options: CreateUserOptions = {}): Promise<TestUser> {
  sequence += 1;
  const role = options.role ?? 'student';
  const password = options.password ?? DEFAULT_PASSWORD;
  const email = (options.email ?? `${role}-${sequence}-${randomBytes(4).toString('hex')}@example.test`)
    .trim()
    .toLowerCase();
  const [row] = await db
    .insert(users)
    .values({
      email,
      passwordHash: await passwordHashFor(password),
      name: options.name ?? `Test ${role} ${sequence}`,
      role,
      isActive: options.isActive ?? true,
      deactivatedAt: options.isActive === false ? new Date() : null,
    })
    .returning({ id: users.id, email: users.email, name: users.name, role: users.role });
  if (!row) throw new Error('createUser: insert returned no row');
  return { ...row, password };
}

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
export async function loginAs(app: App, user: Pick<TestUser, 'email' | 'password'>): Promise<Session> {
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

/**
 * An access token the app's guard accepts for `user`, minted directly (no login, no refresh token).
 * Reads the user's current role and token version, so it is valid until they change.
 */
export async function accessTokenFor(
  testApp: Pick<TestApp, 'db' | 'config'>,
  user: Pick<TestUser, 'id'>,
): Promise<string> {
  const [row] = await testApp.db
    .select({ role: users.role, tokenVersion: users.tokenVersion })
    .from(users)
    .where(eq(users.id, user.id));
  if (!row) throw new Error(`accessTokenFor: no user ${user.id}`);
  const tokens = createAccessTokens(testApp.config.jwtSecret, testApp.config.accessTokenTtlSeconds);
  return tokens.sign({ sub: user.id, role: row.role, tv: row.tokenVersion });
}

export const bearer = (token: string): { authorization: string } => ({ authorization: `Bearer ${token}` });

/**
 * Waits until the test app's Redis connection (if any) is up. Limits fail open while Redis is
 * unreachable, so a rate-limit test must not start before it is connected.
 */
export async function redisReady(redis: Redis | undefined): Promise<void> {
  if (redis && redis.status !== 'ready') await once(redis, 'ready');
}
