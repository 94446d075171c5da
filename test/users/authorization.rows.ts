import {
  accountParams,
  adminOnly,
  everyone,
  type RouteAuthorization,
  signedIn,
} from '../security/authorization-rows.js';

/** The signed-in user (always their own account) and user administration (admins only; an admin cannot demote or deactivate themselves). */
export const USERS_AUTHORIZATION_ROWS: Record<string, RouteAuthorization> = {
  'GET /api/v1/me': { expected: signedIn(200) },
  'PATCH /api/v1/me': {
    request: () => ({ body: { name: 'Renamed by the matrix' } }),
    expected: signedIn(200),
  },
  'GET /api/v1/me/profile': { expected: signedIn(200) },
  'PATCH /api/v1/me/profile': {
    request: () => ({ body: { headline: 'Set by the matrix', websiteUrl: 'https://example.com' } }),
    expected: signedIn(200),
  },
  'GET /api/v1/users/{id}/profile': {
    resources: ['studentAccount', 'adminAccount'],
    request: (context) => ({ params: accountParams(context) }),
    expected: everyone(200),
  },

  // ---------------------------------------------------------------------------------------------
  // User administration: admins only; an admin cannot demote or deactivate themselves.
  'GET /api/v1/users': { expected: adminOnly(200) },
  'GET /api/v1/users/{id}': {
    resources: ['studentAccount'],
    request: (context) => ({ params: accountParams(context) }),
    expected: adminOnly(200),
  },
  'PATCH /api/v1/users/{id}/role': {
    resources: ['studentAccount', 'adminAccount'],
    request: (context) => ({
      params: accountParams(context),
      body: { role: context.resource === 'adminAccount' ? 'student' : 'instructor' },
    }),
    expected: adminOnly({ studentAccount: 200, adminAccount: 409 }),
  },
  'POST /api/v1/users/{id}/deactivate': {
    resources: ['studentAccount', 'adminAccount'],
    request: (context) => ({ params: accountParams(context) }),
    expected: adminOnly({ studentAccount: 200, adminAccount: 409 }),
  },
  'POST /api/v1/users/{id}/reactivate': {
    resources: ['studentAccount', 'adminAccount'],
    request: (context) => ({ params: accountParams(context) }),
    expected: adminOnly(200),
  },
};
