import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { actorOf } from '../../http/authenticate.js';
import { BEARER } from '../../http/openapi-security.js';
import { problemResponse } from '../../http/problem.js';
import {
  LearnerCourseParams,
  LearnerCourseSchema,
  LessonProgressParams,
  LessonProgressSchema,
  MAX_TIME_SPENT_PER_CALL_SECONDS,
  UpdateProgressBody,
} from './progress.schemas.js';
import type { ProgressService } from './progress.service.js';

export interface ProgressRoutesOptions {
  progress: ProgressService;
}

const TAGS = ['progress'];
const unauthorized = problemResponse('No valid access token.');

/**
 * The learner's side of a course (tag `progress`): their view of an enrolled course and their
 * lesson progress. Every response is the caller's own (`no-store`).
 */
export const progressRoutes: FastifyPluginAsyncTypebox<ProgressRoutesOptions> = async (app, { progress }) => {
  app.addHook('onSend', (_request, reply, payload, done) => {
    reply.header('cache-control', 'no-store');
    done(null, payload);
  });

  app.get(
    '/me/courses/:id',
    {
      preHandler: app.authenticate,
      schema: {
        tags: TAGS,
        operationId: 'getMyCourse',
        summary: 'My view of a course I am enrolled in',
        description: [
          'The outline in order with my status, resume point and time on each lesson, whether each module is',
          'locked and why (sequential courses: a module unlocks once every required lesson of the modules before',
          'it is completed), my progress and the next lesson to take. For an active or completed enrollment that',
          'has not expired. A course I cannot see is 404; a course I can see but am not enrolled in (never,',
          'dropped, expired) is 403 `not_enrolled`.',
        ].join(' '),
        security: BEARER,
        params: LearnerCourseParams,
        response: {
          200: LearnerCourseSchema,
          401: unauthorized,
          403: problemResponse(
            '`not_enrolled`: no active or completed enrollment in this course (`enrollmentStatus` says which).',
          ),
          404: problemResponse('No such course, or one the caller cannot see.'),
        },
      },
    },
    async (request, reply) => {
      const payload = await progress.getLearnerCourse(
        actorOf(request),
        request.params.id,
        (view) => reply.serialize(view) as string,
      );
      reply.type('application/json; charset=utf-8');
      return payload;
    },
  );

  app.put(
    '/me/lessons/:lessonId/progress',
    {
      preHandler: app.authenticate,
      schema: {
        tags: TAGS,
        operationId: 'updateMyLessonProgress',
        summary: 'Record my progress on a lesson',
        description: [
          'Creates or updates my progress on the lesson: `status` (`completed` is final: a completed lesson never',
          'goes back), the resume point, and the time spent since my previous call (a delta: at most',
          `${MAX_TIME_SPENT_PER_CALL_SECONDS} s count per call, and never more than the time since the previous`,
          'call). The enrollment’s progress, time and last access change in the same transaction; completing the',
          'last required lesson completes the enrollment (once). 403 `not_enrolled` without an active or completed',
          'enrollment in the lesson’s course; 403 `lesson_locked` in a locked module (`requires` lists the lessons',
          'to complete first). Nothing is written when refused.',
        ].join(' '),
        security: BEARER,
        params: LessonProgressParams,
        body: UpdateProgressBody,
        response: {
          200: LessonProgressSchema,
          400: problemResponse('A field is not valid (each is listed in `errors`).'),
          401: unauthorized,
          403: problemResponse(
            '`not_enrolled`: no active or completed enrollment in the lesson’s course; `lesson_locked`: its module is locked (`requires`, `remainingRequiredLessons`).',
          ),
          404: problemResponse('No such lesson, or one in a course the caller cannot see.'),
        },
      },
    },
    async (request) => progress.recordProgress(actorOf(request), request.params.lessonId, request.body),
  );
};
