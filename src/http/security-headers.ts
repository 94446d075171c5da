import cors from '@fastify/cors';
import type { FastifyInstance, onRequestHookHandler, onSendHookHandler } from 'fastify';
import type { Config } from '../config.js';
import { API_REFERENCE_PREFIX } from './api-reference.js';

/** The API answers JSON only: nothing in a response may load, run or be framed. */
const API_CSP = "default-src 'none';frame-ancestors 'none';base-uri 'none';form-action 'none'";

/**
 * The API reference page: its script is served from here, its configuration and styles are inline,
 * fonts and images may come from elsewhere; it may call only this API and never be framed.
 */
const DOCS_CSP = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-inline'",
  "style-src 'self' 'unsafe-inline' https:",
  "img-src 'self' data: https:",
  "font-src 'self' data: https:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ');

const setDocsCsp: onSendHookHandler = (_request, reply, payload, done) => {
  reply.header('content-security-policy', DOCS_CSP);
  done(null, payload);
};

/**
 * The hardening headers every response carries, the same for every request of a configuration:
 * nosniff, Referrer-Policy, X-Frame-Options and the CSP's frame-ancestors against framing,
 * cross-origin isolation (the resource policy opens to other origins only when CORS_ORIGINS lists
 * some, so that those front ends can read responses), the legacy switches browsers still honour, and
 * HSTS in production. They are helmet's headers for the options this API used to pass it, computed
 * once here: helmet built its middleware again on every request, a measurable share of a cached read.
 */
export function securityHeaders(config: Pick<Config, 'nodeEnv' | 'corsOrigins'>): Record<string, string> {
  return {
    'content-security-policy': API_CSP,
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': config.corsOrigins.length > 0 ? 'cross-origin' : 'same-origin',
    'origin-agent-cluster': '?1',
    'referrer-policy': 'no-referrer',
    ...(config.nodeEnv === 'production'
      ? { 'strict-transport-security': 'max-age=31536000; includeSubDomains' }
      : {}),
    'x-content-type-options': 'nosniff',
    'x-dns-prefetch-control': 'off',
    'x-download-options': 'noopen',
    'x-frame-options': 'DENY',
    'x-permitted-cross-domain-policies': 'none',
    'x-xss-protection': '0',
  };
}

/**
 * Hardening headers on every response (securityHeaders, set by one synchronous hook on the reply's
 * own headers, so that Node writes them with the rest in one pass) and CORS for the origins in
 * CORS_ORIGINS (none by default, credentials never: the API takes bearer tokens, not cookies).
 */
export async function registerSecurityHeaders(
  app: FastifyInstance,
  config: Pick<Config, 'nodeEnv' | 'corsOrigins'>,
): Promise<void> {
  // Only the reference's own routes get its looser policy (no check on other requests' hot path).
  app.addHook('onRoute', (routeOptions) => {
    if (routeOptions.url !== API_REFERENCE_PREFIX && !routeOptions.url.startsWith(`${API_REFERENCE_PREFIX}/`))
      return;
    const existing = routeOptions.onSend;
    routeOptions.onSend = existing === undefined ? [setDocsCsp] : [...[existing].flat(), setDocsCsp];
  });
  const headers = securityHeaders(config);
  const setSecurityHeaders: onRequestHookHandler = (_request, reply, done) => {
    reply.headers(headers);
    done();
  };
  app.addHook('onRequest', setSecurityHeaders);
  if (config.corsOrigins.length === 0) return;
  await app.register(cors, {
    origin: config.corsOrigins,
    credentials: false,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['authorization', 'content-type', 'if-match', 'if-none-match', 'x-request-id'],
    exposedHeaders: [
      'etag',
      'location',
      'retry-after',
      'ratelimit-limit',
      'ratelimit-remaining',
      'ratelimit-reset',
      'x-request-id',
    ],
    maxAge: 600,
  });
}
