import { randomBytes } from 'node:crypto';
import type { Database } from '../../../src/infrastructure/database/client/client.js';
import { type Role, users } from '../../../src/infrastructure/database/schema/index.js';
import { hashPassword } from '../../../src/infrastructure/security/password.js';
import type { TestApp } from '../test-app.js';
import { bearer, mintAccessToken } from './tokens.js';

/**
 * The user factory. Users are inserted straight into the database with a real argon2id hash,
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
  tokenVersion: number;
  /** The plain password, for logging in through the API. */
  password: string;
}

export interface InsertUserOptions {
  /** A chosen id (e.g. one a test already looked up while no such user existed). */
  id?: string;
  role?: Role;
  email?: string;
  password?: string;
  name?: string;
  isActive?: boolean;
}

let sequence = 0;

export async function insertUser(db: Database, options: InsertUserOptions = {}): Promise<TestUser> {
  sequence += 1;
  const role = options.role ?? 'student';
  const password = options.password ?? DEFAULT_PASSWORD;
  const email = (options.email ?? `${role}-${sequence}-${randomBytes(4).toString('hex')}@example.test`)
    .trim()
    .toLowerCase();
  const [row] = await db
    .insert(users)
    .values({
      ...(options.id === undefined ? {} : { id: options.id }),
      email,
      passwordHash: await passwordHashFor(password),
      name: options.name ?? `Test ${role} ${sequence}`,
      role,
      isActive: options.isActive ?? true,
      deactivatedAt: options.isActive === false ? new Date() : null,
    })
    .returning({
      id: users.id,
      email: users.email,
      name: users.name,
      role: users.role,
      tokenVersion: users.tokenVersion,
    });
  if (!row) throw new Error('insertUser: insert returned no row');
  return { ...row, password };
}

/** A user with a minted access token, ready to call the API. */
export interface SignedInUser extends TestUser {
  token: string;
  /** `{ authorization: 'Bearer …' }` for app.inject. */
  headers: { authorization: string };
}

export async function insertSignedInUser(
  testApp: Pick<TestApp, 'db' | 'config'>,
  options: InsertUserOptions = {},
): Promise<SignedInUser> {
  const user = await insertUser(testApp.db, options);
  const token = await mintAccessToken(testApp, user);
  return { ...user, token, headers: bearer(token) };
}
