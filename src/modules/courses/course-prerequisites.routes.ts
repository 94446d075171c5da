import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { actorOf } from '../../http/authenticate.js';
import { courseETag, parseIfMatch } from '../../http/etag.js';
import { authenticated, withHeaders } from '../../http/openapi-helpers.js';
import { problemResponse } from '../../http/problem.js';
import type { CoursePrerequisitesService } from './course-prerequisites.service.js';
import { CourseParams, IfMatchHeaders, PrerequisitesBody, PrerequisitesResponse } from './courses.schemas.js';

export interface CoursePrerequisitesRoutesOptions {
  prerequisites: CoursePrerequisitesService;
}

const unauthorized = problemResponse('No valid access token.');
const courseHidden = problemResponse(
  'No such course, or a draft / archived course of another instructor (drafts do not leak).',
);
const notYours = problemResponse(
  'Students, or another instructor’s published course (only its instructor or an admin may see or change its prerequisites).',
);

/**
 * Prerequisite courses (tag `courses`): a learner must have completed each before enrolling
 * (POST /courses/{id}/enrollments answers 409 `prerequisites_not_met` otherwise).
 */
export const coursePrerequisitesRoutes: FastifyPluginAsyncTypebox<CoursePrerequisitesRoutesOptions> = async (
  app,
  { prerequisites },
) => {
  app.get(
    '/courses/:id/prerequisites',
    {
      preHandler: app.authenticate,
      schema: {
        ...authenticated,
        operationId: 'getCoursePrerequisites',
        summary: 'Prerequisites of a course',
        description:
          'The courses a learner must have completed before enrolling in this one, for the course’s instructor and admins.',
        params: CourseParams,
        response: {
          200: withHeaders(PrerequisitesResponse, 'The prerequisite courses.', { etag: true }),
          401: unauthorized,
          403: notYours,
          404: courseHidden,
        },
      },
    },
    async (request, reply) => {
      const result = await prerequisites.getPrerequisites(actorOf(request), request.params.id);
      reply.header('etag', courseETag(result.courseVersion));
      return result;
    },
  );

  app.put(
    '/courses/:id/prerequisites',
    {
      preHandler: app.authenticate,
      schema: {
        ...authenticated,
        operationId: 'replaceCoursePrerequisites',
        summary: 'Replace the prerequisites of a course',
        description: [
          'Replaces the whole list (an empty list removes every prerequisite). Each course must be published and',
          'must not be this course (400 `validation_failed` naming each bad entry); a course that already needs',
          'this one, directly or through its own prerequisites, is refused with 409 `prerequisite_cycle` and the',
          'cycle’s course ids. Bumps the course version; optional If-Match.',
        ].join(' '),
        params: CourseParams,
        headers: IfMatchHeaders(false),
        body: PrerequisitesBody,
        response: {
          200: withHeaders(PrerequisitesResponse, 'The new list, with the course version after it.', {
            etag: true,
          }),
          400: problemResponse('A course id is not valid, not published, or this course itself.'),
          401: unauthorized,
          403: notYours,
          404: courseHidden,
          409: problemResponse('`prerequisite_cycle`: the list would make the course require itself.'),
          412: problemResponse('If-Match is stale.'),
        },
      },
    },
    async (request, reply) => {
      const result = await prerequisites.replacePrerequisites(
        actorOf(request),
        request.params.id,
        request.body.prerequisiteCourseIds,
        parseIfMatch(request.headers['if-match']),
      );
      reply.header('etag', courseETag(result.courseVersion));
      return result;
    },
  );
};
