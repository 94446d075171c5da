import { type Static, Type } from 'typebox';
import { PageSchema, PaginationQuery } from '../../http/pagination.js';

const Timestamp = Type.String({ format: 'date-time' });
const Uuid = Type.String({ format: 'uuid' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);

export const MAX_FILE_SIZE_BYTES = 1_073_741_824;
export const MAX_FILES_PER_SUBMISSION = 10;
export const MAX_CONTENT_LENGTH = 100_000;

export const CourseParams = Type.Object(
  { id: Type.String({ format: 'uuid', description: 'The course id.' }) },
  { additionalProperties: false },
);
export const AssignmentParams = Type.Object(
  { id: Type.String({ format: 'uuid', description: 'The assignment id.' }) },
  { additionalProperties: false },
);
export const SubmissionParams = Type.Object(
  { id: Type.String({ format: 'uuid', description: 'The submission id.' }) },
  { additionalProperties: false },
);
export const SubmissionFileParams = Type.Object(
  {
    id: Type.String({ format: 'uuid', description: 'The submission id.' }),
    index: Type.Integer({
      minimum: 0,
      maximum: MAX_FILES_PER_SUBMISSION - 1,
      description: 'The file’s position in `attachments`.',
    }),
  },
  { additionalProperties: false },
);

const assignmentFields = {
  title: Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' }),
  instructions: Nullable(Type.String({ maxLength: 50_000 })),
  dueAt: Nullable(Type.String({ format: 'date-time', description: 'When it is due (null: no due date).' })),
  maxPoints: Type.Integer({ minimum: 1, maximum: 100_000, description: 'Highest grade.' }),
  allowLate: Type.Boolean({
    description: 'Accept work after dueAt (with the penalty); false: 409 `past_due`.',
  }),
  latePenaltyPercent: Type.Integer({
    minimum: 0,
    maximum: 100,
    description: 'Taken off per started day late.',
  }),
  latePenaltyMaxPercent: Type.Integer({
    minimum: 0,
    maximum: 100,
    description: 'The most the penalty takes off.',
  }),
  maxAttempts: Nullable(
    Type.Integer({ minimum: 1, maximum: 1000, description: 'Null: unlimited resubmissions until graded.' }),
  ),
  allowedFileTypes: Type.Array(
    Type.String({ pattern: '^[a-z0-9]{1,16}$', description: 'An extension, lower case, no dot.' }),
    {
      maxItems: 50,
      uniqueItems: true,
      description: 'Extensions accepted (checked against the file’s content); empty: any.',
    },
  ),
  maxFileSizeBytes: Type.Integer({ minimum: 1, maximum: MAX_FILE_SIZE_BYTES, description: 'Per file.' }),
  isRequired: Type.Boolean({ description: 'The course’s completion needs a passing graded submission.' }),
  passingScore: Type.Integer({
    minimum: 0,
    maximum: 100,
    description: 'Percent of maxPoints (counted score) to pass.',
  }),
  lessonId: Nullable(Type.String({ format: 'uuid', description: 'A lesson of the same course, or null.' })),
};

export const CreateAssignmentBody = Type.Object(
  {
    title: assignmentFields.title,
    instructions: Type.Optional(assignmentFields.instructions),
    dueAt: Type.Optional(assignmentFields.dueAt),
    maxPoints: Type.Optional(assignmentFields.maxPoints),
    allowLate: Type.Optional(assignmentFields.allowLate),
    latePenaltyPercent: Type.Optional(assignmentFields.latePenaltyPercent),
    latePenaltyMaxPercent: Type.Optional(assignmentFields.latePenaltyMaxPercent),
    maxAttempts: Type.Optional(assignmentFields.maxAttempts),
    allowedFileTypes: Type.Optional(assignmentFields.allowedFileTypes),
    maxFileSizeBytes: Type.Optional(assignmentFields.maxFileSizeBytes),
    isRequired: Type.Optional(assignmentFields.isRequired),
    passingScore: Type.Optional(assignmentFields.passingScore),
    lessonId: Type.Optional(assignmentFields.lessonId),
  },
  { additionalProperties: false },
);
export type CreateAssignmentBody = Static<typeof CreateAssignmentBody>;

export const UpdateAssignmentBody = Type.Partial(CreateAssignmentBody, {
  additionalProperties: false,
  minProperties: 1,
});
export type UpdateAssignmentBody = Static<typeof UpdateAssignmentBody>;

export const AssignmentSchema = Type.Object(
  {
    id: Uuid,
    courseId: Uuid,
    lessonId: Nullable(Uuid),
    title: Type.String(),
    instructions: Nullable(Type.String()),
    dueAt: Nullable(Timestamp),
    maxPoints: Type.Integer(),
    allowLate: Type.Boolean(),
    latePenaltyPercent: Type.Integer(),
    latePenaltyMaxPercent: Type.Integer(),
    maxAttempts: Nullable(Type.Integer()),
    allowedFileTypes: Type.Array(Type.String()),
    maxFileSizeBytes: Type.Integer(),
    isRequired: Type.Boolean(),
    passingScore: Type.Integer(),
    isPublished: Type.Boolean(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { additionalProperties: false, title: 'Assignment' },
);
export const AssignmentPageSchema = PageSchema(AssignmentSchema, 'AssignmentPage');
export const AssignmentListQuery = Type.Object({ ...PaginationQuery }, { additionalProperties: false });

// Rubrics

const RubricLevelInput = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' }),
    description: Type.Optional(Nullable(Type.String({ maxLength: 2_000 }))),
    points: Type.Number({ minimum: 0, maximum: 100_000, multipleOf: 0.01 }),
  },
  { additionalProperties: false },
);
export const RubricBody = Type.Object(
  {
    criteria: Type.Array(
      Type.Object(
        {
          title: Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' }),
          description: Type.Optional(Nullable(Type.String({ maxLength: 2_000 }))),
          levels: Type.Array(RubricLevelInput, { minItems: 1, maxItems: 10 }),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 50 },
    ),
  },
  { additionalProperties: false },
);
export type RubricBody = Static<typeof RubricBody>;

export const RubricSchema = Type.Object(
  {
    assignmentId: Uuid,
    maxPoints: Type.Number({ description: 'The points of the best level of every criterion, summed.' }),
    criteria: Type.Array(
      Type.Object(
        {
          id: Uuid,
          title: Type.String(),
          description: Nullable(Type.String()),
          position: Type.Integer(),
          levels: Type.Array(
            Type.Object(
              {
                id: Uuid,
                title: Type.String(),
                description: Nullable(Type.String()),
                points: Type.Number(),
                position: Type.Integer(),
              },
              { additionalProperties: false },
            ),
          ),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false, title: 'Rubric' },
);

// Submissions

export const JsonSubmissionBody = Type.Object(
  {
    content: Type.Optional(
      Type.String({ maxLength: MAX_CONTENT_LENGTH, description: 'The text of the submission.' }),
    ),
    links: Type.Optional(
      Type.Array(Type.String({ format: 'uri', pattern: '^https?://', maxLength: 2_000 }), {
        maxItems: 20,
        description: 'Links to work kept elsewhere (http or https).',
      }),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type JsonSubmissionBody = Static<typeof JsonSubmissionBody>;

const AttachmentSchema = Type.Object(
  {
    index: Type.Integer(),
    kind: Type.Enum(['file', 'link']),
    name: Type.String(),
    url: Type.String({ description: 'The download path of a file, or the link.' }),
    contentType: Nullable(Type.String()),
    sizeBytes: Nullable(Type.Integer()),
  },
  { additionalProperties: false },
);

const GradingStatus = Type.Enum(['submitted', 'in_review', 'graded', 'returned']);

export const SubmissionSchema = Type.Object(
  {
    id: Uuid,
    assignmentId: Uuid,
    studentId: Uuid,
    attemptNumber: Type.Integer(),
    content: Nullable(Type.String()),
    attachments: Type.Array(AttachmentSchema),
    submittedAt: Timestamp,
    isLate: Type.Boolean(),
    penaltyPercent: Type.Number({ description: 'The late penalty, fixed when it was submitted.' }),
    grade: Nullable(Type.Number({ description: 'The grader’s score (0 to maxPoints).' })),
    countedScore: Nullable(Type.Number({ description: 'grade × (1 − penaltyPercent / 100).' })),
    gradeVersion: Type.Integer({ description: 'Also the ETag; send it as If-Match to re-grade.' }),
    gradingStatus: GradingStatus,
    feedback: Nullable(Type.String()),
    graderId: Nullable(Uuid),
    gradedAt: Nullable(Timestamp),
    rubricAssessments: Type.Array(
      Type.Object(
        { criterionId: Uuid, levelId: Uuid, points: Type.Number(), comment: Nullable(Type.String()) },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false, title: 'AssignmentSubmission' },
);
export const SubmissionPageSchema = PageSchema(SubmissionSchema, 'AssignmentSubmissionPage');
export const SubmissionListQuery = Type.Object(
  {
    ...PaginationQuery,
    status: Type.Optional(GradingStatus),
  },
  { additionalProperties: false },
);

// Grading

export const GradeBody = Type.Object(
  {
    score: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: 100_000,
        multipleOf: 0.01,
        description: 'The grade, 0 to maxPoints.',
      }),
    ),
    rubric: Type.Optional(
      Type.Array(
        Type.Object(
          {
            criterionId: Uuid,
            levelId: Uuid,
            comment: Type.Optional(Nullable(Type.String({ maxLength: 5_000 }))),
          },
          { additionalProperties: false },
        ),
        {
          minItems: 1,
          maxItems: 50,
          description: 'One level per criterion of the rubric; their points make the grade.',
        },
      ),
    ),
    feedback: Type.Optional(Nullable(Type.String({ maxLength: 20_000 }))),
    status: Type.Enum(['in_review', 'graded', 'returned'], {
      description:
        '`in_review` saves a draft: staff see it, the student sees only that it is in review, it does not ' +
        'count and notifies no one (409 `grade_released` once a grade was released). `graded` and ' +
        '`returned` release the grade to the student (both count; `returned` says it was handed back).',
    }),
  },
  { additionalProperties: false },
);
export type GradeBody = Static<typeof GradeBody>;

export const ReleasedGradesSchema = Type.Object(
  {
    released: Type.Integer({ minimum: 0, description: 'How many draft grades were released.' }),
    submissionIds: Type.Array(Uuid, { description: 'The submissions whose drafts were released.' }),
  },
  { additionalProperties: false, title: 'ReleasedGrades' },
);

export const IfMatchHeaders = Type.Object({
  'if-match': Type.Optional(
    Type.String({ description: 'The ETag ("<gradeVersion>") of the grade you saw; required once graded.' }),
  ),
});

export const GradeHistorySchema = Type.Object(
  {
    data: Type.Array(
      Type.Object(
        {
          id: Uuid,
          graderId: Nullable(Uuid),
          graderName: Nullable(Type.String()),
          oldGrade: Nullable(Type.Number()),
          newGrade: Nullable(Type.Number()),
          oldStatus: Nullable(Type.String()),
          newStatus: Type.String(),
          feedback: Nullable(Type.String()),
          createdAt: Timestamp,
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false, title: 'GradeHistory' },
);
