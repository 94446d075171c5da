/** PostgreSQL SQLSTATEs a service expects and turns into a precise 409. */
export const UNIQUE_VIOLATION = '23505';
export const FOREIGN_KEY_VIOLATION = '23503';

/** How many wrappers deep a cause is looked for: Drizzle wraps pg's error once, an AggregateError adds one level. */
const MAX_CAUSE_DEPTH = 5;

/** The fields of a node-postgres error (a `DatabaseError`) that callers read; any may be missing on other errors. */
export interface PgErrorFields {
  code?: unknown;
  severity?: unknown;
  constraint?: unknown;
  message?: unknown;
  [field: string]: unknown;
}

/** An error PostgreSQL itself reported: it carries a SQLSTATE and a severity (socket errors have a code but no severity). */
export interface PgError extends PgErrorFields {
  code: string;
  severity: string;
}

/**
 * `error` and every error inside it, outermost first: its `cause` chain (Drizzle wraps the pg error)
 * and the members of an AggregateError (connecting to "localhost" tries ::1 and 127.0.0.1 and fails
 * with both).
 */
export function* errorChain(error: unknown, depth = 0): Generator<PgErrorFields> {
  if (depth > MAX_CAUSE_DEPTH || error === null || typeof error !== 'object') return;
  const link = error as PgErrorFields;
  yield link;
  yield* errorChain(link.cause, depth + 1);
  if (Array.isArray(link.errors)) for (const inner of link.errors) yield* errorChain(inner, depth + 1);
}

function isPgError(link: PgErrorFields): link is PgError {
  return typeof link.code === 'string' && typeof link.severity === 'string';
}

/** The first PostgreSQL error in `error`'s chain (that also satisfies `matches`, when given). */
export function findPgError(
  error: unknown,
  matches: (pgError: PgError) => boolean = () => true,
): PgError | undefined {
  for (const link of errorChain(error)) {
    if (isPgError(link) && matches(link)) return link;
  }
  return undefined;
}

/**
 * Whether `error` (or one of its causes) is a PostgreSQL error with this SQLSTATE, and, when given,
 * on this constraint.
 */
export function isViolation(error: unknown, sqlState: string, constraint?: string): boolean {
  const pgError = findPgError(error, (candidate) => candidate.code === sqlState);
  return pgError !== undefined && (constraint === undefined || pgError.constraint === constraint);
}

export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  return isViolation(error, UNIQUE_VIOLATION, constraint);
}
