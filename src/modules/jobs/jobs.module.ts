/**
 * The jobs module: the admin's view of the background job queue (list, detail, retry a failed job).
 * It writes no table of its own; the queue's tables belong to graphile-worker (the queue schema,
 * src/infrastructure/jobs), and a retry goes through graphile-worker's `reschedule_jobs`.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Database } from '../../infrastructure/database/client/client.js';
import { jobsRoutes } from './jobs.routes.js';
import { createJobsService } from './jobs.service.js';

/** Exactly what the jobs module needs from the composition root. */
export interface JobsModuleDependencies {
  db: Database;
}

export const jobsModule: FastifyPluginAsyncTypebox<JobsModuleDependencies> = async (app, deps) => {
  const jobs = createJobsService({ db: deps.db });
  await app.register(jobsRoutes, { jobs });
};
