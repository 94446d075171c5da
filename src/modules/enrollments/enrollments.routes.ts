import { negotiate } from '@fastify/accept-negotiator';
import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { Compile } from 'typebox/compile';
import { actorOf } from '../../http/authenticate.js';
import { BEARER } from '../../http/openapi-security.js';
import { problemResponse } from '../../http/problem.js';
import { AppError } from '../../shared/errors.js';
import { validationFailed } from '../../shared/validation.js';
import type { BulkEnrolments } from './bulk-enrolment.js';
import { MAX_BULK_ROWS, parseEmailCsv } from './email-list.js';
import {
  BulkEnrolBody,
  BulkItemsQuery,
  BulkOperationParams,
  BulkOperationSchema,
  BulkOperationWithItemsSchema,
  CourseParams,
  EnrolBody,
  EnrollmentPageSchema,
  EnrollmentParams,
  EnrollmentSchema,
  IdempotencyHeaders,
  MyEnrollmentsQuery,
  RosterPageSchema,
  RosterQuery,
} from './enrollments.schemas.js';
import type { EnrollmentService } from './enrollments.service.js';
import type { Roster } from './roster.js';

export interface EnrollmentRoutesOptions {
  enrollments: EnrollmentService;
  bulk: BulkEnrolments;
  roster: Roster;
}

/**
 * The largest bulk enrolment body (JSON, CSV or multipart): 10,000 addresses of the longest kept
 * length (320) with their quotes and separators fit; the global BODY_LIMIT_BYTES does not apply here.
 */
export const BULK_BODY_LIMIT_BYTES = 4 * 1024 * 1024;

const isBulkJsonBody = Compile(BulkEnrolBody);

