import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { quietRouteLogLevel } from './logger.js';
import { OPERATIONS_TAG } from './openapi.js';
import { PUBLIC } from './openapi-security.js';
import { RequestDurationHistogram } from './request-duration-histogram.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** This application's Prometheus registry; modules add their own metrics to it. */
    metrics: Registry;
  }
}

/** Label for requests that matched no route, so unknown URLs cannot blow up cardinality. */
export const UNMATCHED_ROUTE = '(unmatched)';

/**
 * Prometheus metrics on `GET /metrics`: process metrics plus a request-duration histogram labelled by
 * method, route pattern (`/api/v1/courses/:id`, never the raw URL) and status code. Each application
 * gets its own registry, so several instances in one process (tests) do not clash.
 */
export const metricsPlugin = fp(
  async (app: FastifyInstance) => {
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
        schema: {
          tags: [OPERATIONS_TAG],
          operationId: 'getMetrics',
          security: PUBLIC,
          summary: 'Prometheus metrics',
          description: 'Process metrics and request durations in the Prometheus text exposition format.',
          response: {
            200: {
              description: 'The metrics as Prometheus text.',
              content: { 'text/plain': { schema: { type: 'string' } } },
            },
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
