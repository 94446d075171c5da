import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { actorOf } from '../../http/authenticate.js';
import { errorResponses } from '../../http/error-responses.js';
import { BEARER } from '../../http/openapi-security.js';
import { problemResponse } from '../../http/problem.js';
import {
  AssignmentListQuery,
  AssignmentPageSchema,
  AssignmentParams,
  AssignmentSchema,
  CourseParams,
  CreateAssignmentBody,
  RubricBody,
  RubricSchema,
  UpdateAssignmentBody,
} from './assignments.schemas.js';
import type { AssignmentsService } from './assignments.service.js';

export interface AssignmentRoutesOptions {
  assignments: AssignmentsService;
}

export const ASSIGNMENTS_TAGS = ['assignments'];
const Deleted = Type.Null({ description: 'Deleted.' });
const noSuchAssignment = problemResponse(
  'No such assignment, or not one the caller may see (unpublished ones exist for the course’s staff only).',
);
const notStaff = problemResponse(
  'A student, or another instructor’s published course: only its instructor or an admin may do this.',
);
const notEnrolled = problemResponse(
  '`not_enrolled`: the course is published but the caller is not enrolled in it.',
);

/**
 * Assignments and their rubrics (tag `assignments`): authoring by the course's instructor and admins,
 * reading by them and by enrolled students (published assignments only). Answers are private
 * (`Cache-Control: no-store`).
 */
