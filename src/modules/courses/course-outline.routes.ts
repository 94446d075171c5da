import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { actorOf } from '../../http/authenticate.js';
import { parseIfMatch } from '../../http/etag.js';
import { authenticated } from '../../http/openapi-helpers.js';
import { problemResponse } from '../../http/problem.js';
import type { CourseOutlineService } from './course-outline.service.js';
import { lessonView, moduleView } from './course-views.js';
import {
  CourseParams,
  CreateLessonBody,
  CreateModuleBody,
  DeletedSchema,
  IfMatchHeaders,
  LESSON_TYPES_DESCRIPTION,
  LessonOrderBody,
  LessonOrderResponse,
  LessonParams,
  LessonWriteResponse,
  ModuleOrderBody,
  ModuleOrderResponse,
  ModuleParams,
  ModuleWriteResponse,
  UpdateLessonBody,
  UpdateModuleBody,
} from './courses.schemas.js';

export interface CourseOutlineRoutesOptions {
  outline: CourseOutlineService;
}

const STRUCTURE_NOTE =
  'Runs in one transaction under the course row lock, so concurrent edits of the same outline apply one after the other; positions stay 0..n-1 without gaps or duplicates. Bumps the course version (returned as `courseVersion`). Optional If-Match with the course ETag.';

const errors = {
  400: problemResponse('A field is not valid (each is listed in `errors`).'),
  401: problemResponse('No valid access token.'),
  403: problemResponse('Students, or another instructor’s published course.'),
  404: problemResponse('No such course (or a hidden draft), module or lesson.'),
  412: problemResponse('If-Match is stale.'),
};
const outlineConflict = problemResponse(
  'The list does not name exactly the current modules / lessons (`missing`, `unknown`): reload and retry; or a limit or publishing rule (detail).',
);

/**
 * Modules and lessons of a course (tag `courses`): create, edit, move, delete, reorder. Only the
 * course's instructor and admins; students get 403, other instructors 404 on drafts and 403 on
 * published courses.
 */
