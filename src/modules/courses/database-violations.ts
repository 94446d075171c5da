/** PostgreSQL SQLSTATEs a service expects and turns into a precise 409. */
export const UNIQUE_VIOLATION = '23505';
export const FOREIGN_KEY_VIOLATION = '23503';

/**
 * Whether `error` (or one of its causes: Drizzle wraps the pg error) is a PostgreSQL error with this
 * SQLSTATE, and, when given, on this constraint.
 */
export function isViolation(error: unknown, sqlState: string, constraint?: string): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== null && typeof current === 'object'; depth++) {
    const record = current as { code?: unknown; constraint?: unknown; severity?: unknown; cause?: unknown };
    if (record.code === sqlState && typeof record.severity === 'string') {
      return constraint === undefined || record.constraint === constraint;
    }
    current = record.cause;
  }
  return false;
}
