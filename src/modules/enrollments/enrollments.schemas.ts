import { Type } from 'typebox';
import { PageSchema, PaginationQuery } from '../../http/pagination.js';
import {
  bulkOperationStateEnum,
  courseStatusEnum,
  enrollmentStatusEnum,
} from '../../infrastructure/database/schema/index.js';
import { MAX_BULK_INPUT_LENGTH, MAX_BULK_ROWS } from './email-list.js';

const uuid = (description?: string) => Type.String({ format: 'uuid', description });
const dateTime = (description?: string) => Type.String({ format: 'date-time', description });
const nullableDateTime = (description?: string) =>
  Type.Unsafe<string | null>({ type: ['string', 'null'], format: 'date-time', description });
const statusField = Type.Enum(enrollmentStatusEnum.enumValues, {
  description: 'active (learning), completed, dropped (left; can re-enrol), expired (access window over).',
});

// ---------------------------------------------------------------------------------------------
// Responses

export const EnrollmentSchema = Type.Object(
  {
    id: uuid(),
    userId: uuid('The learner.'),
    courseId: uuid(),
    status: statusField,
    enrolledAt: dateTime('First enrolment.'),
    expiresAt: nullableDateTime('When access ends (the course’s access duration); null: never.'),
    completedAt: nullableDateTime(),
    droppedAt: nullableDateTime(),
    lastAccessedAt: nullableDateTime('Last lesson activity; null until the first.'),
    progressPercent: Type.Integer({
      minimum: 0,
      maximum: 100,
      description: 'Required lessons completed, in %.',
    }),
    completedLessonCount: Type.Integer({ minimum: 0 }),
    timeSpentSeconds: Type.Integer({ minimum: 0 }),
    enrolledBy: Type.Unsafe<string | null>({
      type: ['string', 'null'],
      format: 'uuid',
      description:
        'Who enrolled the learner when it was not the learner (instructor, admin, bulk enrolment).',
    }),
    course: Type.Object(
      {
        id: uuid(),
        slug: Type.String(),
        title: Type.String(),
        status: Type.Enum(courseStatusEnum.enumValues),
        thumbnailUrl: Type.Unsafe<string | null>({ type: ['string', 'null'] }),
      },
      { additionalProperties: false },
    ),
    nextLesson: Type.Union(
      [
        Type.Object(
          { id: uuid(), title: Type.String(), moduleId: uuid() },
          { additionalProperties: false, description: 'The first lesson in course order not completed yet.' },
        ),
        Type.Null(),
      ],
      { description: 'Null unless active, and once every lesson is completed.' },
    ),
  },
  { additionalProperties: false, title: 'Enrollment' },
);

export const EnrollmentPageSchema = PageSchema(EnrollmentSchema, 'EnrollmentPage');

export const RosterEntrySchema = Type.Object(
  {
    enrollmentId: uuid(),
    student: Type.Object(
      { id: uuid(), name: Type.String(), email: Type.String() },
      { additionalProperties: false },
    ),
    status: statusField,
    progressPercent: Type.Integer({ minimum: 0, maximum: 100 }),
    completedLessonCount: Type.Integer({ minimum: 0 }),
    timeSpentSeconds: Type.Integer({ minimum: 0 }),
    enrolledAt: dateTime(),
    lastAccessedAt: nullableDateTime('Last activity.'),
    completedAt: nullableDateTime(),
    droppedAt: nullableDateTime(),
    expiresAt: nullableDateTime(),
  },
  { additionalProperties: false, title: 'RosterEntry' },
);

export const RosterPageSchema = PageSchema(RosterEntrySchema, 'RosterPage');

export const BULK_OUTCOMES = [
  'enrolled',
  'reactivated',
  'already_enrolled',
  'unknown_email',
  'invalid_email',
  'duplicate',
  'not_allowed',
] as const;
export type BulkOutcome = (typeof BULK_OUTCOMES)[number];

