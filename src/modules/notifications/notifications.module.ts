/**
 * The notifications module: in-app notifications. It is the one owner of the `notifications` table:
 * other modules write theirs through `writeNotifications` inside their own transaction (so a
 * notification exists exactly when what it announces committed); the routes let users read theirs.
 * Live delivery and email digests will subscribe to `notification.created`.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Database } from '../../infrastructure/database/client/client.js';
import { notificationsRoutes } from './notifications.routes.js';
import { createNotificationsService } from './notifications.service.js';

/** Exactly what the notifications module needs from the composition root. */
export interface NotificationsModuleDependencies {
  db: Database;
}

export const notificationsModule: FastifyPluginAsyncTypebox<NotificationsModuleDependencies> = async (
  app,
  deps,
) => {
  await app.register(notificationsRoutes, { notifications: createNotificationsService(deps) });
};
