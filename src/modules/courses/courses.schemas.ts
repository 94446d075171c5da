import { Type } from 'typebox';
import { PageSchema, PaginationQuery } from '../../http/pagination.js';
import {
  courseStatusEnum,
  difficultyEnum,
  type LessonContent,
  lessonTypeEnum,
} from '../../infrastructure/database/schema/index.js';
import { MAX_SLUG_LENGTH, SLUG_PATTERN } from '../../shared/slug.js';
import { MAX_LESSON_DURATION_SECONDS } from './lesson-content.js';
import { MAX_LESSONS_PER_MODULE, MAX_MODULES_PER_COURSE } from './ordering.js';

/** Currencies a course can be priced in (ISO 4217, upper case). */
export const SUPPORTED_CURRENCIES = ['USD', 'EUR', 'GBP', 'CAD', 'AUD', 'INR', 'JPY', 'BRL'] as const;
export type SupportedCurrency = (typeof SUPPORTED_CURRENCIES)[number];

export const MAX_PRICE_CENTS = 10_000_000;
export const MAX_TAGS = 10;
export const MAX_TAG_LENGTH = 40;

/**
 * A string or null as one JSON Schema type list rather than a union, so a bad value is reported
 * once (a union reports each branch's failure).
 */
const nullableString = (options: Record<string, unknown>) =>
  Type.Unsafe<string | null>({ type: ['string', 'null'], ...options });
const uuid = (description?: string) => Type.String({ format: 'uuid', description });
const dateTime = (description?: string) => Type.String({ format: 'date-time', description });
/** Non-blank text (at least one non-space character). */
const text = (minLength: number, maxLength: number, description?: string) =>
  Type.String({ minLength, maxLength, pattern: '\\S', description });

// ---------------------------------------------------------------------------------------------
// Fields shared by requests and responses

const titleField = text(3, 200, 'Course title.');
const subtitleField = nullableString({ maxLength: 300, description: 'One-line pitch; blank means none.' });
const descriptionField = nullableString({
  maxLength: 20_000,
  description: 'Markdown. Must be non-empty to publish.',
});
const difficultyField = Type.Enum(difficultyEnum.enumValues, { description: 'Target level.' });
const priceCentsField = Type.Integer({
  minimum: 0,
  maximum: MAX_PRICE_CENTS,
  description: 'Price in minor units of `currency` (0 = free).',
});
const currencyField = Type.Enum([...SUPPORTED_CURRENCIES], { description: 'ISO 4217 code.' });
const categoryField = nullableString({
  maxLength: 60,
  description: 'Catalog category, e.g. "programming"; blank means none.',
});
const tagsField = Type.Array(text(1, MAX_TAG_LENGTH), {
  maxItems: MAX_TAGS,
  description: `Up to ${MAX_TAGS} tags; stored lower-case, trimmed and without duplicates.`,
});
const languageField = Type.String({
  pattern: '^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$',
  maxLength: 35,
  description: 'BCP 47 language tag of the content, e.g. "en" or "pt-BR".',
});
const thumbnailUrlField = nullableString({
  format: 'uri',
  pattern: '^https://',
  maxLength: 2048,
  description: 'Cover image (https).',
});
const sequentialModulesField = Type.Boolean({
  description:
    'Each module unlocks for a learner only when the previous one is completed (default false: any order).',
});
export const MAX_ACCESS_DURATION_DAYS = 36_500;
const accessDurationDaysField = Type.Unsafe<number | null>({
  type: ['integer', 'null'],
  minimum: 1,
  maximum: MAX_ACCESS_DURATION_DAYS,
  description:
    'Days of access from enrolment (the enrollment expires then, keeping its certificate); null: no limit.',
});
const slugField = Type.String({
  pattern: SLUG_PATTERN,
  minLength: 1,
  maxLength: MAX_SLUG_LENGTH,
  description: 'URL name: lower-case letters and digits in hyphen-separated words; unique.',
});

// ---------------------------------------------------------------------------------------------
// Responses

