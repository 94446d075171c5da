import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ifNoneMatchMatches } from '../../http/conditional-get.js';
import { compressedPayload, etagForCoding, negotiateCoding } from '../../http/content-coding.js';
import { OPTIONAL_BEARER } from '../../http/openapi-security.js';
import { problemResponse } from '../../http/problem.js';
import {
  CatalogLessonSchema,
  CatalogPageSchema,
  CourseDetailSchema,
  CourseParams,
  IfNoneMatchHeaders,
  LessonParams,
  ListCoursesQuery,
} from './catalog.schemas.js';
import type { CatalogResponse, CatalogService } from './catalog.service.js';

export interface CatalogRoutesOptions {
  catalog: CatalogService;
}

const TAGS = ['catalog'];

const notModified = {
  description: 'Not modified: the `If-None-Match` ETag is still current. No body.',
  type: 'null',
};

// Clients (and shared caches, for public responses) may keep a copy but must revalidate it with
// If-None-Match on every use: writes invalidate the server cache at once, and a 304 is cheap.
const CACHE_CONTROL = {
  public: 'public, max-age=0, must-revalidate',
  private: 'private, max-age=0, must-revalidate',
} as const;

const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/**
 * ETag + Cache-Control; 304 with no body when If-None-Match still matches, else the payload, sent
 * as the bytes the route's serializer produced when the response was computed (cached or not), or
 * their brotli/gzip copy when the client accepts one (made once per cached response).
 */
function conditional(request: FastifyRequest, reply: FastifyReply, response: CatalogResponse) {
  const coding = negotiateCoding(request.headers['accept-encoding'], response.payload);
  reply.header('etag', etagForCoding(response.etag, coding));
  reply.header('cache-control', CACHE_CONTROL[response.scope]);
  // The response depends on who asks (detail views, lesson access) and on the codings accepted.
  reply.header('vary', 'Authorization, Accept-Encoding');
  if (ifNoneMatchMatches(request.headers['if-none-match'], response.etag)) {
    return reply.code(304).send();
  }
  // Returned rather than `reply.send(...)`: returning the reply makes Fastify wait for the response
  // to finish (listeners on the socket) before the handler's promise settles.
  reply.type(JSON_CONTENT_TYPE);
  if (coding === undefined) return response.payload;
  reply.header('content-encoding', coding);
  return compressedPayload(response, coding);
}

/**
 * The route's own response serializer for 200 (its schema strips anything it does not list). The
 * schema serializers produce strings; the wider declared type covers custom serializers.
 */
const serializerOf =
  (reply: FastifyReply) =>
  (body: unknown): string =>
    reply.serialize(body) as string;

/**
 * The public catalog: anyone may call it (a bearer token, when sent, must be valid and personalises
 * the course and lesson views). Routes are thin: the service decides visibility and caching.
 */
export const catalogRoutes: FastifyPluginAsyncTypebox<CatalogRoutesOptions> = async (app, { catalog }) => {
  app.get(
    '/courses',
    {
      preHandler: app.authenticateOptional,
      schema: {
        tags: TAGS,
        operationId: 'listCourses',
        summary: 'Search and list published courses',
        description: [
          'Published courses only. Filters combine with AND. With `q` the default order is relevance',
          '(title matches rank above description matches); otherwise newest first.',
          'Keyset pagination: pass `nextCursor` as `cursor` with the same parameters; pages neither repeat',
          'nor skip courses while new ones are published. A cursor from another `sort` is a 400.',
          'Cached server-side; supports `If-None-Match` (304).',
        ].join(' '),
        security: OPTIONAL_BEARER,
        querystring: ListCoursesQuery,
        headers: IfNoneMatchHeaders,
        response: {
          200: CatalogPageSchema,
          304: notModified,
          400: problemResponse('A query parameter or the cursor is not valid (each bad field is listed).'),
          401: problemResponse('A bearer token was sent but is invalid or expired.'),
        },
      },
    },
    async (request, reply) =>
      conditional(request, reply, await catalog.listCourses(request.query, serializerOf(reply))),
  );

  app.get(
    '/courses/:id',
    {
      preHandler: app.authenticateOptional,
      schema: {
        tags: TAGS,
        operationId: 'getCourse',
        summary: 'A course with its outline',
        description: [
          '`id` is the course id or its slug. Modules and lessons in order; lesson bodies (`content`, `videoUrl`) only for',
          'preview lessons, or for all lessons when the caller is the course’s instructor, an admin, or',
          'enrolled (active or completed enrollment). Drafts are visible only to their instructor and',
          'admins, archived courses also to enrolled students; to anyone else they do not exist (404).',
          'Supports `If-None-Match` (304).',
        ].join(' '),
        security: OPTIONAL_BEARER,
        params: CourseParams,
        headers: IfNoneMatchHeaders,
        response: {
          200: CourseDetailSchema,
          304: notModified,
          401: problemResponse('A bearer token was sent but is invalid or expired.'),
          404: problemResponse('No such course, or not visible to the caller.'),
        },
      },
    },
    async (request, reply) =>
      conditional(
        request,
        reply,
        await catalog.getCourse(request.params.id, request.actor, serializerOf(reply)),
      ),
  );

  app.get(
    '/courses/:id/lessons/:lessonId',
    {
      preHandler: app.authenticateOptional,
      schema: {
        tags: TAGS,
        operationId: 'getCourseLesson',
        summary: 'A lesson with its body',
        description: [
          'Preview lessons of a visible course are open to everyone. Other lessons need the course’s',
          'instructor, an admin, or an active or completed enrollment that has not expired: anonymous',
          'callers get 401; signed-in callers without one get 403 `not_enrolled` with `enrollmentStatus`',
          '(null, `dropped` or `expired`); a lesson still locked in a sequential course is 403',
          '`lesson_locked`. Courses the caller cannot see are 404.',
        ].join(' '),
        security: OPTIONAL_BEARER,
        params: LessonParams,
        headers: IfNoneMatchHeaders,
        response: {
          200: CatalogLessonSchema,
          304: notModified,
          400: problemResponse('The lesson id is not a UUID.'),
          401: problemResponse('Sign in (and enroll) to access this lesson, or the bearer token is invalid.'),
          403: problemResponse(
            '`not_enrolled`: enroll (again) in the course to access this lesson; `lesson_locked`: complete what `requires` names first.',
          ),
          404: problemResponse('No such course or lesson, or the course is not visible to the caller.'),
        },
      },
    },
    async (request, reply) =>
      conditional(
        request,
        reply,
        await catalog.getLesson(
          request.params.id,
          request.params.lessonId,
          request.actor,
          serializerOf(reply),
        ),
      ),
  );
};
