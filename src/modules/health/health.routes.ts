import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { quietRouteLogLevel } from '../../http/logger.js';
import { OPERATIONS_TAG } from '../../http/openapi.js';
import { PUBLIC } from '../../http/openapi-security.js';
import { problemResponse } from '../../http/problem.js';
import { AppError } from '../../shared/errors.js';
import { LiveSchema, ReadySchema } from './health.schemas.js';
import type { HealthService } from './health.service.js';

export interface HealthRoutesOptions {
  health: HealthService;
}

/**
 * `/health/live`: the process answers (restart it if not). `/health/ready`: it can serve requests,
 * i.e. the database answers (take it out of the load balancer if not). Logged only at warn level
 * and above, since probes run every few seconds.
 */
export const healthRoutes: FastifyPluginAsyncTypebox<HealthRoutesOptions> = async (app, { health }) => {
  app.addHook('onSend', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
  });

  app.get(
    '/health/live',
    {
      logLevel: quietRouteLogLevel(app.log.level),
      schema: {
        tags: [OPERATIONS_TAG],
        operationId: 'getLiveness',
        security: PUBLIC,
        summary: 'Liveness probe',
        description: 'Answers 200 while the process is running.',
        response: { 200: LiveSchema },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/health/ready',
    {
      logLevel: quietRouteLogLevel(app.log.level),
      schema: {
        tags: [OPERATIONS_TAG],
        operationId: 'getReadiness',
        security: PUBLIC,
        summary: 'Readiness probe',
        description:
          'Answers 200 when the database answers within the timeout, otherwise 503 with the failing `checks`.',
        response: {
          200: ReadySchema,
          503: problemResponse('Not ready: a dependency is unavailable.'),
        },
      },
    },
    async () => {
      const report = await health.readiness();
      if (!report.ready) {
        throw new AppError('service_unavailable', 'A dependency is unavailable.', { checks: report.checks });
      }
      return { status: 'ok' as const, checks: { database: 'ok' as const } };
    },
  );
};
