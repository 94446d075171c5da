import { Type } from 'typebox';
import { PaginationQuery } from '../../http/pagination.js';
import { GRADEBOOK_SORTS } from './gradebook.queries.js';

const uuid = (description?: string) => Type.String({ format: 'uuid', description });
const nullableDateTime = (description?: string) =>
  Type.Unsafe<string | null>({ type: ['string', 'null'], format: 'date-time', description });
const nullableNumber = (description?: string) =>
  Type.Unsafe<number | null>({ type: ['number', 'null'], description });
const ItemKind = Type.Enum(['quiz', 'assignment']);

export const CourseParams = Type.Object({ id: uuid('The course id.') }, { additionalProperties: false });

export const GradebookQuery = Type.Object(
  {
    ...PaginationQuery,
    sort: Type.Enum([...GRADEBOOK_SORTS], {
      default: 'name',
      description: 'Student order: by name (then enrollment id) or by enrolment time, oldest first.',
    }),
    format: Type.Optional(
      Type.Enum(['json', 'csv'], {
        description:
          '`csv`: the whole gradebook as a streamed `text/csv` download; limit and cursor are ignored.',
      }),
    ),
  },
  { additionalProperties: false },
);

const itemFields = {
  id: uuid('The quiz or assignment.'),
  kind: ItemKind,
  title: Type.String(),
  maxScore: Type.Number({
    minimum: 0,
    description: 'Points possible (a quiz: the sum of its questions’ points).',
  }),
  required: Type.Boolean({ description: 'The course’s completion needs a pass.' }),
  passingScore: Type.Integer({ minimum: 0, maximum: 100, description: 'Percent of maxScore to pass.' }),
  dueAt: nullableDateTime('Assignments: the due date.'),
  availableFrom: nullableDateTime('Quizzes: opens.'),
  availableUntil: nullableDateTime('Quizzes: closes.'),
};

export const GradedItemSchema = Type.Object(itemFields, { additionalProperties: false, title: 'GradedItem' });

export const GradeCellSchema = Type.Object(
  {
    itemId: uuid(),
    kind: ItemKind,
    score: nullableNumber(
      'Counted points: a quiz’s counted percent under its score policy × its points; an assignment’s latest graded grade less its late penalty. Null while nothing counts.',
    ),
    maxScore: Type.Number({ minimum: 0 }),
    passed: Type.Boolean({ description: 'The counted score reaches the passing score.' }),
    submittedAttempts: Type.Integer({ minimum: 0 }),
    awaitingGrade: Type.Boolean({ description: 'A submitted attempt waits for a grader.' }),
    late: Type.Boolean({ description: 'Assignments: the latest attempt came after the due date.' }),
    missing: Type.Boolean({ description: 'Past due (assignment) or closed (quiz) with nothing submitted.' }),
  },
  { additionalProperties: false, title: 'GradeCell' },
);

export const GradeTotalSchema = Type.Object(
  {
    score: Type.Number({ minimum: 0, description: 'Sum of the counted scores (nothing counted adds 0).' }),
    maxScore: Type.Number({ minimum: 0, description: 'Sum of every graded item’s points.' }),
    percent: nullableNumber('score / maxScore in %, two decimals; null when there are no points.'),
  },
  { additionalProperties: false, title: 'GradeTotal' },
);

const EnrollmentStatus = Type.Enum(['active', 'completed']);

export const GradebookPageSchema = Type.Object(
  {
    items: Type.Array(GradedItemSchema, { description: 'The columns: every graded item, by due date.' }),
    data: Type.Array(
      Type.Object(
        {
          enrollmentId: uuid(),
          enrollmentStatus: EnrollmentStatus,
          enrolledAt: Type.String({ format: 'date-time' }),
          student: Type.Object(
            { id: uuid(), name: Type.String(), email: Type.String() },
            { additionalProperties: false },
          ),
          grades: Type.Array(GradeCellSchema, { description: 'One cell per item, in `items` order.' }),
          total: GradeTotalSchema,
        },
        { additionalProperties: false },
      ),
    ),
    nextCursor: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false, title: 'GradebookPage' },
);

export const MyGradesSchema = Type.Object(
  {
    course: Type.Object(
      { id: uuid(), slug: Type.String(), title: Type.String() },
      { additionalProperties: false },
    ),
    enrollmentStatus: EnrollmentStatus,
    items: Type.Array(
      Type.Object({ ...itemFields, grade: GradeCellSchema }, { additionalProperties: false }),
      { description: 'Every graded item of the course with the caller’s cell.' },
    ),
    total: GradeTotalSchema,
  },
  { additionalProperties: false, title: 'MyGrades' },
);