export const assignmentRoutes: FastifyPluginAsyncTypebox<AssignmentRoutesOptions> = async (
  app,
  { assignments },
) => {
  app.addHook('onSend', (_request, reply, payload, done) => {
    reply.header('cache-control', 'no-store');
    done(null, payload);
  });

  app.post(
    '/courses/:id/assignments',
    {
      preHandler: app.authenticate,
      schema: {
        tags: ASSIGNMENTS_TAGS,
        operationId: 'createAssignment',
        summary: 'Create an assignment (unpublished)',
        description: [
          'The course’s instructor or an admin adds an assignment: instructions, due date, max points, the late',
          'policy (allowLate with latePenaltyPercent per started day late up to latePenaltyMaxPercent, or',
          'refused after dueAt), allowed file types (extensions, checked against the content) and a size limit',
          'per file, max attempts, whether the course’s completion requires it and its passing score, and a',
          'lesson of the course. Students see it once published.',
        ].join(' '),
        security: BEARER,
        params: CourseParams,
        body: CreateAssignmentBody,
        response: {
          201: AssignmentSchema,
          ...errorResponses(400, 401),
          403: notStaff,
          404: problemResponse('No such course (drafts exist for their authors only).'),
        },
      },
    },
    async (request, reply) => {
      const created = await assignments.create(actorOf(request), request.params.id, request.body);
      reply.header('location', `${app.prefix}/assignments/${created.id}`);
      return reply.code(201).send(created);
    },
  );

  app.get(
    '/courses/:id/assignments',
    {
      preHandler: app.authenticate,
      schema: {
        tags: ASSIGNMENTS_TAGS,
        operationId: 'listCourseAssignments',
        summary: 'A course’s assignments',
        description:
          'Keyset pages, oldest first. The course’s staff see every assignment; enrolled students the published ones.',
        security: BEARER,
        params: CourseParams,
        querystring: AssignmentListQuery,
        response: {
          200: AssignmentPageSchema,
          ...errorResponses(400, 401),
          403: notEnrolled,
          404: problemResponse('No such course, or a draft the caller does not author.'),
        },
      },
    },
    async (request) => assignments.list(actorOf(request), request.params.id, request.query),
  );

  app.get(
    '/assignments/:id',
    {
      preHandler: app.authenticate,
      schema: {
        tags: ASSIGNMENTS_TAGS,
        operationId: 'getAssignment',
        summary: 'One assignment',
        description: 'The course’s staff, and enrolled students once it is published.',
        security: BEARER,
        params: AssignmentParams,
        response: {
          200: AssignmentSchema,
          ...errorResponses(400, 401),
          403: notEnrolled,
          404: noSuchAssignment,
        },
      },
    },
    async (request) => assignments.get(actorOf(request), request.params.id),
  );

  app.patch(
    '/assignments/:id',
    {
      preHandler: app.authenticate,
      schema: {
        tags: ASSIGNMENTS_TAGS,
        operationId: 'updateAssignment',
        summary: 'Change an assignment',
        description:
          'Any of the creation fields. A new due date clears the due-reminder mark (the reminder goes out again, 24 h before the new date). Submissions already made keep the late penalty fixed when they arrived.',
        security: BEARER,
        params: AssignmentParams,
        body: UpdateAssignmentBody,
        response: {
          200: AssignmentSchema,
          ...errorResponses(400, 401),
          403: notStaff,
          404: noSuchAssignment,
        },
      },
    },
    async (request) => assignments.update(actorOf(request), request.params.id, request.body),
  );

  app.delete(
    '/assignments/:id',
    {
      preHandler: app.authenticate,
      schema: {
        tags: ASSIGNMENTS_TAGS,
        operationId: 'deleteAssignment',
        summary: 'Delete an assignment without submissions',
        description:
          'Refused with 409 `assignment_has_submissions` once anyone submitted (their work and grades stay): unpublish it instead.',
        security: BEARER,
        params: AssignmentParams,
        response: {
          204: Deleted,
          ...errorResponses(400, 401),
          403: notStaff,
          404: noSuchAssignment,
          409: problemResponse('`assignment_has_submissions`.'),
        },
      },
    },
    async (request, reply) => {
      await assignments.remove(actorOf(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  for (const [action, isPublished] of [
    ['publish', true],
    ['unpublish', false],
  ] as const) {
    app.post(
      `/assignments/:id/${action}`,
      {
        preHandler: app.authenticate,
        schema: {
          tags: ASSIGNMENTS_TAGS,
          operationId: `${action}Assignment`,
          summary: isPublished ? 'Publish an assignment' : 'Unpublish an assignment',
          description: isPublished
            ? 'Enrolled students can see and submit it. Publishing a published one changes nothing.'
            : 'Students no longer see it or submit; submissions and grades stay.',
          security: BEARER,
          params: AssignmentParams,
          response: {
            200: AssignmentSchema,
            ...errorResponses(400, 401),
            403: notStaff,
            404: noSuchAssignment,
          },
        },
      },
      async (request) => assignments.setPublished(actorOf(request), request.params.id, isPublished),
    );
  }

  app.put(
    '/assignments/:id/rubric',
    {
      preHandler: app.authenticate,
      schema: {
        tags: ASSIGNMENTS_TAGS,
        operationId: 'replaceAssignmentRubric',
        summary: 'Set the assignment’s rubric',
        description: [
          'Replaces every criterion and level in one transaction (order as given). The best levels may add up',
          'to at most the assignment’s maxPoints (400 otherwise). Refused with 409 `rubric_in_use` once a',
          'submission was graded with the rubric: its assessments refer to these levels.',
        ].join(' '),
        security: BEARER,
        params: AssignmentParams,
        body: RubricBody,
        response: {
          200: RubricSchema,
          ...errorResponses(400, 401),
          403: notStaff,
          404: noSuchAssignment,
          409: problemResponse('`rubric_in_use`.'),
        },
      },
    },
    async (request) => assignments.replaceRubric(actorOf(request), request.params.id, request.body),
  );

  app.get(
    '/assignments/:id/rubric',
    {
      preHandler: app.authenticate,
      schema: {
        tags: ASSIGNMENTS_TAGS,
        operationId: 'getAssignmentRubric',
        summary: 'The assignment’s rubric',
        description:
          'The course’s staff, and enrolled students once the assignment is published. 404 when it has none.',
        security: BEARER,
        params: AssignmentParams,
        response: { 200: RubricSchema, ...errorResponses(400, 401), 403: notEnrolled, 404: noSuchAssignment },
      },
    },
    async (request) => assignments.rubric(actorOf(request), request.params.id),
  );

  app.delete(
    '/assignments/:id/rubric',
    {
      preHandler: app.authenticate,
      schema: {
        tags: ASSIGNMENTS_TAGS,
        operationId: 'deleteAssignmentRubric',
        summary: 'Remove the assignment’s rubric',
        description: 'Refused with 409 `rubric_in_use` once a submission was graded with it.',
        security: BEARER,
        params: AssignmentParams,
        response: {
          204: Deleted,
          ...errorResponses(400, 401),
          403: notStaff,
          404: noSuchAssignment,
          409: problemResponse('`rubric_in_use`.'),
        },
      },
    },
    async (request, reply) => {
      await assignments.deleteRubric(actorOf(request), request.params.id);
      return reply.code(204).send(null);
    },
  );
};
