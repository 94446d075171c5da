import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { actorOf } from '../../http/authenticate.js';
import { errorResponses } from '../../http/error-responses.js';
import { BEARER } from '../../http/openapi-security.js';
import { problemResponse } from '../../http/problem.js';
import {
  ListNotificationsQuery,
  NotificationIdParams,
  NotificationPageSchema,
  NotificationSchema,
  ReadAllResultSchema,
} from './notifications.schemas.js';
import type { NotificationsService } from './notifications.service.js';

const TAGS = ['notifications'];

/** The signed-in user's in-app notifications. Every response is private (`no-store`). */
export const notificationsRoutes: FastifyPluginAsyncTypebox<{ notifications: NotificationsService }> = async (
  app,
  { notifications },
) => {
  app.addHook('onSend', (_request, reply, payload, done) => {
    reply.header('cache-control', 'no-store');
    done(null, payload);
  });

  app.get(
    '/me/notifications',
    {
      preHandler: app.authenticate,
      schema: {
        tags: TAGS,
        operationId: 'listMyNotifications',
        summary: 'My notifications, newest first',
        description:
          'Keyset pages of the signed-in user’s notifications (`?unread=true` for unread ones only), ' +
          'with the count of all unread ones for a badge.',
        security: BEARER,
        querystring: ListNotificationsQuery,
        response: { 200: NotificationPageSchema, ...errorResponses(400, 401) },
      },
    },
    async (request) => notifications.listMine(actorOf(request), request.query),
  );

  app.post(
    '/me/notifications/read-all',
    {
      preHandler: app.authenticate,
      schema: {
        tags: TAGS,
        operationId: 'markAllMyNotificationsRead',
        summary: 'Mark all my notifications read',
        security: BEARER,
        response: { 200: ReadAllResultSchema, ...errorResponses(401) },
      },
    },
    async (request) => notifications.markAllRead(actorOf(request)),
  );

  app.post(
    '/me/notifications/:id/read',
    {
      preHandler: app.authenticate,
      schema: {
        tags: TAGS,
        operationId: 'markMyNotificationRead',
        summary: 'Mark one of my notifications read',
        description: 'Idempotent: a notification already read keeps the time it was first read.',
        security: BEARER,
        params: NotificationIdParams,
        response: {
          200: NotificationSchema,
          ...errorResponses(400, 401),
          404: problemResponse('No notification with this id among the signed-in user’s.'),
        },
      },
    },
    async (request) => notifications.markRead(actorOf(request), request.params.id),
  );
};
