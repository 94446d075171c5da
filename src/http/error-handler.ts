import { STATUS_CODES } from 'node:http';
import type {
  FastifyError,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  FastifySchemaValidationError,
  FastifyServerOptions,
} from 'fastify';
import fp from 'fastify-plugin';
import { errorChain, findPgError } from '../shared/database-violations.js';
import { AppError, codeForStatus, type ErrorCode, type FieldError } from '../shared/errors.js';
import { buildProblem, PROBLEM_CONTENT_TYPE, ProblemSchema } from './problem.js';
import { REQUEST_ID_HEADER } from './request-id.js';

/** Seconds a client should wait before retrying when the database is unreachable. */
const DEFAULT_RETRY_AFTER_SECONDS = 5;

/** Node socket errors and PostgreSQL SQLSTATEs meaning "the database is not there right now". */
const DATABASE_UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  '53300', // too_many_connections
  '57014', // query_canceled (statement_timeout)
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up / shutting down)
]);
// The last two: node-postgres refusing a query on a client whose connection already broke (the
// server went away between two queries of a transaction, e.g. before its ROLLBACK).
const DATABASE_UNAVAILABLE_MESSAGE =
  /timeout exceeded when trying to connect|Connection terminated (unexpectedly|due to connection timeout)|Client has encountered a connection error and is not queryable|Client was closed and is not queryable/i;

/**
 * Safety net for constraint violations that reached the database because a service did not check
 * first: still the client's fault (a 4xx), never a 500. Services should throw AppError themselves
 * with a precise detail; these get a generic one and are logged at warn level so they get fixed.
 */
const DATABASE_CLIENT_ERRORS: Record<string, { code: ErrorCode; detail: string }> = {
  '23505': { code: 'conflict', detail: 'The request conflicts with an existing resource.' },
  '23503': {
    code: 'conflict',
    detail: 'The request refers to a resource that does not exist or is still in use.',
  },
  '23514': { code: 'bad_request', detail: 'A value in the request is out of the allowed range.' },
  '22001': { code: 'bad_request', detail: 'A value in the request is too long.' },
  '22003': { code: 'bad_request', detail: 'A number in the request is out of range.' },
  '22P02': { code: 'bad_request', detail: 'A value in the request has the wrong format.' },
  // A NUL character (\u0000) in text: PostgreSQL cannot store it in text or jsonb.
  '22021': {
    code: 'bad_request',
    detail: 'A value in the request contains a character that cannot be stored.',
  },
  '22P05': {
    code: 'bad_request',
    detail: 'A value in the request contains a character that cannot be stored.',
  },
  '22007': { code: 'bad_request', detail: 'A date or time in the request is not valid.' },
  '22008': { code: 'bad_request', detail: 'A date or time in the request is out of range.' },
};

/** Request bodies are JSON only (Fastify's text/plain parser feeds no route: every body schema is an object). */
const UNSUPPORTED_MEDIA_TYPE_DETAIL = 'Send the body as application/json.';

export function isDatabaseUnavailable(error: unknown): boolean {
  for (const link of errorChain(error)) {
    const code = link.code;
    if (typeof code === 'string' && (DATABASE_UNAVAILABLE_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code))) {
      return true;
    }
    if (typeof link.message === 'string' && DATABASE_UNAVAILABLE_MESSAGE.test(link.message)) return true;
  }
  return false;
}

function databaseClientError(error: unknown): { code: ErrorCode; detail: string } | undefined {
  // Only errors from PostgreSQL itself (they carry a severity), not codes from elsewhere.
  const pgError = findPgError(error, (candidate) => DATABASE_CLIENT_ERRORS[candidate.code] !== undefined);
  return pgError === undefined ? undefined : DATABASE_CLIENT_ERRORS[pgError.code];
}

/**
 * Drizzle's query errors put the bound parameters (which may be password hashes or tokens) in
 * their message and stack; keep the SQL for the logs but not the values.
 */
export function errorForLog(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const { query, params } = error as Error & { query?: unknown; params?: unknown };
  if (typeof query !== 'string' || !Array.isArray(params)) return error;
  const safeMessage = `Failed query: ${query}\nparams: [${params.length} redacted]`;
  return {
    type: error.name,
    message: safeMessage,
    stack: error.stack?.replace(error.message, safeMessage),
    cause: error.cause,
  };
}

/** `/body/user/email`: the request part followed by ajv's pointer, plus the missing/extra property. */
/**
 * Most field errors one response lists. With `allErrors`, a hostile body (a 1 MiB array of bad ids,
 * thousands of unknown keys) would otherwise produce a response and a log line of many megabytes.
 */