const mediaTypeOf = (request: FastifyRequest): string =>
  (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';

/** `?format=csv`, or no `format` and an Accept header that prefers text/csv to JSON. */
function wantsCsv(request: FastifyRequest, format: 'json' | 'csv' | undefined): boolean {
  if (format !== undefined) return format === 'csv';
  const accept = request.headers.accept;
  if (accept === undefined || !accept.toLowerCase().includes('text/csv')) return false;
  return negotiate(accept.toLowerCase(), ['application/json', 'text/csv']) === 'text/csv';
}

/** The address rows of a bulk enrolment request, whichever of the three forms it came in. */
async function bulkRows(request: FastifyRequest): Promise<string[]> {
  const mediaType = mediaTypeOf(request);
  if (mediaType === 'application/json') {
    if (!isBulkJsonBody.Check(request.body)) {
      throw validationFailed([{ field: '/body/emails', message: `must be 1 to ${MAX_BULK_ROWS} strings` }]);
    }
    return request.body.emails;
  }
  if (mediaType === 'text/csv' && typeof request.body === 'string') {
    return parseEmailCsv(request.body, '/body');
  }
  if (mediaType === 'multipart/form-data' && request.isMultipart()) {
    let text: string;
    try {
      const file = await request.file();
      if (!file)
        throw validationFailed([{ field: '/body/file', message: 'is missing: upload one CSV file' }]);
      text = (await file.toBuffer()).toString('utf8');
    } catch (error) {
      if (error instanceof AppError) throw error;
      if ((error as { statusCode?: number }).statusCode === 413) {
        throw new AppError('payload_too_large', `The file is larger than ${BULK_BODY_LIMIT_BYTES} bytes.`);
      }
      throw new AppError('bad_request', 'The multipart body could not be read: send one CSV file as `file`.');
    }
    return parseEmailCsv(text, '/body/file');
  }
  throw new AppError(
    'unsupported_media_type',
    'Send the addresses as application/json ({"emails": [...]}), text/csv, or a multipart/form-data CSV file.',
  );
}

export const ENROLLMENTS_TAGS = ['enrollments'];
export const unauthorized = problemResponse('No valid access token.');
const noSuchEnrollment = problemResponse(
  'No such enrollment, or not one the caller may see (only its learner, the course’s instructor and admins).',
);
const notStaff = problemResponse(
  'A student, or another instructor’s published course (only its instructor or an admin may do this).',
);

/**
 * Enrolment (tag `enrollments`): a learner enrols in a published free course, reads their
 * enrollments and drops them; the course's instructor or an admin may enrol and remove others.
 * Every answer is private (`Cache-Control: no-store`).
 */
export const enrollmentRoutes: FastifyPluginAsyncTypebox<EnrollmentRoutesOptions> = async (
  app,
  { enrollments, bulk, roster },
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
  app.get(
    '/courses/:id/enrollments',
    {
      preHandler: app.authenticate,
      schema: {
        tags: ENROLLMENTS_TAGS,
        operationId: 'listCourseRoster',
        summary: 'A course’s roster',
        description: [
          'The course’s learners for its instructor and admins: the student (id, name, email), status,',
          'progress %, enrolment, last activity; newest enrolment first, keyset pages, `status` filters.',
          'With `format=csv` (or `Accept: text/csv`), the whole filtered roster as a streamed CSV download',
          "(cells a spreadsheet would run as formulas are prefixed with `'`).",
        ].join(' '),
        params: CourseParams,
        querystring: RosterQuery,
        security: BEARER,
        response: {
          200: {
            description: 'A page of the roster, or with `format=csv` the whole of it as CSV.',
            content: {
              'application/json': { schema: RosterPageSchema },
              'text/csv': { schema: Type.String({ description: 'Header row, then one row per learner.' }) },
            },
          },
          400: problemResponse('A query parameter or the cursor is not valid.'),
          401: unauthorized,
          403: notStaff,
          404: problemResponse('No such course, or a draft or archived course of another instructor.'),
        },
      },
    },
    async (request, reply) => {
      const { limit, cursor, status, format } = request.query;
      if (wantsCsv(request, format)) {
        const csv = await roster.csv(actorOf(request), request.params.id, { status });
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${csv.filename}"`)
          .send(csv.stream);
      }
      return reply
        .type('application/json; charset=utf-8')
        .send(await roster.page(actorOf(request), request.params.id, { limit, cursor, status }));
    },
  );

  // Its own context: the multipart and text/csv parsers apply to this route only.
  const bulkRoute: FastifyPluginAsyncTypebox = async (scope) => {
    await scope.register(multipart, {
      limits: { files: 1, fileSize: BULK_BODY_LIMIT_BYTES, fields: 5, fieldSize: 1024, parts: 10 },
    });
    scope.addContentTypeParser('text/csv', { parseAs: 'string' }, (_request, body, done) => done(null, body));

    scope.post(
      '/courses/:id/enrollments/bulk',
      {
        preHandler: scope.authenticate,
        bodyLimit: BULK_BODY_LIMIT_BYTES,
        schema: {
          tags: ENROLLMENTS_TAGS,
          operationId: 'bulkEnrollInCourse',
          summary: 'Enrol learners in bulk',
          description: [
            `The course’s instructor or an admin enrols up to ${MAX_BULK_ROWS} learners by email: JSON`,
            '`{"emails": [...]}`, a `text/csv` body, or a `multipart/form-data` upload of a CSV file (field',
            '`file`); a CSV is one address per line, or has a header row with an `email` column. Answers 202',
            'with the bulk operation (`Location: /bulk-operations/{id}`); a background job then enrols the',
            'rows in chunks of 1,000, and `GET /bulk-operations/{id}` shows its progress and each row’s',
            'outcome (enrolled, reactivated, already_enrolled, unknown_email, invalid_email, duplicate,',
            'not_allowed). Paid courses are granted as staff enrolment grants them (no payment). Refusals',
            `write nothing: more than ${MAX_BULK_ROWS} rows or no rows 400; draft or unknown course 404;`,
            'archived 409 `course_archived`. `Idempotency-Key` as for single enrolment.',
          ].join(' '),
          params: CourseParams,
          headers: IdempotencyHeaders,
          body: {
            content: {
              'application/json': { schema: BulkEnrolBody },
              'text/csv': {
                schema: Type.String({
                  description: 'One address per line, or a header row with an `email` column.',
                  examples: ['email\nada@example.com\ngrace@example.com\n'],
                }),
              },
              'multipart/form-data': {
                schema: Type.Unsafe<unknown>({
                  description: 'One file part named `file` holding the CSV (at most 4 MiB).',
                }),
              },
            },
          },
          security: BEARER,
          response: {
            202: { ...BulkOperationSchema, description: 'Accepted: the operation, queued.' },
            400: problemResponse(`No rows, more than ${MAX_BULK_ROWS}, or a body that cannot be read.`),
            401: unauthorized,
            403: notStaff,
            404: problemResponse('No such published course (drafts do not exist for enrolment).'),
            409: problemResponse('`course_archived`.'),
            413: problemResponse('The body or file is larger than 4 MiB.'),
            415: problemResponse('Not JSON, CSV or a multipart upload.'),
            422: problemResponse('`idempotency_key_reused`: the key was used for a different request.'),
          },
        },
      },
      async (request, reply) => {
        const rows = await bulkRows(request);
        const answer = await bulk.request(actorOf(request), {
          courseId: request.params.id,
          rows,
          idempotencyKey: request.headers['idempotency-key'],
        });
        reply.header('location', `${app.prefix}/bulk-operations/${answer.body.id}`);
        if (answer.replayed) reply.header('idempotent-replayed', 'true');
        return reply.code(202).send(answer.body);
      },
    );
  };
  await app.register(bulkRoute);

  app.get(
    '/bulk-operations/:id',
    {
      preHandler: app.authenticate,
      schema: {
        tags: ENROLLMENTS_TAGS,
        operationId: 'getBulkOperation',
        summary: 'A bulk operation and its rows',
        description: [
          'State (queued → running → completed, or failed with `error`), processed of total, counts per',
          'outcome, and a keyset page of its rows in input order (`limit`, `cursor`, `outcome` filters).',
          'For its requester, the course’s instructor and admins; 404 for anyone else.',
        ].join(' '),
        params: BulkOperationParams,
        querystring: BulkItemsQuery,
        security: BEARER,
        response: {
          200: BulkOperationWithItemsSchema,
          400: problemResponse('A query parameter or the cursor is not valid.'),
          401: unauthorized,
          404: problemResponse('No such bulk operation, or not one the caller may see.'),
        },
      },
    },
    async (request) => {
      const { limit, cursor, outcome } = request.query;
      return bulk.get(actorOf(request), request.params.id, { limit, cursor, outcome });
    },
  );
};
