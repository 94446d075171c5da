import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  customType,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  unique,
  uuid,
} from 'drizzle-orm/pg-core';
import {
  currency,
  currencyCheck,
  emptyJsonObject,
  emptyTextArray,
  id,
  jsonbTypeCheck,
  nonNegative,
  rangeCheck,
  timestamps,
  timestamptz,
} from './columns.js';
import { courseStatusEnum, difficultyEnum, lessonTypeEnum } from './enums.schema.js';
import { users } from './users.schema.js';

/** PostgreSQL full-text search document. Read-only from the application (generated column). */
export const tsvector = customType<{ data: string; driverData: string }>({
  dataType() {
    return 'tsvector';
  },
});

/**
 * Course catalog. `version` is an optimistic-concurrency counter (`UPDATE ... WHERE version = $n`),
 * `enrollment_count` a denormalised counter maintained in the enrollment transaction (popularity sort).
 * A course with enrollments cannot be deleted (enrollments.course_id is RESTRICT): archive it instead.
 */
export const courses = pgTable(
  'courses',
  {
    id: id(),
    instructorId: uuid('instructor_id').notNull(),
    slug: text('slug').notNull(),
    title: text('title').notNull(),
    subtitle: text('subtitle'),
    description: text('description'),
    status: courseStatusEnum('status').notNull().default('draft'),
    difficulty: difficultyEnum('difficulty').notNull().default('beginner'),
    priceCents: integer('price_cents').notNull().default(0),
    currency: currency(),
    /** BCP 47 language tag of the course content. */
    language: text('language').notNull().default('en'),
    category: text('category'),
    tags: text('tags').array().notNull().default(emptyTextArray),
    thumbnailUrl: text('thumbnail_url'),
    publishedAt: timestamptz('published_at'),
    archivedAt: timestamptz('archived_at'),
    version: integer('version').notNull().default(1),
    enrollmentCount: integer('enrollment_count').notNull().default(0),
    /** Each module unlocks when every required lesson of the modules before it is completed. */
    sequentialModules: boolean('sequential_modules').notNull().default(false),
    /** Days of access from enrolment (NULL: no expiry); sets `enrollments.expires_at`. */
    accessDurationDays: integer('access_duration_days'),
    searchVector: tsvector('search_vector').generatedAlwaysAs(
      sql`setweight(to_tsvector('english', coalesce(title, '')), 'A') || setweight(to_tsvector('english', coalesce(description, '')), 'B')`,
    ),
    ...timestamps,
  },
  (t) => [
    foreignKey({
      name: 'courses_instructor_id_fk',
      columns: [t.instructorId],
      foreignColumns: [users.id],
    }).onDelete('restrict'),
    unique('courses_slug_unique').on(t.slug),
    index('courses_instructor_id_idx').on(t.instructorId, t.createdAt),
    // Public catalog sorts, keyset-paginated with a row comparison on (sort key, id): both columns go
    // the same direction so `(published_at, id) < ($1, $2)` is an index condition, and a page deep into
    // a run of equal keys (thousands of courses with 0 enrollments) costs the same as the first page.
    // Newest: WHERE status = 'published' ORDER BY published_at DESC, id DESC.
    index('courses_status_published_at_idx').on(
      t.status,
      t.publishedAt.desc().nullsFirst(),
      t.id.desc().nullsFirst(),
    ),
    // Popularity: WHERE status = 'published' ORDER BY enrollment_count DESC, id DESC.
    index('courses_status_enrollment_count_idx').on(
      t.status,
      t.enrollmentCount.desc().nullsFirst(),
      t.id.desc().nullsFirst(),
    ),
    // Title: WHERE status = 'published' ORDER BY title, id.
    index('courses_status_title_idx').on(t.status, t.title, t.id),
    index('courses_category_idx').on(t.category),
    index('courses_tags_idx').using('gin', t.tags),
    index('courses_search_vector_idx').using('gin', t.searchVector),
    check('courses_slug_format_check', sql`${t.slug} ~ '^[a-z0-9]+(-[a-z0-9]+)*$'`),
    check('courses_title_not_blank_check', sql`length(btrim(${t.title})) > 0`),
    nonNegative('courses_price_cents_check', t.priceCents),
    currencyCheck('courses_currency_check', t.currency),
    check('courses_version_check', sql`${t.version} >= 1`),
    nonNegative('courses_enrollment_count_check', t.enrollmentCount),
    check('courses_published_at_check', sql`${t.status} <> 'published' OR ${t.publishedAt} IS NOT NULL`),
    rangeCheck('courses_access_duration_days_check', t.accessDurationDays, 1, 36_500),
  ],
);

