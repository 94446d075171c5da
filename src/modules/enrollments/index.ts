/** The enrollments module's public surface: what the composition root and other modules may use. */

export {
  BULK_CHUNK_SIZE,
  type BulkRunOptions,
  failBulkOperation,
  runBulkEnrolment,
} from './bulk-enrolment.js';
export { expireEnrollments, purgeIdempotencyKeys } from './enrollment-expiry.js';
export * from './enrollment-progress.js';
export { type EnrollmentsModuleDependencies, enrollmentsModule } from './enrollments.module.js';
export { findActiveEnrollment } from './enrollments.queries.js';
export { enrolFromConfirmedPayment } from './enrollments.service.js';
export { createMyEnrollmentsViews, type MyEnrollmentsViews } from './my-enrollments-views.js';
export { csvCell } from './roster.js';
