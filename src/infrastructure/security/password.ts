import { availableParallelism } from 'node:os';
import { hash, verify } from '@node-rs/argon2';
import pLimit from 'p-limit';

/**
 * argon2id with OWASP's minimum recommended cost (19 MiB, 2 passes, 1 lane): ~10 ms per hash on
 * one core here. Parameters are stored inside each hash, so raising them later still verifies old ones.
 */
const ARGON2_OPTIONS = {
  algorithm: 2, // Algorithm.Argon2id (a const enum, which isolated modules cannot import)
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

/**
 * At most one hash or verification per core at a time; the rest queue. @node-rs/argon2 runs each on
 * libuv's 4-thread pool and each holds 19 MiB while it runs, so a burst of sign-ins took 4 × 19 MiB
 * (the server's peak RSS went from ~160 to 215 MB under the login benchmark) and every thread of the
 * pool that file system and DNS work also wait for. More hashes than cores add memory, not speed.
 */
const argon2Slots = pLimit(availableParallelism());

/** Hashes and verifications running and waiting (for tests and diagnostics). */
export function passwordWork(): { running: number; waiting: number } {
  return { running: argon2Slots.activeCount, waiting: argon2Slots.pendingCount };
}

/**
 * Passwords are hashed in Unicode NFC, so one typed on a keyboard that composes "é" differently
 * (e + combining accent) still matches.
 */
export function hashPassword(password: string): Promise<string> {
  return argon2Slots(() => hash(password.normalize('NFC'), ARGON2_OPTIONS));
}

async function verifyExactly(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await argon2Slots(() => verify(passwordHash, password));
  } catch {
    return false;
  }
}

/**
 * Constant-time by construction (argon2 recomputes the hash); false, never a throw, for a malformed
 * hash. Tries the NFC form, then, for hashes made before passwords were normalised, the text as typed
 * (a second verification only when the two differ, which depends on the input, never on the account).
 */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  const normalized = password.normalize('NFC');
  if (await verifyExactly(passwordHash, normalized)) return true;
  return normalized !== password && verifyExactly(passwordHash, password);
}
