import { everyone, type RouteAuthorization } from '../security/authorization-rows.js';

/** Operations routes: open to everyone. */
export const HTTP_AUTHORIZATION_ROWS: Record<string, RouteAuthorization> = {
  // Operations
  'GET /metrics': { expected: everyone(200) },
  'GET /health/live': { expected: everyone(200) },
  'GET /health/ready': { expected: everyone(200) },
};