export const courseOutlineRoutes: FastifyPluginAsyncTypebox<CourseOutlineRoutesOptions> = async (
  app,
  { outline },
) => {
  const ifMatchOf = (headers: { 'if-match'?: string }) => parseIfMatch(headers['if-match']);

  app.post(
    '/courses/:id/modules',
    {
      preHandler: app.authenticate,
      schema: {
        ...authenticated,
        operationId: 'createCourseModule',
        summary: 'Add a module',
        description: `Appends a module, or inserts it at \`position\` and shifts the following ones. ${STRUCTURE_NOTE}`,
        params: CourseParams,
        headers: IfMatchHeaders(false),
        body: CreateModuleBody,
        response: { 201: ModuleWriteResponse, ...errors, 409: outlineConflict },
      },
    },
    async (request, reply) => {
      const { result, courseVersion } = await outline.createModule(
        actorOf(request),
        request.params.id,
        request.body,
        ifMatchOf(request.headers),
      );
      reply.code(201);
      return { ...moduleView(result), courseVersion };
    },
  );

  app.put(
    '/courses/:id/modules/order',
    {
      preHandler: app.authenticate,
      schema: {
        ...authenticated,
        operationId: 'reorderCourseModules',
        summary: 'Reorder modules',
        description: `\`moduleIds\` must list every module of the course exactly once, in the new order: duplicates are 400; a list that does not match the course's current modules is 409 with \`missing\` and \`unknown\` ids. ${STRUCTURE_NOTE}`,
        params: CourseParams,
        headers: IfMatchHeaders(false),
        body: ModuleOrderBody,
        response: { 200: ModuleOrderResponse, ...errors, 409: outlineConflict },
      },
    },
    async (request) => {
      const { result, courseVersion } = await outline.reorderModules(
        actorOf(request),
        request.params.id,
        request.body.moduleIds,
        ifMatchOf(request.headers),
      );
      return { courseVersion, modules: result };
    },
  );

  app.patch(
    '/courses/:id/modules/:moduleId',
    {
      preHandler: app.authenticate,
      schema: {
        ...authenticated,
        operationId: 'updateCourseModule',
        summary: 'Edit a module',
        description: `Changes the title and/or description. ${STRUCTURE_NOTE}`,
        params: ModuleParams,
        headers: IfMatchHeaders(false),
        body: UpdateModuleBody,
        response: { 200: ModuleWriteResponse, ...errors },
      },
    },
    async (request) => {
      const { result, courseVersion } = await outline.updateModule(
        actorOf(request),
        request.params.id,
        request.params.moduleId,
        request.body,
        ifMatchOf(request.headers),
      );
      return { ...moduleView(result), courseVersion };
    },
  );

  app.delete(
    '/courses/:id/modules/:moduleId',
    {
      preHandler: app.authenticate,
      schema: {
        ...authenticated,
        operationId: 'deleteCourseModule',
        summary: 'Delete a module',
        description: `Deletes the module and its lessons and renumbers the remaining modules. A published or archived course must keep at least one lesson (409). ${STRUCTURE_NOTE}`,
        params: ModuleParams,
        headers: IfMatchHeaders(false),
        response: { 204: DeletedSchema, ...errors, 409: outlineConflict },
      },
    },
    async (request, reply) => {
      await outline.deleteModule(
        actorOf(request),
        request.params.id,
        request.params.moduleId,
        ifMatchOf(request.headers),
      );
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/courses/:id/modules/:moduleId/lessons',
    {
      preHandler: app.authenticate,
      schema: {
        ...authenticated,
        operationId: 'createCourseLesson',
        summary: 'Add a lesson',
        description: `Appends a lesson to the module, or inserts it at \`position\`.\n\n${LESSON_TYPES_DESCRIPTION}\n\n${STRUCTURE_NOTE}`,
        params: ModuleParams,
        headers: IfMatchHeaders(false),
        body: CreateLessonBody,
        response: { 201: LessonWriteResponse, ...errors, 409: outlineConflict },
      },
    },
    async (request, reply) => {
      const { result, courseVersion } = await outline.createLesson(
        actorOf(request),
        request.params.id,
        request.params.moduleId,
        request.body,
        ifMatchOf(request.headers),
      );
      reply.code(201);
      return { ...lessonView(result), courseVersion };
    },
  );

  app.put(
    '/courses/:id/modules/:moduleId/lessons/order',
    {
      preHandler: app.authenticate,
      schema: {
        ...authenticated,
        operationId: 'reorderModuleLessons',
        summary: 'Reorder the lessons of a module',
        description: `\`lessonIds\` must list every lesson of the module exactly once: duplicates are 400; a list that does not match the module's current lessons is 409 with \`missing\` and \`unknown\` ids. ${STRUCTURE_NOTE}`,
        params: ModuleParams,
        headers: IfMatchHeaders(false),
        body: LessonOrderBody,
        response: { 200: LessonOrderResponse, ...errors, 409: outlineConflict },
      },
    },
    async (request) => {
      const { result, courseVersion } = await outline.reorderLessons(
        actorOf(request),
        request.params.id,
        request.params.moduleId,
        request.body.lessonIds,
        ifMatchOf(request.headers),
      );
      return { courseVersion, lessons: result };
    },
  );

  app.patch(
    '/courses/:id/lessons/:lessonId',
    {
      preHandler: app.authenticate,
      schema: {
        ...authenticated,
        operationId: 'updateCourseLesson',
        summary: 'Edit or move a lesson',
        description: `Changes the given fields. \`moduleId\` moves the lesson to another module of the same course (appended unless \`position\` is given); \`position\` alone moves it within its module. Changing \`type\` requires the new type's fields; \`content\` is replaced as a whole.\n\n${LESSON_TYPES_DESCRIPTION}\n\n${STRUCTURE_NOTE}`,
        params: LessonParams,
        headers: IfMatchHeaders(false),
        body: UpdateLessonBody,
        response: { 200: LessonWriteResponse, ...errors, 409: outlineConflict },
      },
    },
    async (request) => {
      const { result, courseVersion } = await outline.updateLesson(
        actorOf(request),
        request.params.id,
        request.params.lessonId,
        request.body,
        ifMatchOf(request.headers),
      );
      return { ...lessonView(result), courseVersion };
    },
  );

  app.delete(
    '/courses/:id/lessons/:lessonId',
    {
      preHandler: app.authenticate,
      schema: {
        ...authenticated,
        operationId: 'deleteCourseLesson',
        summary: 'Delete a lesson',
        description: `Deletes the lesson and renumbers the rest of its module. A published or archived course must keep at least one lesson (409). ${STRUCTURE_NOTE}`,
        params: LessonParams,
        headers: IfMatchHeaders(false),
        response: { 204: DeletedSchema, ...errors, 409: outlineConflict },
      },
    },
    async (request, reply) => {
      await outline.deleteLesson(
        actorOf(request),
        request.params.id,
        request.params.lessonId,
        ifMatchOf(request.headers),
      );
      return reply.code(204).send(null);
    },
  );
};
