import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import { quietRouteLogLevel } from './logger.js';
import { OPERATIONS_TAG } from './openapi.js';

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

    const requestDuration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Duration of HTTP requests in seconds, by method, route pattern and status code.',
      labelNames: ['method', 'route', 'status_code'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });

    app.decorate('metrics', registry);

    app.addHook('onResponse', async (request, reply) => {
      requestDuration.observe(
        {
          method: request.method,
          route: request.routeOptions.url ?? UNMATCHED_ROUTE,
          status_code: String(reply.statusCode),
        },
        reply.elapsedTime / 1000,
      );
    });

    app.get(
      '/metrics',
      {
        logLevel: quietRouteLogLevel(app.log.level),
        schema: {
          tags: [OPERATIONS_TAG],
          summary: 'Prometheus metrics',
          description: 'Process metrics and request durations in the Prometheus text exposition format.',
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
