/**
 * The courses module: course authoring — course records and their lifecycle, their outline of
 * modules and lessons, and their prerequisite courses. It is the one owner of the `courses`,
 * `course_modules`, `lessons` and `course_prerequisites` tables; every committed authoring write
 * publishes `course.changed` (the catalog cache subscribes). `courses.enrollment_count` changes only
 * through `adjustEnrollmentCount` (enrollment-counts.ts), which the enrollments module calls inside
 * its own transactions (why a function and not a subscriber: see that file).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { checkIfMatch } from '../../http/etag.js';
import type { Database } from '../../infrastructure/database/client/client.js';
import type { DomainEventBus } from '../../infrastructure/events/domain-events.js';
import { courseOutlineRoutes } from './course-outline.routes.js';
import { createCourseOutlineService } from './course-outline.service.js';
import { coursePrerequisitesRoutes } from './course-prerequisites.routes.js';
import { createCoursePrerequisitesService } from './course-prerequisites.service.js';
import { courseRoutes } from './courses.routes.js';
import { createCourseService } from './courses.service.js';

/** Exactly what the courses module needs from the composition root. */
export interface CoursesModuleDependencies {
  db: Database;
  /** Every committed write publishes `course.changed` here. */
  events: DomainEventBus;
}

export const coursesModule: FastifyPluginAsyncTypebox<CoursesModuleDependencies> = async (app, deps) => {
  // The services see the If-Match rule as a function: HTTP headers stay out of them.
  const writeDependencies = { db: deps.db, events: deps.events, checkPrecondition: checkIfMatch };
  const courses = createCourseService(writeDependencies);
  const outline = createCourseOutlineService(writeDependencies);
  await app.register(courseRoutes, { courses });
  await app.register(courseOutlineRoutes, { outline });
  await app.register(coursePrerequisitesRoutes, {
    prerequisites: createCoursePrerequisitesService(writeDependencies),
  });
};