export const MAX_LISTED_FIELD_ERRORS = 50;

function fieldErrors(validation: FastifySchemaValidationError[], context: string | undefined): FieldError[] {
  const pointerToken = (name: string) => name.replace(/~/g, '~0').replace(/\//g, '~1');
  const seen = new Set<string>();
  const result: FieldError[] = [];
  for (const issue of validation) {
    let field = `/${context ?? 'body'}${issue.instancePath}`;
    let message = issue.message ?? 'is not valid';
    const params = issue.params as Record<string, unknown>;
    if (issue.keyword === 'required' && typeof params.missingProperty === 'string') {
      field += `/${pointerToken(params.missingProperty)}`;
      message = 'is required';
    } else if (issue.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') {
      field += `/${pointerToken(params.additionalProperty)}`;
      message = 'is not allowed';
    }
    const key = `${field}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    result.push({ field, message });
  }
  return result;
}

function instanceOf(request: FastifyRequest): string {
  const url = request.raw.url ?? request.url;
  const queryStart = url.indexOf('?');
  return queryStart === -1 ? url : url.slice(0, queryStart);
}

function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  problem: ReturnType<typeof buildProblem>,
  retryAfterSeconds?: number,
): FastifyReply {
  // Also set here for errors raised before the onRequest hooks ran (frameworkErrors).
  reply.header(REQUEST_ID_HEADER, request.id);
  if (retryAfterSeconds !== undefined) reply.header('retry-after', String(retryAfterSeconds));
  // Whichever limit refused the request (per address, per account), the RateLimit headers say the same as Retry-After.
  if (problem.status === 429 && retryAfterSeconds !== undefined) {
    reply.header('ratelimit-remaining', '0');
    reply.header('ratelimit-reset', String(retryAfterSeconds));
  }
  // Problems must not be cached by intermediaries (a 404 for a resource about to be created, a 503).
  reply.header('cache-control', 'no-store');
  // RFC 9110 §15.5.2: every 401 names the scheme; the guard sets error="invalid_token" itself when it
  // refused a token that was sent (RFC 6750 §3).
  if (problem.status === 401 && !reply.hasHeader('www-authenticate'))
    reply.header('www-authenticate', 'Bearer');
  return reply.code(problem.status).type(PROBLEM_CONTENT_TYPE).send(problem);
}

export function handleError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const base = { instance: instanceOf(request), requestId: request.id };

  if (error instanceof AppError) {
    const level = error.status >= 500 ? 'warn' : 'info';
    request.log[level]({ code: error.code, detail: error.detail }, 'request failed');
    const retryAfter =
      error.retryAfterSeconds ?? (error.status === 503 ? DEFAULT_RETRY_AFTER_SECONDS : undefined);
    const { errors, ...extras } = error.extras ?? {};
    return sendProblem(
      request,
      reply,
      buildProblem({
        ...base,
        code: error.code,
        detail: error.detail,
        extras,
        ...(Array.isArray(errors) ? { errors: errors as FieldError[] } : {}),
      }),
      retryAfter,
    );
  }

  const fastifyError = error as Partial<FastifyError>;

  if (Array.isArray(fastifyError.validation)) {
    const allErrors = fieldErrors(fastifyError.validation, fastifyError.validationContext);
    const errors = allErrors.slice(0, MAX_LISTED_FIELD_ERRORS);
    const more = allErrors.length - errors.length;
    request.log.info({ code: 'validation_failed', errors, unlistedErrors: more }, 'request failed');
    return sendProblem(
      request,
      reply,
      buildProblem({
        ...base,
        code: 'validation_failed',
        detail: `${allErrors.length === 1 ? 'One field is' : `${allErrors.length} fields are`} not valid${more > 0 ? ` (the first ${errors.length} are listed)` : ''}.`,
        errors,
      }),
    );
  }

  if (isDatabaseUnavailable(error)) {
    request.log.warn({ err: errorForLog(error) }, 'database unavailable');
    return sendProblem(
      request,
      reply,
      buildProblem({
        ...base,
        code: 'service_unavailable',
        detail: 'The database is temporarily unavailable. Please retry shortly.',
      }),
      DEFAULT_RETRY_AFTER_SECONDS,
    );
  }

  const databaseError = databaseClientError(error);
  if (databaseError) {
    request.log.warn({ err: errorForLog(error) }, 'constraint violation reached the database');
    return sendProblem(request, reply, buildProblem({ ...base, ...databaseError }));
  }

  // Fastify's own errors (body parsing, content type, body size, ...) and any other error that
  // carries a 4xx status: the message is written for clients.
  const status = fastifyError.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    let code: ErrorCode = codeForStatus(status) ?? 'bad_request';
    if (fastifyError.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') code = 'unsupported_media_type';
    if (fastifyError.code === 'FST_ERR_CTP_BODY_TOO_LARGE') code = 'payload_too_large';
    request.log.info(
      { code, fastifyCode: fastifyError.code, detail: fastifyError.message },
      'request failed',
    );
    const detail =
      code === 'payload_too_large'
        ? `The request body is larger than the limit of ${request.routeOptions.bodyLimit} bytes.`
        : code === 'unsupported_media_type'
          ? UNSUPPORTED_MEDIA_TYPE_DETAIL
          : fastifyError.message;
    return sendProblem(
      request,
      reply,
      buildProblem({
        ...base,
        code,
        status,
        title: codeForStatus(status) ? undefined : (STATUS_CODES[status] ?? 'Client error'),
        detail,
      }),
    );
  }
  if (status === 503) {
    request.log.warn({ err: errorForLog(error) }, 'service unavailable');
    return sendProblem(
      request,
      reply,
      buildProblem({
        ...base,
        code: 'service_unavailable',
        detail: 'The service is temporarily unavailable.',
      }),
      DEFAULT_RETRY_AFTER_SECONDS,
    );
  }
  // A JSON parser that threw without a status (a custom parser, or JSON.parse in a handler).
  if (error instanceof SyntaxError) {
    return sendProblem(
      request,
      reply,
      buildProblem({ ...base, code: 'bad_request', detail: 'The request body is not valid JSON.' }),
    );
  }

  // Everything else is a bug: full details in the logs, nothing in the response.
  request.log.error({ err: errorForLog(error) }, 'unhandled error');
  return sendProblem(
    request,
    reply,
    buildProblem({
      ...base,
      code: 'internal_error',
      detail: 'An unexpected error occurred. It has been logged; quote the requestId when reporting it.',
    }),
  );
}

/** Methods a path may be routed for, in the order an `Allow` header lists them. */
const ROUTABLE_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/**
 * The methods routed for the request's path (empty when the path itself is unknown). Catch-all
 * routes (`*`: the CORS preflight answerer, the docs' asset route) match every path, so they do not
 * make an unknown path a known one.
 */
function allowedMethods(request: FastifyRequest): string[] {
  const url = instanceOf(request);
  return ROUTABLE_METHODS.filter((method) => {
    const route = request.server.findRoute({ method, url });
    return route !== null && !('*' in (route.params as Record<string, string>));
  });
}

/**
 * Unknown routes: 405 with `Allow` when the path exists for other methods (RFC 9110 §15.5.6), else 404.
 * Only requests that match no route get here, so the hot routes pay nothing for the lookup.
 */
export function handleNotFound(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const base = { instance: instanceOf(request), requestId: request.id };
  const allowed = allowedMethods(request);
  // A route of this very method may still answer 404 (reply.callNotFound(), e.g. a wildcard route).
  if (allowed.length > 0 && !allowed.includes(request.method)) {
    reply.header('allow', allowed.join(', '));
    return sendProblem(
      request,
      reply,
      buildProblem({
        ...base,
        code: 'method_not_allowed',
        detail: `${request.method} is not allowed on ${base.instance}; use ${allowed.join(', ')}.`,
      }),
    );
  }
  return sendProblem(
    request,
    reply,
    buildProblem({
      ...base,
      code: 'not_found',
      detail: `No route matches ${request.method} ${base.instance}.`,
    }),
  );
}

/**
 * Errors Fastify raises before routing (a URL that is not valid percent-encoding, a failing
 * async constraint); pass as the `frameworkErrors` server option so they are problems too.
 */
export const handleFrameworkError: NonNullable<FastifyServerOptions['frameworkErrors']> = (
  error,
  request,
  reply,
) => {
  handleError(error, request, reply);
};

/**
 * Problem details for every error and for unknown routes. Registered with fastify-plugin so the
 * handlers apply to the whole application, including feature modules registered later.
 */
export const errorHandlerPlugin = fp(
  async (app: FastifyInstance) => {
    app.addSchema(ProblemSchema);
    app.setErrorHandler(handleError);
    app.setNotFoundHandler(handleNotFound);
  },
  { name: 'error-handler', fastify: '5.x' },
);
