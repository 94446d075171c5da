/**
 * The gradebook module: reads what the quizzes and assignments modules write (quiz_submissions,
 * assignment_submissions) and never writes them. It owns the definition of a counted score
 * (counted-scores.ts), which the completion rule of the progress module reads too, and this
 * instance's copies of its JSON pages (gradebook-pages.ts), which the subscribers of every event
 * that changes a page invalidate (src/subscribers.ts).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Database } from '../../infrastructure/database/client/client.js';
import { gradebookRoutes } from './gradebook.routes.js';
import { createGradebookService } from './gradebook.service.js';
import type { GradebookPages } from './gradebook-pages.js';

/** Exactly what the gradebook module needs from the composition root. */
export interface GradebookModuleDependencies {
  db: Database;
  /** The instance the subscribers invalidate (src/subscribers.ts). */
  pages: GradebookPages;
}

export const gradebookModule: FastifyPluginAsyncTypebox<GradebookModuleDependencies> = async (
  app,
  { db, pages },
) => {
  await app.register(gradebookRoutes, { gradebook: createGradebookService({ db, pages }) });
};
