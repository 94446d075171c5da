import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { actorOf } from '../../http/authenticate.js';
import { courseETag, parseIfMatch } from '../../http/etag.js';
import { authenticated, withHeaders } from '../../http/openapi-helpers.js';
import { problemResponse } from '../../http/problem.js';
import { courseSummaryView, courseView, lessonView, moduleView } from './course-views.js';
import {
  AuthoringViewSchema,
  CourseParams,
  CourseSchema,
  CourseSummaryPageSchema,
  CreateCourseBody,
  DeletedSchema,
  IfMatchHeaders,
  InstructorCoursesQuery,
  UpdateCourseBody,
} from './courses.schemas.js';
import type { CourseService } from './courses.service.js';

export interface CourseRoutesOptions {
  courses: CourseService;
}

const unauthorized = problemResponse('No valid access token.');
const courseHidden = problemResponse(
  'No such course, or a draft / archived course of another instructor (drafts do not leak).',
);
const notYours = problemResponse(
  'Students, or another instructor’s published course (only its instructor or an admin may change it).',
);
const stateConflict = problemResponse('The course is not in a state that allows this (detail says why).');
const preconditionFailed = problemResponse('If-Match is stale (the course changed since it was loaded).');

/**
 * Course authoring (tag `courses`): instructors create and edit their courses and move them through
 * draft → published → archived; admins may act on any course. Modules and lessons are in
 * course-outline.routes.ts. Every write is committed before `course.changed` reaches the catalog cache.
 */
