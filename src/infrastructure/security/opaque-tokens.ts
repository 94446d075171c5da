import { createHash, randomBytes } from 'node:crypto';

/** 256 random bits, URL-safe: refresh tokens, password reset tokens. */
export function generateOpaqueToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Only this hash is stored. A plain sha256 is enough (no salt, no slow hash): the token has 256
 * bits of entropy, so it cannot be guessed from its hash, and lookups stay an index probe.
 */
export function hashOpaqueToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
