import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { Compile } from 'typebox/compile';
import { actorOf } from '../../http/authenticate.js';
import { errorResponses } from '../../http/error-responses.js';
import { BEARER } from '../../http/openapi-security.js';
import { problemResponse } from '../../http/problem.js';
import { AppError } from '../../shared/errors.js';
import { validationFailed } from '../../shared/validation.js';
import { ASSIGNMENTS_TAGS } from './assignments.routes.js';
import {
  AssignmentParams,
  GradeBody,
  GradeHistorySchema,
  IfMatchHeaders,
  JsonSubmissionBody,
  MAX_CONTENT_LENGTH,
  MAX_FILE_SIZE_BYTES,
  MAX_FILES_PER_SUBMISSION,
  ReleasedGradesSchema,
  SubmissionFileParams,
  SubmissionListQuery,
  SubmissionPageSchema,
  SubmissionParams,
  SubmissionSchema,
} from './assignments.schemas.js';
import { gradeETag } from './grade-version.js';
import type { GradingService } from './grading.service.js';
import type { SubmissionPart, SubmissionsService } from './submissions.service.js';

export interface SubmissionRoutesOptions {
  submissions: SubmissionsService;
  grading: GradingService;
}

const isJsonSubmission = Compile(JsonSubmissionBody);
const noSuchSubmission = problemResponse(
  'No such submission, or not one the caller may see (its student, the course’s instructor and admins).',
);
const notStaff = problemResponse(
  'Its own student, or another instructor’s published course: only the course’s instructor or an admin grades.',
);

const mediaTypeOf = (request: FastifyRequest): string =>
  (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';

/** The multipart parts as the service reads them; errors of the multipart reader become problems. */
async function* partsOf(request: FastifyRequest): AsyncGenerator<SubmissionPart> {
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') yield { kind: 'file', filename: part.filename, stream: part.file };
      else yield { kind: 'field', name: part.fieldname, value: String(part.value) };
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    const code = (error as { code?: string }).code;
    if (code === 'FST_FILES_LIMIT') {
      throw validationFailed([
        { field: '/body/files', message: `at most ${MAX_FILES_PER_SUBMISSION} files` },
      ]);
    }
    if ((error as { statusCode?: number }).statusCode === 413) {
      throw new AppError('payload_too_large', 'A part of the upload is larger than the server accepts.');
    }
    throw new AppError('bad_request', 'The multipart body could not be read.');
  }
}

/** `attachment; filename="…"` with an ASCII fallback and the exact name as RFC 5987 `filename*`. */
function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

/**
 * Submissions and grading (tag `assignments`): a student hands in work (JSON or multipart), reads it
 * back and downloads its files; the course's staff list, read and grade it. Private answers (`no-store`).
 */
