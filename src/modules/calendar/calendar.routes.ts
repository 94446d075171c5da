import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { actorOf } from '../../http/authenticate.js';
import { BEARER, PUBLIC } from '../../http/openapi-security.js';
import { problemResponse } from '../../http/problem.js';
import { CalendarFeedQuery, CalendarFeedSchema } from './calendar.schemas.js';
import type { CalendarService } from './calendar.service.js';

export interface CalendarRoutesOptions {
  calendar: CalendarService;
}

const TAGS = ['calendar'];
const unauthorized = problemResponse('No valid access token.');

/**
 * Calendar (tag `calendar`): the signed-in user's secret feed URL (create, rotate, delete) and the
 * feed itself, read with the token alone. Every answer is private (`Cache-Control: no-store`).
 */
export const calendarRoutes: FastifyPluginAsyncTypebox<CalendarRoutesOptions> = async (app, { calendar }) => {
  app.addHook('onSend', (_request, reply, payload, done) => {
    reply.header('cache-control', 'no-store');
    done(null, payload);
  });

  app.post(
    '/me/calendar-feed',
    {
      preHandler: app.authenticate,
      schema: {
        tags: TAGS,
        operationId: 'rotateMyCalendarFeed',
        summary: 'Create or rotate my calendar feed URL',
        description: [
          'Makes a new secret feed URL for the caller (`GET /me/calendar.ics?token=…`) and answers it: it is',
          'shown only now (the server keeps a hash). Any earlier URL of the caller stops working at once.',
        ].join(' '),
        security: BEARER,
        response: { 201: CalendarFeedSchema, 401: unauthorized },
      },
    },
    async (request, reply) => reply.code(201).send(await calendar.rotate(actorOf(request))),
  );

  app.delete(
    '/me/calendar-feed',
    {
      preHandler: app.authenticate,
      schema: {
        tags: TAGS,
        operationId: 'deleteMyCalendarFeed',
        summary: 'Delete my calendar feed URL',
        description: 'The caller’s feed URL stops working; 404 when there is none.',
        security: BEARER,
        response: {
          204: { description: 'Deleted.', type: 'null' },
          401: unauthorized,
          404: problemResponse('The caller has no calendar feed.'),
        },
      },
    },
    async (request, reply) => {
      await calendar.remove(actorOf(request));
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/me/calendar.ics',
    {
      schema: {
        tags: TAGS,
        operationId: 'getMyCalendarFeed',
        summary: 'My calendar feed (iCalendar)',
        description: [
          'No sign-in: the token is the credential (for calendar apps). An iCalendar document of the feed',
          'owner’s active enrollments: each published assignment’s due date and each published quiz’s',
          'availability window, with stable UIDs and the course’s title. An unknown, rotated or deleted',
          'token is 404, with no hint why.',
        ].join(' '),
        querystring: CalendarFeedQuery,
        security: PUBLIC,
        response: {
          200: {
            description: 'The feed.',
            content: { 'text/calendar': { schema: Type.String({ description: 'RFC 5545 iCalendar.' }) } },
          },
          400: problemResponse('The token is missing or not of the right form.'),
          404: problemResponse('No such calendar feed.'),
        },
      },
    },
    async (request, reply) =>
      reply.type('text/calendar; charset=utf-8').send(await calendar.feed(request.query.token)),
  );
};
