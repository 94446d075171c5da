/**
 * What a failed job leaves behind: graphile-worker stores the thrown error's message as the job's
 * `last_error` (which admins read through the API), and the worker logs the failure. A query error
 * from drizzle carries the statement's parameters in its message (an email address, a token's
 * hash), so neither may see that message as it is.
 */

/** Longest `last_error` kept: enough to say what went wrong, never a dump. */
export const MAX_JOB_ERROR_LENGTH = 1_000;

interface QueryLikeError extends Error {
  query?: unknown;
  params?: unknown;
}

function isQueryError(error: Error): error is QueryLikeError & { query: string; params: unknown[] } {
  const candidate = error as QueryLikeError;
  return typeof candidate.query === 'string' && Array.isArray(candidate.params);
}

/**
 * PostgreSQL's reason without the value it quotes at its end (`invalid input syntax for type integer:
 * "<the parameter>"`, `invalid input value for enum role: "<value>"`); names of relations and
 * constraints inside the sentence stay.
 */
function withoutQuotedValue(reason: string): string {
  return reason.replace(/: ".*"$/s, ': (value not shown)');
}

/**
 * A message safe to store and show. A failed query: the database's reason (without a quoted value)
 * and SQLSTATE, and the statement without its parameters. Anything else: the error's message, which
 * handlers must therefore keep free of secrets.
 */
export function safeJobErrorMessage(error: unknown): string {
  let message: string;
  if (error instanceof Error) {
    if (isQueryError(error)) {
      const cause = error.cause as (Error & { code?: unknown }) | undefined;
      const reason = cause instanceof Error ? withoutQuotedValue(cause.message) : 'the query failed';
      const code = typeof cause?.code === 'string' ? ` [SQLSTATE ${cause.code}]` : '';
      message = `${reason}${code} (query: ${error.query.slice(0, 300)}; ${error.params.length} parameter(s) not shown)`;
    } else {
      message = error.message || error.name;
    }
  } else {
    message = `a non-Error value was thrown (${typeof error})`;
  }
  return message.length > MAX_JOB_ERROR_LENGTH ? `${message.slice(0, MAX_JOB_ERROR_LENGTH - 1)}…` : message;
}

/** The stack's frames only: the first lines of a stack repeat the (possibly unsafe) message. */
function framesOf(error: Error): string {
  return (error.stack ?? '')
    .split('\n')
    .filter((line) => /^\s+at /.test(line))
    .join('\n');
}

/** The failure as the worker logs it: the safe message and the stack's frames. */
export function jobErrorForLog(error: unknown): unknown {
  const message = safeJobErrorMessage(error);
  if (!(error instanceof Error)) return { message };
  return { type: error.name, message, stack: `${error.name}: ${message}\n${framesOf(error)}` };
}

/**
 * The error graphile-worker is handed instead of the handler's: same stack, safe message, so that
 * `last_error` never holds a query's parameters.
 */
export function toStoredJobError(error: unknown): Error {
  const stored = new Error(safeJobErrorMessage(error));
  if (error instanceof Error) {
    stored.name = error.name;
    stored.stack = `${error.name}: ${stored.message}\n${framesOf(error)}`;
  }
  return stored;
}
