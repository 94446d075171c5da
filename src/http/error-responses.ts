import type { FastifySchema, RouteOptions } from 'fastify';
import { problemResponse } from './problem.js';

/** What each error status means when a route has nothing more specific to say about it. */
const DEFAULT_DESCRIPTIONS = {
  400: 'The request is not valid (each bad field is listed in `errors`).',
  401: 'No valid access token.',
  403: 'The signed-in user may not do this.',
  404: 'No such resource, or not one the caller may see.',
  409: 'The resource is not in a state that allows this (detail says why).',
  412: 'If-Match is missing or stale.',
  413: 'The body is larger than the server accepts.',
  415: 'The body is not `application/json`.',
  429: 'Too many requests from this address: wait for `Retry-After` seconds (RateLimit headers).',
} as const;

export type ErrorStatus = keyof typeof DEFAULT_DESCRIPTIONS;

/**
 * Documented problem+json responses with the default descriptions, for a route's `response` map:
 * `response: { 200: ItemSchema, ...errorResponses(400, 404) }`.
 */
export function errorResponses(
  ...statuses: ErrorStatus[]
): Record<number, ReturnType<typeof problemResponse>> {
  return Object.fromEntries(
    statuses.map((status) => [status, problemResponse(DEFAULT_DESCRIPTIONS[status])]),
  );
}

/**
 * The errors every documented route can give whatever it does, added to its documented responses
 * unless it already describes them: 429 from the global rate limit (src/http/rate-limit.ts, every
 * route without `rateLimit: false`); 400 when it validates params, query, headers or a body; 413 and
 * 415 when it takes a body. Declared once here so no route can forget them (the lint requires a 4xx
 * on every operation). Used as the swagger `transform`: only the document changes, so the routes
 * compile no extra serializers (every error is a problem+json from the error handler anyway).
 */
export function documentCommonErrorResponses({
  schema,
  url,
  route,
}: {
  schema: FastifySchema;
  url: string;
  route: RouteOptions;
}): {
  schema: FastifySchema;
  url: string;
} {
  if (schema === undefined || schema === null) return { schema, url };
  const statuses: ErrorStatus[] = [];
  if (schema.params || schema.querystring || schema.headers || schema.body) statuses.push(400);
  if (schema.body) statuses.push(413, 415);
  if (route.config?.rateLimit !== false) statuses.push(429);
  const declared = (schema.response ?? {}) as Record<string, unknown>;
  const missing = statuses.filter((status) => !(String(status) in declared));
  if (missing.length === 0) return { schema, url };
  return { schema: { ...schema, response: { ...errorResponses(...missing), ...declared } }, url };
}
