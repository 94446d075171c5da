import { ASSIGNMENTS_AUTHORIZATION_ROWS } from '../assignments/authorization.rows.js';
import { AUTH_AUTHORIZATION_ROWS } from '../auth/authorization.rows.js';
import { CATALOG_AUTHORIZATION_ROWS } from '../catalog/authorization.rows.js';
import { CERTIFICATES_AUTHORIZATION_ROWS } from '../certificates/authorization.rows.js';
import { COURSES_AUTHORIZATION_ROWS } from '../courses/authorization.rows.js';
import { ENROLLMENTS_AUTHORIZATION_ROWS } from '../enrollments/authorization.rows.js';
import { GRADEBOOK_AUTHORIZATION_ROWS } from '../gradebook/authorization.rows.js';
import { CALENDAR_AUTHORIZATION_ROWS } from '../gradebook/calendar.rows.js';
import { HTTP_AUTHORIZATION_ROWS } from '../http/authorization.rows.js';
import { JOBS_AUTHORIZATION_ROWS } from '../jobs/authorization.rows.js';
import { NOTIFICATIONS_AUTHORIZATION_ROWS } from '../notifications/authorization.rows.js';
import { PROGRESS_AUTHORIZATION_ROWS } from '../progress/authorization.rows.js';
import { QUIZZES_AUTHORIZATION_ROWS } from '../quizzes/authorization.rows.js';
import { USERS_AUTHORIZATION_ROWS } from '../users/authorization.rows.js';
import type { RouteAuthorization } from './authorization-rows.js';

export { expectedOutcome, type MatrixRequest, matches, type ResourceName } from './authorization-rows.js';

/**
 * Every module's authorization rows, each declared next to that module's tests. A module with
 * routes adds its `authorization.rows.ts` here; the matrix fails for any route of /openapi.json that
 * no rows file declares, and for a route declared by two.
 */
const MODULE_ROWS: readonly Record<string, RouteAuthorization>[] = [
  HTTP_AUTHORIZATION_ROWS,
  AUTH_AUTHORIZATION_ROWS,
  USERS_AUTHORIZATION_ROWS,
  CATALOG_AUTHORIZATION_ROWS,
  COURSES_AUTHORIZATION_ROWS,
  NOTIFICATIONS_AUTHORIZATION_ROWS,
  JOBS_AUTHORIZATION_ROWS,
  ENROLLMENTS_AUTHORIZATION_ROWS,
  PROGRESS_AUTHORIZATION_ROWS,
  CERTIFICATES_AUTHORIZATION_ROWS,
  ASSIGNMENTS_AUTHORIZATION_ROWS,
  GRADEBOOK_AUTHORIZATION_ROWS,
  CALENDAR_AUTHORIZATION_ROWS,
  QUIZZES_AUTHORIZATION_ROWS,
];

/** Routes that two rows files declare (each would silently override the other). */
export const DOUBLY_DECLARED_ROUTES: readonly string[] = (() => {
  const seen = new Set<string>();
  const doubles: string[] = [];
  for (const rows of MODULE_ROWS) {
    for (const key of Object.keys(rows)) {
      if (seen.has(key)) doubles.push(key);
      seen.add(key);
    }
  }
  return doubles;
})();

export const AUTHORIZATION_TABLE: Record<string, RouteAuthorization> = Object.assign({}, ...MODULE_ROWS);
