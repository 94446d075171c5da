/**
 * The assignments module: authoring assignments and rubrics, students' submissions (text, links,
 * files streamed to file storage after a content check), grading with a version guard and a history,
 * and the 24-hour due reminders (a cron job: due-reminders.ts). It owns the assignments,
 * assignment_submissions, rubric_* and (for assignments) grade_changes rows; the gradebook and the
 * completion rule read the grades and react to `assignment-submission.graded` (the gradebook also
 * to `assignment-submission.submitted` and `assignment.changed`).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Database } from '../../infrastructure/database/client/client.js';
import type { DomainEventBus } from '../../infrastructure/events/domain-events.js';
import type { FileStorage } from '../../infrastructure/storage/file-storage.js';
import { assignmentRoutes } from './assignments.routes.js';
import { createAssignmentsService } from './assignments.service.js';
import { createGradingService } from './grading.service.js';
import { submissionRoutes } from './submissions.routes.js';
import { createSubmissionsService } from './submissions.service.js';

/** Exactly what the assignments module needs from the composition root. */
export interface AssignmentsModuleDependencies {
  db: Database;
  events: DomainEventBus;
  storage: FileStorage;
  /** Where the module is mounted (`/api/v1`), for the file links in its answers. */
  apiPrefix: string;
}

export const assignmentsModule: FastifyPluginAsyncTypebox<AssignmentsModuleDependencies> = async (
  app,
  deps,
) => {
  await app.register(assignmentRoutes, { assignments: createAssignmentsService(deps) });
  await app.register(submissionRoutes, {
    submissions: createSubmissionsService(deps),
    grading: createGradingService(deps),
  });
};
