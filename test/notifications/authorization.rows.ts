import { everyone, type RouteAuthorization, signedIn } from '../security/authorization-rows.js';

/** Notifications are always the caller's own: someone else's is a 404, as if it did not exist. */
export const NOTIFICATIONS_AUTHORIZATION_ROWS: Record<string, RouteAuthorization> = {
  'GET /api/v1/me/notifications': { expected: signedIn(200) },
  'POST /api/v1/me/notifications/read-all': { expected: signedIn(200) },
  'POST /api/v1/me/notifications/{id}/read': {
    resources: ['studentNotification'],
    request: ({ world }) => ({ params: { id: world.studentNotificationId } }),
    expected: { ...everyone(404), anonymous: 401, student: 200 },
  },
};
