/**
 * The enrollments module: learners enrol in courses (themselves, through their instructor or an
 * admin, in bulk by email, or from a confirmed payment), see and drop their enrollments; instructors
 * see their courses' rosters; access windows expire. It is the one owner of the `enrollments`,
 * `bulk_operations`, `bulk_operation_items` and `idempotency_keys` tables (the progress columns of
 * `enrollments` are written through enrollment-progress.ts, which the progress module calls).
 * `courses.enrollment_count` is adjusted through the courses module's `adjustEnrollmentCount`, in the
 * same transaction as each enrolment or drop, so it is exact (see src/modules/courses/enrollment-counts.ts).
 * Events: `enrollment.created`, `enrollment.dropped`, `enrollments.expired`,
 * `course.enrollment-count.changed` (the catalog cache subscribes), `bulk-enrollment.requested`.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Database } from '../../infrastructure/database/client/client.js';
import type { DomainEventBus } from '../../infrastructure/events/domain-events.js';
import type { AppJobQueue } from '../../infrastructure/jobs/job-tasks.js';
import { createBulkEnrolments } from './bulk-enrolment.js';
import { enrollmentRoutes } from './enrollments.routes.js';
import { createEnrollmentService } from './enrollments.service.js';
import type { MyEnrollmentsViews } from './my-enrollments-views.js';
import { createRoster } from './roster.js';

/** Exactly what the enrollments module needs from the composition root. */
export interface EnrollmentsModuleDependencies {
  db: Database;
  /** Enrolments and drops publish here, delivered after commit. */
  events: DomainEventBus;
  /** Bulk enrolments enqueue their job (`enrollments.bulk-enrol`) in the accepting transaction. */
  jobs: AppJobQueue;
  /** The instance the "my enrollments" route serves from and src/subscribers.ts invalidates. */
  myEnrollments: MyEnrollmentsViews;
}

export const enrollmentsModule: FastifyPluginAsyncTypebox<EnrollmentsModuleDependencies> = async (
  app,
  deps,
) => {
  const enrollments = createEnrollmentService(deps);
  await app.register(enrollmentRoutes, {
    enrollments,
    bulk: createBulkEnrolments(deps),
    roster: createRoster(deps),
  });
};
