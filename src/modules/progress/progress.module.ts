/**
 * The progress module: the learner's view of an enrolled course and their lesson progress, with the
 * locking rule of sequential courses and the completion rule. It is the one owner of the
 * `lesson_progress` table; the enrollment's progress columns and its completion are written through
 * the enrollments module's functions (enrollment-progress.ts), in the same transactions. Completion
 * publishes `enrollment.completed`; `course.changed` recounts the course's enrollments
 * (content-changes.ts, wired in src/subscribers.ts).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Database } from '../../infrastructure/database/client/client.js';
import type { DomainEventBus } from '../../infrastructure/events/domain-events.js';
import type { LearnerViews } from './learner-views.js';
import { progressRoutes } from './progress.routes.js';
import { createProgressService } from './progress.service.js';

/** Exactly what the progress module needs from the composition root. */
export interface ProgressModuleDependencies {
  db: Database;
  /** Completion publishes `enrollment.completed` here (and the notification `notification.created`). */
  events: DomainEventBus;
  /** The app's one learner-view cache, shared with the `course.changed` subscriber that invalidates it. */
  learnerViews: LearnerViews;
}

export const progressModule: FastifyPluginAsyncTypebox<ProgressModuleDependencies> = async (app, deps) => {
  const progress = createProgressService(deps);
  await app.register(progressRoutes, { progress });
};
