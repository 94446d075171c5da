import { createHash } from 'node:crypto';

/**
 * Loose on purpose: one "@", no spaces, a dot in the domain. Surrounding spaces are allowed because
 * the address is trimmed before use (people paste them). Deliverability is the mailbox's business.
 * No control characters: PostgreSQL cannot even compare text holding a NUL, so such an address made
 * the password-reset lookup fail after its 202.
 */
export const EMAIL_PATTERN =
  '^\\s*[^\\s@\\x00-\\x1f\\x7f]+@[^\\s@\\x00-\\x1f\\x7f]+\\.[^\\s@\\x00-\\x1f\\x7f]+\\s*$';
export const EMAIL_MAX_LENGTH = 254;

/** Trimmed, NFC, lower-cased: the form stored in `users.email` (which a CHECK keeps lower-case). */
export function normalizeEmail(raw: string): string {
  return raw.trim().normalize('NFC').toLowerCase();
}

/**
 * Rate-limiter key for per-account limits. The address is hashed so the limiter's store (Redis)
 * never holds email addresses.
 */
export function accountLimitKey(kind: string, normalizedEmail: string): string {
  const digest = createHash('sha256').update(normalizedEmail).digest('hex').slice(0, 32);
  return `auth:${kind}:${digest}`;
}
