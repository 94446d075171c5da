import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { AppError } from '../shared/errors.js';
import { quietRouteLogLevel } from './logger.js';
import { OPERATIONS_TAG } from './openapi.js';
import { BEARER, PUBLIC } from './openapi-security.js';
import { problemResponse } from './problem.js';
import { RequestDurationHistogram } from './request-duration-histogram.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** This application's Prometheus registry; modules add their own metrics to it. */
    metrics: Registry;
  }
}

/** Label for requests that matched no route, so unknown URLs cannot blow up cardinality. */
export const UNMATCHED_ROUTE = '(unmatched)';

/** The scraper's token, compared in constant time (its digest, so lengths do not show either). */
function requireBearer(token: string): onRequestHookHandler {
  const expected = createHash('sha256').update(token).digest();
  return (request, _reply, done) => {
    const header = request.headers.authorization ?? '';
    const match = /^bearer +(\S+)$/i.exec(header);
    const presented = createHash('sha256')
      .update(match?.[1] ?? '')
      .digest();
    if (match && timingSafeEqual(presented, expected)) done();
    else done(new AppError('unauthorized', 'GET /metrics needs the metrics token (Authorization: Bearer).'));
  };
}

/**
 * Prometheus metrics on `GET /metrics`: process metrics plus a request-duration histogram labelled by
 * method, route pattern (`/api/v1/courses/:id`, never the raw URL) and status code. Each application
 * gets its own registry, so several instances in one process (tests) do not clash.
 */
export const metricsPlugin = fp(
  async (app: FastifyInstance, options: { token?: string | undefined }) => {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });

    const requestDuration = new RequestDurationHistogram(registry);

    app.decorate('metrics', registry);

    // Callback style: runs on every request, and an async hook costs a promise each time.
    app.addHook('onResponse', (request, reply, done) => {
      requestDuration.observe(
        request.method,
        request.routeOptions.url ?? UNMATCHED_ROUTE,
        reply.statusCode,
        reply.elapsedTime / 1000,
      );
      done();
    });

    app.get(
      '/metrics',
      {
        logLevel: quietRouteLogLevel(app.log.level),
        ...(options.token === undefined ? {} : { onRequest: requireBearer(options.token) }),
        schema: {
          tags: [OPERATIONS_TAG],
          operationId: 'getMetrics',
          // Open unless METRICS_TOKEN is set; then the token is a bearer credential.
          security: options.token === undefined ? PUBLIC : BEARER,
          summary: 'Prometheus metrics',
          description:
            'Process metrics and request durations in the Prometheus text exposition format. ' +
            'When METRICS_TOKEN is set, needs `Authorization: Bearer <METRICS_TOKEN>` (401 otherwise).',
          response: {
            200: {
              description: 'The metrics as Prometheus text.',
              content: { 'text/plain': { schema: { type: 'string' } } },
            },
            ...(options.token === undefined
              ? {}
              : { 401: problemResponse('No or the wrong METRICS_TOKEN.') }),
          },
        },
      },
      async (_request, reply) => {
        const body = await registry.metrics();
        return reply.type(registry.contentType).send(body);
      },
    );
  },
  { name: 'metrics', fastify: '5.x' },
);
