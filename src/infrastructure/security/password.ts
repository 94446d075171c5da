import { hash, verify } from '@node-rs/argon2';

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

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

/** Constant-time by construction (argon2 recomputes the hash); false, never a throw, for a malformed hash. */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}
