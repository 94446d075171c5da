import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { actorOf } from '../../http/authenticate.js';
import { BEARER } from '../../http/openapi-security.js';
import { problemResponse } from '../../http/problem.js';
import {
  CourseParams,
  EnrolBody,
  EnrollmentPageSchema,
  EnrollmentParams,
  EnrollmentSchema,
  IdempotencyHeaders,
  MyEnrollmentsQuery,
} from './enrollments.schemas.js';
import type { EnrollmentService } from './enrollments.service.js';

export interface EnrollmentRoutesOptions {
  enrollments: EnrollmentService;
}

export const ENROLLMENTS_TAGS = ['enrollments'];
export const unauthorized = problemResponse('No valid access token.');
const noSuchEnrollment = problemResponse(
  'No such enrollment, or not one the caller may see (only its learner, the course’s instructor and admins).',
);

/**
 * Enrolment (tag `enrollments`): a learner enrols in a published free course, reads their
 * enrollments and drops them; the course's instructor or an admin may enrol and remove others.
 * Every answer is private (`Cache-Control: no-store`).
 */
export const enrollmentRoutes: FastifyPluginAsyncTypebox<EnrollmentRoutesOptions> = async (
  app,
  { enrollments },
) => {
  app.addHook('onSend', (_request, reply, payload, done) => {
    reply.header('cache-control', 'no-store');
    done(null, payload);
  });

  app.post(
    '/courses/:id/enrollments',
    {
      preHandler: app.authenticate,
      schema: {
        tags: ENROLLMENTS_TAGS,
        operationId: 'enrollInCourse',
        summary: 'Enrol in a course',
        description: [
          'Enrols the caller in a published course: 201 with the new enrollment (and `Location`). Already',
          'enrolled (active or completed): 200 with that enrollment, nothing changes, also under concurrent',
          'requests (one row per learner and course). A dropped or expired enrollment is reactivated with its',
          'progress (200). With `Idempotency-Key`, a retry gets the first answer again; the key reused for',
          'another request is 422 `idempotency_key_reused`. Refusals write nothing: draft or unknown course',
          '404; archived 409 `course_archived`; a paid course 402 `payment_required` (enrolment then comes',
          'from a confirmed payment); prerequisite courses not completed 409 `prerequisites_not_met` with',
          '`prerequisites` listing them. The course’s instructor or an admin may enrol another user with',
          '`userId` (also in a paid course). `expiresAt` follows the course’s `accessDurationDays`.',
        ].join(' '),
        params: CourseParams,
        headers: IdempotencyHeaders,
        body: EnrolBody,
        security: BEARER,
        response: {
          200: { ...EnrollmentSchema, description: 'Already enrolled, or enrolled again (reactivated).' },
          201: { ...EnrollmentSchema, description: 'Enrolled.' },
          400: problemResponse('A field is not valid, or `userId` is not an active user.'),
          401: unauthorized,
          402: problemResponse('`payment_required`: the course is paid (`priceCents` in the problem).'),
          403: problemResponse('`userId` names someone else and the caller is not the course’s staff.'),
          404: problemResponse('No such published course (drafts do not exist for enrolment).'),
          409: problemResponse('`course_archived`, or `prerequisites_not_met` (with `prerequisites`).'),
          422: problemResponse('`idempotency_key_reused`: the key was used for a different request.'),
        },
      },
    },
    async (request, reply) => {
      const answer = await enrollments.enrol(actorOf(request), {
        courseId: request.params.id,
        userId: request.body?.userId,
        idempotencyKey: request.headers['idempotency-key'],
      });
      if (answer.status === 201) reply.header('location', `${app.prefix}/enrollments/${answer.body.id}`);
      if (answer.replayed) reply.header('idempotent-replayed', 'true');
      return reply.code(answer.status === 201 ? 201 : 200).send(answer.body);
    },
  );

  app.get(
    '/me/enrollments',
    {
      preHandler: app.authenticate,
      schema: {
        tags: ENROLLMENTS_TAGS,
        operationId: 'listMyEnrollments',
        summary: 'My enrollments',
        description:
          'The caller’s enrollments with course title, progress %, last access and the next lesson to take; never-opened ones first, then the most recently used. Keyset pages; `status` filters.',
        querystring: MyEnrollmentsQuery,
        security: BEARER,
        response: {
          200: EnrollmentPageSchema,
          400: problemResponse('A query parameter or the cursor is not valid.'),
          401: unauthorized,
        },
      },
    },
    async (request, reply) => {
      const { limit, cursor, status } = request.query;
      const payload = await enrollments.listMine(
        actorOf(request),
        { limit, cursor, status },
        (page) => reply.serialize(page) as string,
      );
      reply.type('application/json; charset=utf-8');
      return payload;
    },
  );

  app.get(
    '/enrollments/:id',
    {
      preHandler: app.authenticate,
      schema: {
        tags: ENROLLMENTS_TAGS,
        operationId: 'getEnrollment',
        summary: 'An enrollment',
        description: 'For its learner, the course’s instructor and admins; 404 for anyone else.',
        params: EnrollmentParams,
        security: BEARER,
        response: { 200: EnrollmentSchema, 401: unauthorized, 404: noSuchEnrollment },
      },
    },
    async (request) => enrollments.get(actorOf(request), request.params.id),
  );

  app.post(
    '/enrollments/:id/drop',
    {
      preHandler: app.authenticate,
      schema: {
        tags: ENROLLMENTS_TAGS,
        operationId: 'dropEnrollment',
        summary: 'Drop an enrollment',
        description: [
          'The learner leaves the course, or its instructor or an admin removes them: the enrollment becomes',
          '`dropped` (its progress is kept; enrolling again reactivates it). Dropping a dropped enrollment',
          'answers it unchanged; a completed or expired one is 409.',
        ].join(' '),
        params: EnrollmentParams,
        security: BEARER,
        response: {
          200: EnrollmentSchema,
          401: unauthorized,
          404: noSuchEnrollment,
          409: problemResponse('The enrollment is completed or expired.'),
        },
      },
    },
    async (request) => enrollments.drop(actorOf(request), request.params.id),
  );
};
