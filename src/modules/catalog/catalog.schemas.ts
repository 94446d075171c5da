import { type Static, type TSchema, Type } from 'typebox';
import { PageSchema, PaginationQuery } from '../../http/pagination.js';
import {
  courseStatusEnum,
  difficultyEnum,
  lessonTypeEnum,
} from '../../infrastructure/database/schema/index.js';

const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const uuid = (description?: string) => Type.String({ format: 'uuid', description });
const dateTime = (description?: string) => Type.String({ format: 'date-time', description });

export const CATALOG_SORTS = ['newest', 'title', 'popular', 'relevance'] as const;

/**
 * Cursors carry the last row's sort key, and a title sort key can be a few hundred UTF-8 bytes; the
 * generic 1024-character cursor limit would reject the cursor of a page ending on a long title.
 */
const MAX_CATALOG_CURSOR_LENGTH = 4096;

// PostgreSQL refuses text containing NUL (an error, not a 400), so filters must not carry one.
const WITHOUT_NUL = '^[^\\x00]+$';
const NON_BLANK_WITHOUT_NUL = '^[^\\x00]*[^\\s\\x00][^\\x00]*$';

export const ListCoursesQuery = Type.Object(
  {
    q: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        pattern: NON_BLANK_WITHOUT_NUL,
        description:
          'Full-text search in titles (weighted higher) and descriptions, English stemming ("testing" finds "tests"). Web-search syntax: `"exact phrase"`, `-excluded`, `or`.',
      }),
    ),
    difficulty: Type.Optional(Type.Enum(difficultyEnum.enumValues)),
    category: Type.Optional(Type.String({ minLength: 1, maxLength: 100, pattern: WITHOUT_NUL })),
    tag: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 100,
        pattern: WITHOUT_NUL,
        description: 'Courses carrying this tag (case-insensitive).',
      }),
    ),
    instructorId: Type.Optional(uuid('Courses taught by this instructor.')),
    free: Type.Optional(Type.Boolean({ description: '`true`: only free courses; `false`: only paid ones.' })),
    minPrice: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 2_147_483_647,
        description: 'Lowest price, in minor units (cents).',
      }),
    ),
    maxPrice: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 2_147_483_647,
        description: 'Highest price, in minor units (cents).',
      }),
    ),
    currency: Type.Optional(
      Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 code; combine with minPrice/maxPrice.' }),
    ),
    sort: Type.Optional(
      Type.Enum([...CATALOG_SORTS], {
        description:
          '`newest` (default without `q`): most recently published first. `title`: A→Z. `popular`: most enrollments first. `relevance` (default with `q`, needs `q`): best text match first.',
      }),
    ),
    limit: PaginationQuery.limit,
    cursor: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: MAX_CATALOG_CURSOR_LENGTH,
        pattern: '^[A-Za-z0-9_-]+$',
        description: 'Opaque cursor from the previous page’s `nextCursor`, with the same `sort`.',
      }),
    ),
  },
  {
    additionalProperties: false,
    examples: [{ q: 'typescript testing', difficulty: 'beginner', free: true, limit: 20 }],
  },
);
export type ListCoursesQuery = Static<typeof ListCoursesQuery>;

const InstructorSchema = Type.Object(
  { id: uuid(), name: Type.String() },
  { additionalProperties: false, title: 'CatalogInstructor' },
);

const catalogCourseProperties = {
  id: uuid(),
  slug: Type.String(),
  title: Type.String(),
  subtitle: nullable(Type.String()),
  difficulty: Type.Enum(difficultyEnum.enumValues),
  priceCents: Type.Integer({ description: 'Price in minor units of `currency`.' }),
  currency: Type.String(),
  isFree: Type.Boolean({ description: 'priceCents is 0.' }),
  category: nullable(Type.String()),
  tags: Type.Array(Type.String()),
  language: Type.String(),
  thumbnailUrl: nullable(Type.String()),
  publishedAt: nullable(dateTime('First publication.')),
  enrollmentCount: Type.Integer(),
  instructor: InstructorSchema,
  lessonCount: Type.Integer(),
  totalDurationSeconds: Type.Integer({ description: 'Sum of the lessons’ durations.' }),
};

const courseExample = {
  id: '0b7f5a52-4d8e-4c8a-9a39-1f0e6d1c2b3a',
  slug: 'intro-to-typescript',
  title: 'Intro to TypeScript',
  subtitle: 'Types for JavaScript developers',
  difficulty: 'beginner',
  priceCents: 4900,
  currency: 'USD',
  isFree: false,
  category: 'programming',
  tags: ['typescript', 'web'],
  language: 'en',
  thumbnailUrl: null,
  publishedAt: '2025-03-01T09:30:00.000Z',
  enrollmentCount: 1280,
  instructor: { id: '5d0c1e2f-3a4b-4c5d-8e6f-708192a3b4c5', name: 'Ada Lovelace' },
  lessonCount: 24,
  totalDurationSeconds: 18_900,
};

