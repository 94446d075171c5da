import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { actorOf } from '../../http/authenticate.js';
import { BEARER } from '../../http/openapi-security.js';
import { problemResponse } from '../../http/problem.js';
import { CourseParams, GradebookPageSchema, GradebookQuery, MyGradesSchema } from './gradebook.schemas.js';
import type { GradebookService } from './gradebook.service.js';

export interface GradebookRoutesOptions {
  gradebook: GradebookService;
}

const TAGS = ['gradebook'];
const unauthorized = problemResponse('No valid access token.');

/**
 * Gradebook (tag `gradebook`): a course's staff read its students × graded items, a student their
 * own grades. Every answer is private (`Cache-Control: no-store`).
 */
export const gradebookRoutes: FastifyPluginAsyncTypebox<GradebookRoutesOptions> = async (
  app,
  { gradebook },
) => {
  app.addHook('onSend', (_request, reply, payload, done) => {
    reply.header('cache-control', 'no-store');
    done(null, payload);
  });

  app.get(
    '/courses/:id/gradebook',
    {
      preHandler: app.authenticate,
      schema: {
        tags: TAGS,
        operationId: 'getCourseGradebook',
        summary: 'A course’s gradebook',
        description: [
          'For the course’s instructor and admins: keyset pages of its enrolled students (active and',
          'completed enrollments; `sort` by name or enrolment time) × every graded item (published quizzes',
          'other than surveys, published assignments; listed once in `items`). Each cell has the counted',
          'score (a quiz: its counted percent under the score policy × its points; an assignment: the latest',
          'graded attempt less its late penalty), late and missing flags; the total is weighted by points',
          '(sum of counted scores / sum of every item’s points). With `format=csv`, the whole gradebook as a',
          "streamed CSV download (cells a spreadsheet would run as formulas are prefixed with `'`).",
        ].join(' '),
        params: CourseParams,
        querystring: GradebookQuery,
        security: BEARER,
        response: {
          200: {
            description: 'A page of the gradebook, or with `format=csv` the whole of it as CSV.',
            content: {
              'application/json': { schema: GradebookPageSchema },
              'text/csv': {
                schema: Type.String({
                  description:
                    'Header row (student columns, one per item, totals), then one row per student.',
                }),
              },
            },
          },
          400: problemResponse('A query parameter or the cursor is not valid.'),
          401: unauthorized,
          403: problemResponse('A student, or another instructor’s published course.'),
          404: problemResponse('No such course, or a draft or archived course of another instructor.'),
        },
      },
    },
    async (request, reply) => {
      const { limit, cursor, sort, format } = request.query;
      if (format === 'csv') {
        const csv = await gradebook.csv(actorOf(request), request.params.id, sort);
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${csv.filename}"`)
          .send(csv.stream);
      }
      const page = await gradebook.page(
        actorOf(request),
        request.params.id,
        { limit, cursor, sort },
        (view) => reply.serializeInput(view, '200', 'application/json') as string,
      );
      return reply.type('application/json; charset=utf-8').send(page);
    },
  );

  app.get(
    '/me/courses/:id/grades',
    {
      preHandler: app.authenticate,
      schema: {
        tags: TAGS,
        operationId: 'getMyCourseGrades',
        summary: 'My grades in a course',
        description: [
          'The caller’s own row of the course’s gradebook, with each graded item’s details (points, passing',
          'score, due date or window, required) and their cell, and the weighted total. Needs an enrollment',
          'that grants access (active or completed, not expired): a course the caller cannot see is 404, one',
          'they can see but do not learn in 403 `not_enrolled`.',
        ].join(' '),
        params: CourseParams,
        security: BEARER,
        response: {
          200: MyGradesSchema,
          401: unauthorized,
          403: problemResponse('`not_enrolled`: no enrollment that grants access (dropped, expired, none).'),
          404: problemResponse('No such course (drafts and archived courses without an enrollment too).'),
        },
      },
    },
    async (request) => gradebook.mine(actorOf(request), request.params.id),
  );
};
