import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import type { FastifyInstance, onSendHookHandler } from 'fastify';
import type { Config } from '../config.js';
import { API_REFERENCE_PREFIX } from './api-reference.js';

/** The API answers JSON only: nothing in a response may load, run or be framed. */
const API_CSP = {
  defaultSrc: ["'none'"],
  frameAncestors: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'none'"],
};

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
 * Hardening headers on every response (helmet: nosniff, Referrer-Policy, X-Frame-Options and CSP
 * frame-ancestors, HSTS in production) and CORS for the origins in CORS_ORIGINS (none by default,
 * credentials never: the API takes bearer tokens, not cookies).
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
  await app.register(helmet, {
    contentSecurityPolicy: { useDefaults: false, directives: API_CSP },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity:
      config.nodeEnv === 'production' ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    // Browser front ends on the allowed origins read responses cross-origin.
    crossOriginResourcePolicy: { policy: config.corsOrigins.length > 0 ? 'cross-origin' : 'same-origin' },
    crossOriginEmbedderPolicy: false,
  });
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