export const courseRoutes: FastifyPluginAsyncTypebox<CourseRoutesOptions> = async (app, { courses }) => {
  app.post(
    '/courses',
    {
      preHandler: app.authenticate,
      schema: {
        ...authenticated,
        operationId: 'createCourse',
        summary: 'Create a course',
        description: [
          'Creates a draft course owned by the caller (instructor or admin; an admin may pass `instructorId`).',
          'The slug is generated from the title (ASCII-folded, lower case, hyphenated, at most 80 characters) and',
          'made unique by appending `-2`, `-3`, ... Returns 201 with `Location` and the course `ETag`.',
        ].join(' '),
        body: CreateCourseBody,
        response: {
          201: withHeaders(CourseSchema, 'The created course (status draft).', {
            etag: true,
            location: true,
          }),
          400: problemResponse('A field is not valid (each is listed in `errors`).'),
          401: unauthorized,
          403: problemResponse('Students; or an instructor passing another instructor’s id.'),
        },
      },
    },
    async (request, reply) => {
      const course = await courses.create(actorOf(request), request.body);
      reply
        .code(201)
        .header('location', `${app.prefix}/courses/${course.id}`)
        .header('etag', courseETag(course.version));
      return courseView(course);
    },
  );

  app.get(
    '/instructor/courses',
    {
      preHandler: app.authenticate,
      schema: {
        ...authenticated,
        operationId: 'listInstructorCourses',
        summary: 'List my courses (authoring)',
        description:
          'The caller’s courses in every status, newest first, keyset-paginated. Admins see every course and may filter by `instructorId`.',
        querystring: InstructorCoursesQuery,
        response: {
          200: CourseSummaryPageSchema,
          400: problemResponse('A query parameter or the cursor is not valid.'),
          401: unauthorized,
          403: problemResponse('Students; or an instructor asking for another instructor’s courses.'),
        },
      },
    },
    async (request) => {
      const { limit, cursor, status, instructorId } = request.query;
      const page = await courses.listForInstructor(actorOf(request), { limit, cursor, status, instructorId });
      return { data: page.data.map(courseSummaryView), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/courses/:id/authoring',
    {
      preHandler: app.authenticate,
      schema: {
        ...authenticated,
        operationId: 'getCourseAuthoringView',
        summary: 'Authoring view of a course',
        description:
          'The course with every module and lesson, lesson content included, for its instructor and admins; 404 for everyone else (whatever the status). The ETag is the course version.',
        params: CourseParams,
        response: {
          200: withHeaders(AuthoringViewSchema, 'The course and its full outline.', { etag: true }),
          400: problemResponse('The id is not a UUID.'),
          401: unauthorized,
          404: problemResponse('No such course, or not one the caller authors.'),
        },
      },
    },
    async (request, reply) => {
      const view = await courses.authoringView(actorOf(request), request.params.id);
      reply.header('etag', courseETag(view.course.version));
      return {
        ...courseView(view.course),
        modules: view.modules.map((module) => ({
          ...moduleView(module),
          lessons: module.lessons.map(lessonView),
        })),
        publishBlockers: view.publishBlockers,
      };
    },
  );

  app.patch(
    '/courses/:id',
    {
      preHandler: app.authenticate,
      schema: {
        ...authenticated,
        operationId: 'updateCourse',
        summary: 'Edit a course',
        description: [
          'Changes the given fields. Requires `If-Match` with the course ETag; a missing or stale one is',
          '412 precondition_failed (with `currentETag`) and nothing changes. The slug stays as it is (stable',
          'URLs) unless `slug` is sent; a slug in use is 409, one shaped like a UUID 400. A published course keeps a description.',
        ].join(' '),
        params: CourseParams,
        headers: IfMatchHeaders(true),
        body: UpdateCourseBody,
        response: {
          200: withHeaders(CourseSchema, 'The updated course, with its new ETag.', { etag: true }),
          400: problemResponse('A field is not valid (each is listed in `errors`).'),
          401: unauthorized,
          403: notYours,
          404: courseHidden,
          409: problemResponse('The slug is taken, or a published course would lose its description.'),
          412: problemResponse('If-Match is missing or stale.'),
        },
      },
    },
    async (request, reply) => {
      const course = await courses.update(
        actorOf(request),
        request.params.id,
        parseIfMatch(request.headers['if-match']),
        request.body,
      );
      reply.header('etag', courseETag(course.version));
      return courseView(course);
    },
  );

  const transitions = [
    {
      action: 'publish',
      operationId: 'publishCourse',
      summary: 'Publish a course',
      description:
        'draft or archived → published. Needs a description and at least one module with at least one lesson (409 listing `blockers` otherwise); sets `publishedAt` on the first publication.',
      run: courses.publish,
    },
    {
      action: 'archive',
      operationId: 'archiveCourse',
      summary: 'Archive a course',
      description:
        'published → archived: enrolled students keep access, new enrollments are refused. Sets `archivedAt`.',
      run: courses.archive,
    },
    {
      action: 'unpublish',
      operationId: 'unpublishCourse',
      summary: 'Unpublish a course',
      description: 'published → draft, only while nobody is enrolled (409 otherwise: archive it instead).',
      run: courses.unpublish,
    },
  ] as const;

  for (const transition of transitions) {
    app.post(
      `/courses/:id/${transition.action}`,
      {
        preHandler: app.authenticate,
        schema: {
          ...authenticated,
          operationId: transition.operationId,
          summary: transition.summary,
          description: `${transition.description} An invalid transition is 409 with a detail. Optional If-Match.`,
          params: CourseParams,
          headers: IfMatchHeaders(false),
          response: {
            200: withHeaders(CourseSchema, 'The course in its new status.', { etag: true }),
            401: unauthorized,
            403: notYours,
            404: courseHidden,
            409: stateConflict,
            412: preconditionFailed,
          },
        },
      },
      async (request, reply) => {
        const course = await transition.run(
          actorOf(request),
          request.params.id,
          parseIfMatch(request.headers['if-match']),
        );
        reply.header('etag', courseETag(course.version));
        return courseView(course);
      },
    );
  }

  app.delete(
    '/courses/:id',
    {
      preHandler: app.authenticate,
      schema: {
        ...authenticated,
        operationId: 'deleteCourse',
        summary: 'Delete a draft course',
        description:
          'Deletes a draft course nobody is enrolled in, with its modules and lessons. Published courses are archived instead (409). Optional If-Match.',
        params: CourseParams,
        headers: IfMatchHeaders(false),
        response: {
          204: DeletedSchema,
          401: unauthorized,
          403: notYours,
          404: courseHidden,
          409: stateConflict,
          412: preconditionFailed,
        },
      },
    },
    async (request, reply) => {
      await courses.delete(actorOf(request), request.params.id, parseIfMatch(request.headers['if-match']));
      return reply.code(204).send(null);
    },
  );
};