const courseSummaryProperties = {
  id: uuid(),
  instructorId: uuid(),
  slug: Type.String(),
  title: Type.String(),
  subtitle: nullableString({}),
  status: Type.Enum(courseStatusEnum.enumValues),
  difficulty: Type.Enum(difficultyEnum.enumValues),
  priceCents: Type.Integer(),
  currency: Type.String(),
  isFree: Type.Boolean({ description: 'priceCents is 0.' }),
  language: Type.String(),
  category: nullableString({}),
  tags: Type.Array(Type.String()),
  thumbnailUrl: nullableString({}),
  publishedAt: nullableString({ format: 'date-time', description: 'First publication.' }),
  archivedAt: nullableString({ format: 'date-time' }),
  version: Type.Integer({ description: 'Bumped by every change to the course or its outline; the ETag.' }),
  enrollmentCount: Type.Integer({
    description: 'Learners enrolled (active, completed or expired; not dropped).',
  }),
  sequentialModules: Type.Boolean({ description: 'Modules unlock in order.' }),
  accessDurationDays: Type.Unsafe<number | null>({
    type: ['integer', 'null'],
    description: 'Days of access from enrolment; null: no limit.',
  }),
  createdAt: dateTime(),
  updatedAt: dateTime(),
};

export const CourseSummarySchema = Type.Object(courseSummaryProperties, {
  additionalProperties: false,
  title: 'CourseSummary',
});

const courseProperties = { ...courseSummaryProperties, description: nullableString({}) };

export const CourseSchema = Type.Object(courseProperties, {
  additionalProperties: false,
  title: 'AuthoredCourse',
});

const moduleProperties = {
  id: uuid(),
  courseId: uuid(),
  title: Type.String(),
  description: nullableString({}),
  position: Type.Integer({ description: '0-based, dense within the course.' }),
  createdAt: dateTime(),
  updatedAt: dateTime(),
};

const lessonProperties = {
  id: uuid(),
  moduleId: uuid(),
  courseId: uuid(),
  title: Type.String(),
  type: Type.Enum(lessonTypeEnum.enumValues),
  position: Type.Integer({ description: '0-based, dense within the module.' }),
  content: Type.Unsafe<LessonContent>({
    type: 'object',
    additionalProperties: true,
    description: 'Type-specific content.',
  }),
  videoUrl: nullableString({}),
  durationSeconds: Type.Integer(),
  isPreview: Type.Boolean({ description: 'Free preview: visible to everyone in the catalog.' }),
  isRequired: Type.Boolean({ description: 'Counts towards completing the course.' }),
  createdAt: dateTime(),
  updatedAt: dateTime(),
};

const courseVersionField = Type.Integer({
  description: 'The course version (ETag) after this write: every outline change bumps it.',
});

export const LessonSchema = Type.Object(lessonProperties, { additionalProperties: false, title: 'Lesson' });

export const LessonWriteResponse = Type.Object(
  { ...lessonProperties, courseVersion: courseVersionField },
  { additionalProperties: false, title: 'LessonWritten' },
);

export const ModuleWriteResponse = Type.Object(
  { ...moduleProperties, courseVersion: courseVersionField },
  { additionalProperties: false, title: 'ModuleWritten' },
);

export const AuthoringViewSchema = Type.Object(
  {
    ...courseProperties,
    modules: Type.Array(
      Type.Object(
        { ...moduleProperties, lessons: Type.Array(LessonSchema) },
        { additionalProperties: false },
      ),
    ),
    publishBlockers: Type.Array(Type.String(), {
      description: 'What must be fixed before the course can be published (empty when it can be).',
    }),
  },
  { additionalProperties: false, title: 'CourseAuthoringView' },
);

const positionEntry = Type.Object(
  { id: uuid(), title: Type.String(), position: Type.Integer() },
  { additionalProperties: false },
);

export const ModuleOrderResponse = Type.Object(
  { courseVersion: courseVersionField, modules: Type.Array(positionEntry) },
  { additionalProperties: false, title: 'ModuleOrder' },
);

export const LessonOrderResponse = Type.Object(
  { courseVersion: courseVersionField, lessons: Type.Array(positionEntry) },
  { additionalProperties: false, title: 'LessonOrder' },
);

// ---------------------------------------------------------------------------------------------
// Requests

export const CourseParams = Type.Object({ id: uuid('Course id.') });
export const ModuleParams = Type.Object({ id: uuid('Course id.'), moduleId: uuid('Module id.') });
export const LessonParams = Type.Object({ id: uuid('Course id.'), lessonId: uuid('Lesson id.') });