export const BulkItemSchema = Type.Object(
  {
    position: Type.Integer({ minimum: 0, description: '0-based row of the input.' }),
    input: Type.String({ description: 'The row as given.' }),
    outcome: Type.Union([Type.Enum([...BULK_OUTCOMES]), Type.Null()], {
      description: [
        'null until processed. enrolled; reactivated (a dropped or expired enrollment made active again);',
        'already_enrolled; unknown_email (no account); invalid_email; duplicate (an earlier row has the same',
        'address); not_allowed (deactivated account, or the course’s prerequisites not completed).',
      ].join(' '),
    }),
    enrollmentId: Type.Union([uuid(), Type.Null()]),
  },
  { additionalProperties: false, title: 'BulkOperationItem' },
);

export const BulkOperationSchema = Type.Object(
  {
    id: uuid(),
    kind: Type.Enum(['course_enrollment']),
    courseId: Type.Union([uuid(), Type.Null()]),
    requestedBy: Type.Union([uuid(), Type.Null()]),
    state: Type.Enum(bulkOperationStateEnum.enumValues, {
      description: 'queued → running → completed (or failed, with `error`).',
    }),
    total: Type.Integer({ minimum: 0 }),
    processed: Type.Integer({ minimum: 0 }),
    counts: Type.Record(Type.String(), Type.Integer(), { description: 'Rows per outcome so far.' }),
    error: Type.Union([Type.String(), Type.Null()]),
    createdAt: dateTime(),
    startedAt: nullableDateTime(),
    finishedAt: nullableDateTime(),
  },
  { additionalProperties: false, title: 'BulkOperation' },
);

export const BulkOperationWithItemsSchema = Type.Object(
  {
    ...BulkOperationSchema.properties,
    items: PageSchema(BulkItemSchema, 'BulkOperationItemPage'),
  },
  { additionalProperties: false, title: 'BulkOperationWithItems' },
);

// ---------------------------------------------------------------------------------------------
// Requests

export const CourseParams = Type.Object({ id: uuid('Course id.') });
export const EnrollmentParams = Type.Object({ id: uuid('Enrollment id.') });
export const BulkOperationParams = Type.Object({ id: uuid('Bulk operation id.') });

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 255,
      pattern: '^[\\x21-\\x7e]+$',
      description:
        'Any unique string (e.g. a UUID) per intended enrolment: a retry with the same key gets the first answer again (24 h); the same key with another request is 422.',
    }),
  ),
});

export const EnrolBody = Type.Object(
  {
    userId: Type.Optional(
      uuid('The course’s instructor or an admin: enrol this user instead of the caller (any price).'),
    ),
  },
  { additionalProperties: false, examples: [{}, { userId: '5b1f2c9e-8a43-4d6e-9f10-2b3c4d5e6f70' }] },
);

export const MyEnrollmentsQuery = Type.Object(
  {
    ...PaginationQuery,
    status: Type.Optional(Type.Enum(enrollmentStatusEnum.enumValues, { description: 'Only this status.' })),
  },
  { additionalProperties: false },
);

export const RosterQuery = Type.Object(
  {
    ...PaginationQuery,
    status: Type.Optional(Type.Enum(enrollmentStatusEnum.enumValues, { description: 'Only this status.' })),
    format: Type.Optional(
      Type.Enum(['json', 'csv'], {
        description:
          '`csv`: the whole roster (with `status`) as a streamed `text/csv` download; limit and cursor are ignored.',
      }),
    ),
  },
  { additionalProperties: false },
);

export const BulkEnrolBody = Type.Object(
  {
    emails: Type.Array(Type.String({ maxLength: MAX_BULK_INPUT_LENGTH }), {
      minItems: 1,
      maxItems: MAX_BULK_ROWS,
      description: `1 to ${MAX_BULK_ROWS} email addresses, one learner each (bad or repeated rows get their own outcome).`,
    }),
  },
  { additionalProperties: false, examples: [{ emails: ['ada@example.com', 'grace@example.com'] }] },
);

export const BulkItemsQuery = Type.Object(
  {
    ...PaginationQuery,
    outcome: Type.Optional(Type.Enum([...BULK_OUTCOMES], { description: 'Only rows with this outcome.' })),
  },
  { additionalProperties: false },
);