export const CatalogCourseSchema = Type.Object(catalogCourseProperties, {
  additionalProperties: false,
  title: 'CatalogCourse',
  examples: [courseExample],
});
export type CatalogCourse = Static<typeof CatalogCourseSchema>;

export const CatalogPageSchema = PageSchema(CatalogCourseSchema, 'CatalogPage');
export type CatalogPage = Static<typeof CatalogPageSchema>;

const lessonBodyProperties = {
  content: Type.Optional(
    Type.Object({}, { additionalProperties: true, description: 'Type-specific lesson body.' }),
  ),
  videoUrl: Type.Optional(nullable(Type.String())),
};

const OutlineLessonSchema = Type.Object(
  {
    id: uuid(),
    title: Type.String(),
    type: Type.Enum(lessonTypeEnum.enumValues),
    position: Type.Integer({ description: '0-based within the module.' }),
    durationSeconds: Type.Integer(),
    isPreview: Type.Boolean({ description: 'Free preview: its body is shown to everyone.' }),
    ...lessonBodyProperties,
  },
  {
    additionalProperties: false,
    title: 'CatalogOutlineLesson',
    description:
      '`content` and `videoUrl` are present only for preview lessons, or for every lesson when the caller is the instructor, an admin, or enrolled (`contentAccess: "full"`).',
  },
);

const OutlineModuleSchema = Type.Object(
  {
    id: uuid(),
    title: Type.String(),
    description: nullable(Type.String()),
    position: Type.Integer({ description: '0-based within the course.' }),
    lessons: Type.Array(OutlineLessonSchema),
  },
  { additionalProperties: false, title: 'CatalogOutlineModule' },
);

export const CourseDetailSchema = Type.Object(
  {
    ...catalogCourseProperties,
    description: nullable(Type.String()),
    status: Type.Enum(courseStatusEnum.enumValues, {
      description: 'Always `published` for the public; drafts and archived courses only reach those allowed.',
    }),
    archivedAt: nullable(dateTime()),
    contentAccess: Type.Enum(['full', 'preview'], {
      description: '`full`: every lesson body is included; `preview`: only preview lessons’ bodies.',
    }),
    modules: Type.Array(OutlineModuleSchema),
  },
  {
    additionalProperties: false,
    title: 'CatalogCourseDetail',
    examples: [
      {
        ...courseExample,
        description: 'Learn the type system step by step.',
        status: 'published',
        archivedAt: null,
        contentAccess: 'preview',
        modules: [
          {
            id: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
            title: 'Getting started',
            description: null,
            position: 0,
            lessons: [
              {
                id: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
                title: 'Why types?',
                type: 'video',
                position: 0,
                durationSeconds: 420,
                isPreview: true,
                content: {},
                videoUrl: 'https://videos.example.com/why-types.mp4',
              },
              {
                id: '2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e',
                title: 'Your first type',
                type: 'text',
                position: 1,
                durationSeconds: 600,
                isPreview: false,
              },
            ],
          },
        ],
      },
    ],
  },
);
export type CourseDetail = Static<typeof CourseDetailSchema>;

export const CatalogLessonSchema = Type.Object(
  {
    id: uuid(),
    courseId: uuid(),
    moduleId: uuid(),
    title: Type.String(),
    type: Type.Enum(lessonTypeEnum.enumValues),
    position: Type.Integer(),
    durationSeconds: Type.Integer(),
    isPreview: Type.Boolean(),
    content: Type.Object({}, { additionalProperties: true, description: 'Type-specific lesson body.' }),
    videoUrl: nullable(Type.String()),
    updatedAt: dateTime(),
  },
  {
    additionalProperties: false,
    title: 'CatalogLesson',
    examples: [
      {
        id: '2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e',
        courseId: '0b7f5a52-4d8e-4c8a-9a39-1f0e6d1c2b3a',
        moduleId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
        title: 'Your first type',
        type: 'text',
        position: 1,
        durationSeconds: 600,
        isPreview: false,
        content: { body: '# Your first type\n...' },
        videoUrl: null,
        updatedAt: '2025-03-01T09:30:00.000Z',
      },
    ],
  },
);
export type CatalogLesson = Static<typeof CatalogLessonSchema>;

/**
 * `id` accepts the course id or its slug. The parameter is named `id` like the authoring routes on the
 * same paths (PATCH/DELETE /courses/{id}), so the OpenAPI document has one path item per path: OpenAPI
 * treats `/courses/{id}` and `/courses/{idOrSlug}` as the same path, and two of them make it invalid.
 */
export const CourseParams = Type.Object(
  {
    id: Type.String({
      minLength: 1,
      maxLength: 200,
      description: 'The course id (UUID) or its slug.',
    }),
  },
  { additionalProperties: false },
);

export const LessonParams = Type.Object(
  { ...CourseParams.properties, lessonId: uuid('A lesson of this course.') },
  { additionalProperties: false },
);

export const IfNoneMatchHeaders = Type.Object({
  'if-none-match': Type.Optional(
    Type.String({ description: 'An ETag from an earlier response: 304 Not Modified if it still matches.' }),
  ),
});
