/** The courses module's public surface: what the composition root and other modules may use. */
export { type CoursesModuleDependencies, coursesModule } from './courses.module.js';
export { adjustEnrollmentCount } from './enrollment-counts.js';
