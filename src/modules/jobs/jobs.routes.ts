import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { actorOf } from '../../http/authenticate.js';
import { BEARER } from '../../http/openapi-security.js';
import { problemResponse } from '../../http/problem.js';
import { JobDetailSchema, JobIdParams, JobPageSchema, ListJobsQuery } from './jobs.schemas.js';
import type { JobsService } from './jobs.service.js';

export interface JobsRoutesOptions {
  jobs: JobsService;
}

const TAGS = ['jobs'];
const unauthorized = problemResponse('No valid access token.');
const adminOnly = problemResponse('The signed-in user is not an admin.');
const noSuchJob = problemResponse('No job with this id (completed jobs are deleted).');

/**
 * The background job queue for admins: what failed, what waits, what runs; and a failed job run
 * again. Responses are `no-store`: they change from one second to the next and carry payloads.
 */
export const jobsRoutes: FastifyPluginAsyncTypebox<JobsRoutesOptions> = async (app, { jobs }) => {
  app.addHook('onSend', (_request, reply, payload, done) => {
    reply.header('cache-control', 'no-store');
    done(null, payload);
  });

  app.get(
    '/admin/jobs',
    {
      preHandler: app.authenticate,
      schema: {
        tags: TAGS,
        operationId: 'listJobs',
        summary: 'List background jobs (admin)',
        description:
          'Jobs newest first, keyset-paginated, without their payloads. `state=failed` lists the jobs that used all ' +
          'their attempts (retry them one by one); `task` narrows to one task. Completed jobs are deleted, so they ' +
          'are not listed.',
        security: BEARER,
        querystring: ListJobsQuery,
        response: {
          200: JobPageSchema,
          400: problemResponse('A query parameter or the cursor is not valid.'),
          401: unauthorized,
          403: adminOnly,
        },
      },
    },
    async (request) => jobs.list(actorOf(request), request.query),
  );

  app.get(
    '/admin/jobs/:id',
    {
      preHandler: app.authenticate,
      schema: {
        tags: TAGS,
        operationId: 'getJob',
        summary: 'Get a background job (admin)',
        description: 'One job with its payload, dedupe key, queue and lock.',
        security: BEARER,
        params: JobIdParams,
        response: {
          200: JobDetailSchema,
          400: problemResponse('The id is not a job id.'),
          401: unauthorized,
          403: adminOnly,
          404: noSuchJob,
        },
      },
    },
    async (request) => jobs.get(actorOf(request), request.params.id),
  );

  app.post(
    '/admin/jobs/:id/retry',
    {
      preHandler: app.authenticate,
      schema: {
        tags: TAGS,
        operationId: 'retryJob',
        summary: 'Retry a failed background job (admin)',
        description:
          'A failed job (every attempt used) becomes due now with its attempts reset, and a worker picks it up at ' +
          'once. Jobs in any other state are refused with 409 `job_not_failed` (they will run anyway, or are running).',
        security: BEARER,
        params: JobIdParams,
        response: {
          200: JobDetailSchema,
          400: problemResponse('The id is not a job id.'),
          401: unauthorized,
          403: adminOnly,
          404: noSuchJob,
          409: problemResponse('The job has not failed (`job_not_failed`; `state` says what it is).'),
        },
      },
    },
    async (request) => jobs.retry(actorOf(request), request.params.id),
  );
};