export const submissionRoutes: FastifyPluginAsyncTypebox<SubmissionRoutesOptions> = async (
  app,
  { submissions, grading },
) => {
  app.addHook('onSend', (_request, reply, payload, done) => {
    reply.header('cache-control', 'no-store');
    done(null, payload);
  });

  // Its own context: the multipart parser applies to this route only.
  const submitRoute: FastifyPluginAsyncTypebox = async (scope) => {
    await scope.register(multipart, {
      // Per-assignment limits are checked while streaming (upload-check.ts); these are the outer bounds.
      limits: {
        files: MAX_FILES_PER_SUBMISSION,
        fileSize: MAX_FILE_SIZE_BYTES,
        fields: 25,
        fieldSize: MAX_CONTENT_LENGTH * 4,
        parts: MAX_FILES_PER_SUBMISSION + 25,
      },
    });
    scope.post(
      '/assignments/:id/submissions',
      {
        preHandler: scope.authenticate,
        schema: {
          tags: ASSIGNMENTS_TAGS,
          operationId: 'submitAssignment',
          summary: 'Hand in work',
          description: [
            'An actively enrolled student submits to a published assignment: `application/json` with `content`',
            `and/or \`links\`, or \`multipart/form-data\` with a \`content\` field and up to ${MAX_FILES_PER_SUBMISSION} files.`,
            'Each file must have an allowed extension and content that matches it (sniffed; txt, md and csv must',
            'be UTF-8 text without NUL bytes), and be at most the assignment’s maxFileSizeBytes: else 422',
            '`file_type_not_allowed` or 413 `file_too_large`, and nothing is stored. Resubmission makes a new',
            'attempt until one is graded (409 `already_graded`) or maxAttempts is used (409',
            '`attempt_limit_reached`). After dueAt: late, with the penalty computed here (started days late ×',
            'latePenaltyPercent, at most latePenaltyMaxPercent), or 409 `past_due` when late work is refused.',
          ].join(' '),
          security: BEARER,
          params: AssignmentParams,
          body: {
            content: {
              'application/json': { schema: JsonSubmissionBody },
              'multipart/form-data': {
                schema: Type.Unsafe<unknown>({
                  description:
                    'A `content` text field, `links` fields (up to 20 http or https URLs) and file parts (any field name, e.g. `files`).',
                }),
              },
            },
          },
          response: {
            201: SubmissionSchema,
            ...errorResponses(400, 401),
            403: problemResponse(
              '`not_enrolled` (no active enrollment), or the course’s staff (they grade).',
            ),
            404: problemResponse('No such published assignment.'),
            409: problemResponse('`past_due`, `already_graded` or `attempt_limit_reached`.'),
            413: problemResponse('`file_too_large`: a file is over the assignment’s limit.'),
            415: problemResponse('Not JSON or multipart.'),
            422: problemResponse('`file_type_not_allowed`: a file’s extension or content is not accepted.'),
          },
        },
      },
      async (request, reply) => {
        const actor = actorOf(request);
        const mediaType = mediaTypeOf(request);
        let created: Awaited<ReturnType<SubmissionsService['submitJson']>>;
        if (mediaType === 'multipart/form-data' && request.isMultipart()) {
          created = await submissions.submitParts(actor, request.params.id, () => partsOf(request));
        } else if (mediaType === 'application/json' && isJsonSubmission.Check(request.body)) {
          created = await submissions.submitJson(actor, request.params.id, request.body);
        } else {
          throw new AppError('unsupported_media_type', 'Send application/json or multipart/form-data.');
        }
        reply.header('location', `${app.prefix}/assignment-submissions/${created.id}`);
        return reply.code(201).send(created);
      },
    );
  };
  await app.register(submitRoute);

  app.get(
    '/assignments/:id/submissions',
    {
      preHandler: app.authenticate,
      schema: {
        tags: ASSIGNMENTS_TAGS,
        operationId: 'listAssignmentSubmissions',
        summary: 'Submissions of an assignment',
        description:
          'Keyset pages, newest first; `status` filters by grading status. The course’s staff see every submission, a student their own.',
        security: BEARER,
        params: AssignmentParams,
        querystring: SubmissionListQuery,
        response: {
          200: SubmissionPageSchema,
          ...errorResponses(400, 401),
          403: problemResponse('`not_enrolled`.'),
          404: problemResponse('No such assignment, or not one the caller may see.'),
        },
      },
    },
    async (request) => submissions.list(actorOf(request), request.params.id, request.query),
  );

  app.get(
    '/assignment-submissions/:id',
    {
      preHandler: app.authenticate,
      schema: {
        tags: ASSIGNMENTS_TAGS,
        operationId: 'getAssignmentSubmission',
        summary: 'One submission',
        description:
          'Its student, the course’s instructor and admins; 404 for anyone else. `ETag` is the grade version.',
        security: BEARER,
        params: SubmissionParams,
        response: { 200: SubmissionSchema, ...errorResponses(400, 401), 404: noSuchSubmission },
      },
    },
    async (request, reply) => {
      const view = await submissions.get(actorOf(request), request.params.id);
      reply.header('etag', gradeETag(view.gradeVersion));
      return view;
    },
  );

  app.get(
    '/assignment-submissions/:id/files/:index',
    {
      preHandler: app.authenticate,
      schema: {
        tags: ASSIGNMENTS_TAGS,
        operationId: 'downloadAssignmentSubmissionFile',
        summary: 'Download a submitted file',
        description:
          'Streams the stored file with its checked content type, as an attachment. Who may see the submission only (404 otherwise); a link is not a file (409 `not_a_file`).',
        security: BEARER,
        params: SubmissionFileParams,
        response: {
          200: {
            description: 'The file’s bytes.',
            content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
          },
          ...errorResponses(400, 401),
          404: noSuchSubmission,
          409: problemResponse('`not_a_file`: that attachment is a link.'),
        },
      },
    },
    async (request, reply) => {
      const file = await submissions.file(actorOf(request), request.params.id, request.params.index);
      reply.header('content-disposition', contentDisposition(file.filename));
      reply.header('content-length', file.size);
      reply.header('x-content-type-options', 'nosniff');
      reply.type(file.contentType);
      return reply.send(file.body);
    },
  );

  app.post(
    '/assignment-submissions/:id/grade',
    {
      preHandler: app.authenticate,
      schema: {
        tags: ASSIGNMENTS_TAGS,
        operationId: 'gradeAssignmentSubmission',
        summary: 'Grade (or re-grade) a submission',
        description: [
          'The course’s instructor or an admin: `score` (0 to maxPoints) or `rubric` (one level per criterion;',
          'their points make the score), `feedback`, `status`: `in_review` saves a draft (the student sees only',
          'that it is in review; not counted; no notification; 409 `grade_released` once a grade was released),',
          '`graded` or `returned` release it. Once the submission has a grade, `If-Match` must carry its ETag',
          '(`"<gradeVersion>"`): without it 428, stale 412 `grade_conflict` with `currentGrade` in the problem.',
          'Each grading is kept in the grade history, a released one notifies the student, and the answer’s',
          '`ETag` is the new version.',
        ].join(' '),
        security: BEARER,
        params: SubmissionParams,
        headers: IfMatchHeaders,
        body: GradeBody,
        response: {
          200: SubmissionSchema,
          ...errorResponses(400, 401),
          403: notStaff,
          404: noSuchSubmission,
          412: problemResponse('`grade_conflict` (with `currentGrade`), or an If-Match that is not an ETag.'),
          428: problemResponse('`precondition_required`: re-grading needs If-Match.'),
        },
      },
    },
    async (request, reply) => {
      const view = await grading.grade(
        actorOf(request),
        request.params.id,
        request.body,
        request.headers['if-match'],
      );
      reply.header('etag', gradeETag(view.gradeVersion));
      return view;
    },
  );

  app.get(
    '/assignment-submissions/:id/grade-history',
    {
      preHandler: app.authenticate,
      schema: {
        tags: ASSIGNMENTS_TAGS,
        operationId: 'getAssignmentSubmissionGradeHistory',
        summary: 'Every grading of a submission',
        description:
          'Oldest first: who, when, old and new grade and status, feedback. The course’s staff only.',
        security: BEARER,
        params: SubmissionParams,
        response: {
          200: GradeHistorySchema,
          ...errorResponses(400, 401),
          403: notStaff,
          404: noSuchSubmission,
        },
      },
    },
    async (request) => grading.history(actorOf(request), request.params.id),
  );

  app.post(
    '/assignments/:id/grades/release',
    {
      preHandler: app.authenticate,
      schema: {
        tags: ASSIGNMENTS_TAGS,
        operationId: 'releaseAssignmentDraftGrades',
        summary: 'Release every draft grade of an assignment',
        description: [
          'The course’s instructor or an admin: every submission graded `in_review` (a draft) becomes `graded`',
          'with its draft’s score and feedback, in one transaction: each gets a history row, a new version and',
          'graded-at time, and its student is notified. Nothing to release answers `released: 0`.',
        ].join(' '),
        security: BEARER,
        params: AssignmentParams,
        response: {
          200: ReleasedGradesSchema,
          ...errorResponses(400, 401),
          403: problemResponse('A student, or another instructor’s published course.'),
          404: problemResponse('No such assignment, or a draft course of another instructor.'),
        },
      },
    },
    async (request) => grading.releaseDrafts(actorOf(request), request.params.id),
  );
};
