import { Type } from 'typebox';
import { PageSchema, PaginationQuery } from '../../http/pagination.js';
import { JOB_ID_PATTERN, JOB_STATES, LAST_ERROR_MAX_LENGTH } from './jobs.queries.js';

export const JobStateSchema = Type.Enum([...JOB_STATES], {
  description:
    'queued: due, waiting for a worker; scheduled: due later (a retry waiting for its backoff, or a run time ' +
    'in the future); running: locked by a worker (running, or fetched to run next); failed: used all its ' +
    'attempts and waits for an admin (`retry`).',
});

export const JobIdParams = Type.Object(
  { id: Type.String({ pattern: JOB_ID_PATTERN, description: 'The job id.' }) },
  { additionalProperties: false },
);

export const ListJobsQuery = Type.Object(
  {
    ...PaginationQuery,
    state: Type.Optional(JobStateSchema),
    task: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 128,
        description: 'Only jobs of this task, e.g. `auth.purge-expired-tokens` or `event:<subscriber>`.',
      }),
    ),
  },
  { additionalProperties: false },
);

const Timestamp = Type.String({ format: 'date-time' });
const NullableString = Type.Union([Type.String(), Type.Null()]);

const jobProperties = {
  id: Type.String({ pattern: JOB_ID_PATTERN }),
  task: Type.String({ description: 'The task the job runs.' }),
  state: JobStateSchema,
  attempts: Type.Integer({ minimum: 0, description: 'Attempts made so far.' }),
  maxAttempts: Type.Integer({ minimum: 1, description: 'Attempts before the job counts as failed.' }),
  lastError: Type.Union([Type.String(), Type.Null()], {
    description: `Why the last attempt failed: the error message, at most ${LAST_ERROR_MAX_LENGTH} characters, no stack trace.`,
  }),
  runAt: Type.String({
    format: 'date-time',
    description: 'When it runs next (after a failure: when its backoff ends).',
  }),
  createdAt: Timestamp,
};

const EXAMPLE_JOB = {
  id: '1042',
  task: 'auth.purge-expired-tokens',
  state: 'failed',
  attempts: 3,
  maxAttempts: 3,
  lastError: 'canceling statement due to statement timeout',
  runAt: '2026-12-01T10:17:20.085Z',
  createdAt: '2026-12-01T10:17:00.012Z',
} as const;

export const JobSchema = Type.Object(jobProperties, {
  additionalProperties: false,
  title: 'Job',
  description: 'A background job as the list shows it (no payload).',
  examples: [EXAMPLE_JOB],
});

export const JobDetailSchema = Type.Object(
  {
    ...jobProperties,
    payload: Type.Unknown({
      description: 'What the job carries (ids and small values; may name users): admins only.',
    }),
    key: Type.Union([Type.String(), Type.Null()], {
      description: 'Its dedupe key, if it was enqueued with one.',
    }),
    queueName: Type.Union([Type.String(), Type.Null()], {
      description: 'The serial queue it runs in, if any.',
    }),
    priority: Type.Integer({ description: 'Lower runs first.' }),
    lockedAt: Type.Union([Timestamp, Type.Null()], { description: 'When a worker took it (running).' }),
    lockedBy: NullableString,
    updatedAt: Timestamp,
  },
  {
    additionalProperties: false,
    title: 'JobDetail',
    description: 'A background job with its payload.',
    examples: [
      {
        ...EXAMPLE_JOB,
        payload: { _cron: { ts: '2026-12-01T10:17:00.000Z' } },
        key: 'cron:auth.purge-expired-tokens',
        queueName: null,
        priority: 0,
        lockedAt: null,
        lockedBy: null,
        updatedAt: '2026-12-01T10:17:12.712Z',
      },
    ],
  },
);

export const JobPageSchema = PageSchema(JobSchema, 'JobPage');