/** Ordered sections of a course. `position` is 0-based and unique within the course. */
export const courseModules = pgTable(
  'course_modules',
  {
    id: id(),
    courseId: uuid('course_id').notNull(),
    title: text('title').notNull(),
    description: text('description'),
    position: integer('position').notNull(),
    ...timestamps,
  },
  (t) => [
    foreignKey({
      name: 'course_modules_course_id_fk',
      columns: [t.courseId],
      foreignColumns: [courses.id],
    }).onDelete('cascade'),
    unique('course_modules_course_id_position_unique').on(t.courseId, t.position),
    // Target of lessons' composite FK: a lesson's course_id must be its module's course_id.
    unique('course_modules_id_course_id_unique').on(t.id, t.courseId),
    nonNegative('course_modules_position_check', t.position),
  ],
);

/** Type-specific lesson body (text: markdown; live_session: schedule; download: files; ...). */
export type LessonContent = Record<string, unknown>;

/**
 * Lessons, ordered within a module. `course_id` is denormalised (course outline and progress queries
 * need no join) and kept consistent by the composite FK (module_id, course_id) → course_modules.
 * Quizzes and assignments point at their lesson (not the other way round) to avoid FK cycles.
 */
export const lessons = pgTable(
  'lessons',
  {
    id: id(),
    moduleId: uuid('module_id').notNull(),
    courseId: uuid('course_id').notNull(),
    title: text('title').notNull(),
    type: lessonTypeEnum('type').notNull(),
    position: integer('position').notNull(),
    content: jsonb('content').$type<LessonContent>().notNull().default(emptyJsonObject),
    videoUrl: text('video_url'),
    durationSeconds: integer('duration_seconds').notNull().default(0),
    isPreview: boolean('is_preview').notNull().default(false),
    /** Counts towards course completion; optional lessons (extras, further reading) do not. */
    isRequired: boolean('is_required').notNull().default(true),
    ...timestamps,
  },
  (t) => [
    foreignKey({
      name: 'lessons_module_id_course_id_fk',
      columns: [t.moduleId, t.courseId],
      foreignColumns: [courseModules.id, courseModules.courseId],
    }).onDelete('cascade'),
    foreignKey({
      name: 'lessons_course_id_fk',
      columns: [t.courseId],
      foreignColumns: [courses.id],
    }).onDelete('cascade'),
    unique('lessons_module_id_position_unique').on(t.moduleId, t.position),
    index('lessons_course_id_idx').on(t.courseId),
    nonNegative('lessons_position_check', t.position),
    nonNegative('lessons_duration_seconds_check', t.durationSeconds),
    jsonbTypeCheck('lessons_content_object_check', t.content, 'object'),
  ],
);

/**
 * Courses a learner must have completed before enrolling in `course_id`. Authored by the course's
 * instructor; a course cannot require itself (cycles through several courses are refused in code).
 */
export const coursePrerequisites = pgTable(
  'course_prerequisites',
  {
    courseId: uuid('course_id').notNull(),
    prerequisiteCourseId: uuid('prerequisite_course_id').notNull(),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ name: 'course_prerequisites_pkey', columns: [t.courseId, t.prerequisiteCourseId] }),
    foreignKey({
      name: 'course_prerequisites_course_id_fk',
      columns: [t.courseId],
      foreignColumns: [courses.id],
    }).onDelete('cascade'),
    foreignKey({
      name: 'course_prerequisites_prerequisite_course_id_fk',
      columns: [t.prerequisiteCourseId],
      foreignColumns: [courses.id],
    }).onDelete('cascade'),
    // "Which courses require this one" (deleting a course, showing what it unlocks).
    index('course_prerequisites_prerequisite_course_id_idx').on(t.prerequisiteCourseId),
    check('course_prerequisites_not_self_check', sql`${t.courseId} <> ${t.prerequisiteCourseId}`),
  ],
);

export type Course = typeof courses.$inferSelect;
export type NewCourse = typeof courses.$inferInsert;
export type CourseModule = typeof courseModules.$inferSelect;
export type NewCourseModule = typeof courseModules.$inferInsert;
export type Lesson = typeof lessons.$inferSelect;
export type NewLesson = typeof lessons.$inferInsert;
export type CoursePrerequisite = typeof coursePrerequisites.$inferSelect;