export const IfMatchHeaders = (required: boolean) =>
  Type.Object({
    'if-match': Type.Optional(
      Type.String({
        description: required
          ? 'Required: the course ETag you are editing, e.g. `"3"`. Missing or stale → 412 precondition_failed.'
          : 'Optional: the course ETag, e.g. `"3"`; when sent and stale → 412 precondition_failed.',
      }),
    ),
  });

export const CreateCourseBody = Type.Object(
  {
    title: titleField,
    subtitle: Type.Optional(subtitleField),
    description: Type.Optional(descriptionField),
    difficulty: Type.Optional(difficultyField),
    priceCents: Type.Optional(priceCentsField),
    currency: Type.Optional(currencyField),
    category: Type.Optional(categoryField),
    tags: Type.Optional(tagsField),
    language: Type.Optional(languageField),
    thumbnailUrl: Type.Optional(thumbnailUrlField),
    sequentialModules: Type.Optional(sequentialModulesField),
    accessDurationDays: Type.Optional(accessDurationDaysField),
    instructorId: Type.Optional(
      uuid('Admins only: create the course for this instructor (default: the caller).'),
    ),
  },
  {
    additionalProperties: false,
    examples: [
      {
        title: 'Intro to TypeScript',
        subtitle: 'Types for JavaScript developers',
        description: 'From `any` to generics in ten short lessons.',
        difficulty: 'beginner',
        priceCents: 4900,
        currency: 'USD',
        category: 'programming',
        tags: ['typescript', 'javascript'],
        language: 'en',
      },
    ],
  },
);

export const UpdateCourseBody = Type.Object(
  {
    title: Type.Optional(titleField),
    subtitle: Type.Optional(subtitleField),
    description: Type.Optional(descriptionField),
    difficulty: Type.Optional(difficultyField),
    priceCents: Type.Optional(priceCentsField),
    currency: Type.Optional(currencyField),
    category: Type.Optional(categoryField),
    tags: Type.Optional(tagsField),
    language: Type.Optional(languageField),
    thumbnailUrl: Type.Optional(thumbnailUrlField),
    sequentialModules: Type.Optional(sequentialModulesField),
    accessDurationDays: Type.Optional(accessDurationDaysField),
    slug: Type.Optional(slugField),
  },
  {
    additionalProperties: false,
    minProperties: 1,
    examples: [{ title: 'Intro to TypeScript, 2nd edition', priceCents: 5900 }],
  },
);

export const InstructorCoursesQuery = Type.Object(
  {
    ...PaginationQuery,
    status: Type.Optional(Type.Enum(courseStatusEnum.enumValues, { description: 'Only this status.' })),
    instructorId: Type.Optional(uuid('Admins: only this instructor’s courses.')),
  },
  { additionalProperties: false },
);

export const CreateModuleBody = Type.Object(
  {
    title: text(1, 200),
    description: Type.Optional(nullableString({ maxLength: 5_000 })),
    position: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: MAX_MODULES_PER_COURSE,
        description: 'Insert here (0-based) and shift the following modules; default: append at the end.',
      }),
    ),
  },
  {
    additionalProperties: false,
    examples: [{ title: 'Getting started' }, { title: 'Preface', position: 0 }],
  },
);

export const UpdateModuleBody = Type.Object(
  {
    title: Type.Optional(text(1, 200)),
    description: Type.Optional(nullableString({ maxLength: 5_000 })),
  },
  { additionalProperties: false, minProperties: 1, examples: [{ title: 'Setting up' }] },
);

export const ModuleOrderBody = Type.Object(
  {
    moduleIds: Type.Array(uuid(), {
      uniqueItems: true,
      maxItems: MAX_MODULES_PER_COURSE,
      description: 'Every module id of the course, each once, in the new order.',
    }),
  },
  { additionalProperties: false },
);

const lessonPositionField = Type.Integer({
  minimum: 0,
  maximum: MAX_LESSONS_PER_MODULE,
  description: 'Insert here (0-based) and shift the following lessons; default: append at the end.',
});
const lessonTitleField = text(1, 200);
const videoUrlField = nullableString({
  format: 'uri',
  pattern: '^https://',
  maxLength: 2048,
  description: 'Video lessons only (https).',
});
const durationField = Type.Integer({
  minimum: 0,
  maximum: MAX_LESSON_DURATION_SECONDS,
  description: 'Seconds; required (>= 1) for video and live_session lessons.',
});
const contentField = Type.Unsafe<LessonContent>({
  type: 'object',
  additionalProperties: true,
  description: 'Type-specific content; see the operation description.',
});

