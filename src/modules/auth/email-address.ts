import { createHash } from 'node:crypto';

/**
 * Loose on purpose: one "@", no spaces, a dot in the domain. Surrounding spaces are allowed because
 * the address is trimmed before use (people paste them). Deliverability is the mailbox's business.
 */
export const EMAIL_PATTERN = '^\\s*[^\\s@]+@[^\\s@]+\\.[^\\s@]+\\s*$';
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
