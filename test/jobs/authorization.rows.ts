import { adminOnly, type MatrixContext, type RouteAuthorization } from '../security/authorization-rows.js';

const failedJob = ({ world }: MatrixContext) => ({ params: { id: world.jobs.failedJobId } });

/** The background job queue: admins only (payloads may name users), anonymous callers 401. */
export const JOBS_AUTHORIZATION_ROWS: Record<string, RouteAuthorization> = {
  'GET /api/v1/admin/jobs': { request: () => ({ query: { state: 'failed' } }), expected: adminOnly(200) },
  'GET /api/v1/admin/jobs/{id}': { request: failedJob, expected: adminOnly(200) },
  // A fresh cast (and failed job) for every check: the admin's retry succeeds on its own.
  'POST /api/v1/admin/jobs/{id}/retry': { request: failedJob, expected: adminOnly(200) },
};