export const LESSON_TYPES_DESCRIPTION = [
  'Type-specific fields (each bad field is listed in a 400 `validation_failed`):',
  '- `video`: `videoUrl` (https) and `durationSeconds` (1..86400) required; `content` `{ transcript? }`.',
  '- `text`: `content.body` markdown, 1..100000 characters.',
  '- `quiz`: `content.quizId`, a quiz of this course. `assignment`: `content.assignmentId`, an assignment of this course.',
  '- `live_session`: `content.startsAt` (date-time in the future), `content.joinUrl` (https), `durationSeconds` (1..86400).',
  '- `download`: `content.files`, 1..20 of `{ name, url (https), sizeBytes }`.',
  '`videoUrl` is refused for every type but video.',
].join('\n');

export const CreateLessonBody = Type.Object(
  {
    title: lessonTitleField,
    type: Type.Enum(lessonTypeEnum.enumValues),
    position: Type.Optional(lessonPositionField),
    isPreview: Type.Optional(Type.Boolean({ description: 'Free preview lesson (default false).' })),
    isRequired: Type.Optional(
      Type.Boolean({ description: 'Counts towards completing the course (default true).' }),
    ),
    videoUrl: Type.Optional(videoUrlField),
    durationSeconds: Type.Optional(durationField),
    content: Type.Optional(contentField),
  },
  {
    additionalProperties: false,
    examples: [
      {
        title: 'Welcome',
        type: 'video',
        videoUrl: 'https://videos.example.com/welcome.mp4',
        durationSeconds: 245,
        isPreview: true,
      },
      { title: 'Reading: the type system', type: 'text', content: { body: '# Types\n\nEverything is...' } },
    ],
  },
);

export const UpdateLessonBody = Type.Object(
  {
    title: Type.Optional(lessonTitleField),
    type: Type.Optional(Type.Enum(lessonTypeEnum.enumValues)),
    isPreview: Type.Optional(Type.Boolean()),
    isRequired: Type.Optional(Type.Boolean()),
    videoUrl: Type.Optional(videoUrlField),
    durationSeconds: Type.Optional(durationField),
    content: Type.Optional(contentField),
    moduleId: Type.Optional(uuid('Move the lesson to this module of the same course.')),
    position: Type.Optional(lessonPositionField),
  },
  {
    additionalProperties: false,
    minProperties: 1,
    examples: [
      { title: 'Welcome (updated)' },
      { moduleId: '5b1f2c9e-8a43-4d6e-9f10-2b3c4d5e6f70', position: 0 },
    ],
  },
);

export const LessonOrderBody = Type.Object(
  {
    lessonIds: Type.Array(uuid(), {
      uniqueItems: true,
      maxItems: MAX_LESSONS_PER_MODULE,
      description: 'Every lesson id of the module, each once, in the new order.',
    }),
  },
  { additionalProperties: false },
);

export const MAX_PREREQUISITES = 20;

export const PrerequisitesBody = Type.Object(
  {
    prerequisiteCourseIds: Type.Array(uuid(), {
      uniqueItems: true,
      maxItems: MAX_PREREQUISITES,
      description: `The courses a learner must have completed before enrolling (at most ${MAX_PREREQUISITES}; published; not this course; no cycles). Replaces the list; [] removes every prerequisite.`,
    }),
  },
  {
    additionalProperties: false,
    examples: [{ prerequisiteCourseIds: ['5b1f2c9e-8a43-4d6e-9f10-2b3c4d5e6f70'] }],
  },
);

export const PrerequisiteSchema = Type.Object(
  {
    id: uuid(),
    slug: Type.String(),
    title: Type.String(),
    status: Type.Enum(courseStatusEnum.enumValues),
  },
  { additionalProperties: false, title: 'PrerequisiteCourse' },
);

export const PrerequisitesResponse = Type.Object(
  {
    courseId: uuid(),
    courseVersion: courseVersionField,
    prerequisites: Type.Array(PrerequisiteSchema),
  },
  { additionalProperties: false, title: 'CoursePrerequisites' },
);

/** One page of an instructor's courses. */
export const CourseSummaryPageSchema = PageSchema(CourseSummarySchema, 'CourseSummaryPage');

/** The empty 204 of a delete. */
export const DeletedSchema = Type.Null({ description: 'Deleted.' });
