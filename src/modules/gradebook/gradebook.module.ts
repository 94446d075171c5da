/**
 * The gradebook module: reads what the quizzes and assignments modules write (quiz_submissions,
 * assignment_submissions) and never writes them. It owns the definition of a counted score
 * (counted-scores.ts), which the completion rule of the progress module reads too.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Database } from '../../infrastructure/database/client/client.js';
import { gradebookRoutes } from './gradebook.routes.js';
import { createGradebookService } from './gradebook.service.js';

/** Exactly what the gradebook module needs from the composition root. */
export interface GradebookModuleDependencies {
  db: Database;
}

export const gradebookModule: FastifyPluginAsyncTypebox<GradebookModuleDependencies> = async (
  app,
  { db },
) => {
  await app.register(gradebookRoutes, { gradebook: createGradebookService({ db }) });
};
