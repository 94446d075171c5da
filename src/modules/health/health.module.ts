/**
 * The health module: liveness and readiness probes for orchestrators and load balancers, served
 * outside the versioned API prefix. It writes no table; readiness only asks the database to answer.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type pg from 'pg';
import { healthRoutes } from './health.routes.js';
import { createHealthService } from './health.service.js';

/** Exactly what the probes need from the composition root. */
export interface HealthModuleDependencies {
  pool: Pick<pg.Pool, 'query'>;
  /** Longest `/health/ready` waits for the database (ms). */
  readinessTimeoutMs?: number;
}

export const healthModule: FastifyPluginAsyncTypebox<HealthModuleDependencies> = async (app, deps) => {
  const health = createHealthService(deps.pool, {
    timeoutMs: deps.readinessTimeoutMs,
    onFailure: (error) => app.log.warn({ err: error }, 'readiness check failed: database unavailable'),
  });
  await app.register(healthRoutes, { health });
};
