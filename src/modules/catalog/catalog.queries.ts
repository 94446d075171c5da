import { and, asc, eq, type SQL, sql } from 'drizzle-orm';
import type { Database } from '../../infrastructure/database/client/client.js';
import {
  type CourseStatus,
  courseModules,
  courses,
  type Difficulty,
  type EnrollmentStatus,
  type LessonContent,
  type LessonType,
  lessons,
  users,
} from '../../infrastructure/database/schema/index.js';
import { microsecondKey, olderThan, type TimestampIdCursor } from '../../shared/keyset.js';

/** Read access to the database: the application's pool, or a transaction on it. */
type Reader = Pick<Database, 'execute' | 'select'>;

export type CatalogSort = 'newest' | 'title' | 'popular' | 'relevance';

export interface CatalogFilters {
  q?: string | undefined;
  difficulty?: Difficulty | undefined;
  category?: string | undefined;
  tag?: string | undefined;
  instructorId?: string | undefined;
  free?: boolean | undefined;
  minPrice?: number | undefined;
  maxPrice?: number | undefined;
  currency?: string | undefined;
}

/**
 * The last row's sort key, for keyset pagination. `s` names the sort so a cursor from another sort
 * is rejected; `p` is published_at with microseconds (a JS Date would drop them and skip or repeat
 * rows); `r` is the rank exactly as PostgreSQL printed the float4, which reads back to the same float4.
 */
export type CatalogCursor =
  | ({ s: 'newest' } & TimestampIdCursor)
  | { s: 'title'; t: string; id: string }
  | { s: 'popular'; n: number; id: string }
  | { s: 'relevance'; r: number; id: string };

export interface CourseListRow extends Record<string, unknown> {
  id: string;
  slug: string;
  title: string;
  subtitle: string | null;
  difficulty: Difficulty;
  price_cents: number;
  currency: string;
  category: string | null;
  tags: string[];
  language: string;
  thumbnail_url: string | null;
  /** Raw timestamptz text (drizzle leaves timestamps of raw queries unparsed); use published_at_key. */
  published_at: string;
  enrollment_count: number;
  instructor_id: string;
  instructor_name: string;
  lesson_count: number;
  total_duration_seconds: string;
  /** published_at as `YYYY-MM-DDTHH:MM:SS.ffffffZ`, for the cursor. */
  published_at_key: string;
  rank: number | null;
}

const tsQuery = (q: string) => sql`websearch_to_tsquery('english', ${q})`;

/** ts_rank_cd of a course against `q`: the one expression used to select, order and page by rank. */
const rankOf = (q: string) => sql`ts_rank_cd(c.search_vector, ${tsQuery(q)})`;

function filterConditions(filters: CatalogFilters): SQL[] {
  const conditions: SQL[] = [sql`c.status = 'published'`];
  if (filters.q !== undefined) conditions.push(sql`c.search_vector @@ ${tsQuery(filters.q)}`);
  if (filters.difficulty !== undefined) conditions.push(sql`c.difficulty = ${filters.difficulty}`);
  if (filters.category !== undefined) conditions.push(sql`c.category = ${filters.category}`);
  // `@>` with an array literal is what the GIN index on tags serves. The cast is inside the brackets so that
  // a missing value is an SQL error, not `ARRAY[]` (which every row contains).
  if (filters.tag !== undefined) conditions.push(sql`c.tags @> ARRAY[${filters.tag}::text]`);
  if (filters.instructorId !== undefined) conditions.push(sql`c.instructor_id = ${filters.instructorId}`);
  if (filters.free === true) conditions.push(sql`c.price_cents = 0`);
  if (filters.free === false) conditions.push(sql`c.price_cents > 0`);
  if (filters.minPrice !== undefined) conditions.push(sql`c.price_cents >= ${filters.minPrice}`);
  if (filters.maxPrice !== undefined) conditions.push(sql`c.price_cents <= ${filters.maxPrice}`);
  if (filters.currency !== undefined) conditions.push(sql`c.currency = ${filters.currency}`);
  return conditions;
}

/**
 * Per sort: the ORDER BY (inner, on `c`, and outer, on the page) and the keyset condition. Every
 * sort is a row comparison on (key, id) in one direction, which the matching btree index
 * (migration 0002) answers as an index condition; relevance compares the same rank expression.
 */
function sortClauses(sort: CatalogSort, q: string | undefined, after: CatalogCursor | undefined) {
  switch (sort) {
    case 'newest':
      return {
        inner: sql`c.published_at DESC, c.id DESC`,
        outer: sql`page.published_at DESC, page.id DESC`,
        after: after?.s === 'newest' ? olderThan(sql`c.published_at`, sql`c.id`, after) : undefined,
      };
    case 'title':
      return {
        inner: sql`c.title ASC, c.id ASC`,
        outer: sql`page.title ASC, page.id ASC`,
        after:
          after?.s === 'title' ? sql`(c.title, c.id) > (${after.t}::text, ${after.id}::uuid)` : undefined,
      };
    case 'popular':
      return {
        inner: sql`c.enrollment_count DESC, c.id DESC`,
        outer: sql`page.enrollment_count DESC, page.id DESC`,
        after:
          after?.s === 'popular'
            ? sql`(c.enrollment_count, c.id) < (${after.n}::int, ${after.id}::uuid)`
            : undefined,
      };
    case 'relevance': {
      if (q === undefined) throw new Error('relevance sort needs a search query');
      return {
        inner: sql`${rankOf(q)} DESC, c.id DESC`,
        outer: sql`page.rank DESC, page.id DESC`,
        after:
          after?.s === 'relevance'
            ? sql`(${rankOf(q)}, c.id) < (${after.r}::real, ${after.id}::uuid)`
            : undefined,
      };
    }
  }
}

/**
 * One page of published courses. The page (limit rows, chosen by an index-ordered scan) is picked
 * first; only then are instructors joined and lesson counts and durations aggregated, per page row
 * through lessons_course_id_idx, so the cost does not grow with the catalog or the lessons table.
 */
export function coursePageQuery(
  filters: CatalogFilters,
  sort: CatalogSort,
  after: CatalogCursor | undefined,
  limit: number,
): SQL {
  const order = sortClauses(sort, filters.q, after);
  const conditions = filterConditions(filters);
  if (order.after) conditions.push(order.after);
  const rank = filters.q === undefined ? sql`NULL::real` : rankOf(filters.q);
  return sql`
    WITH page AS (
      SELECT c.id, c.slug, c.title, c.subtitle, c.difficulty, c.price_cents, c.currency, c.category, c.tags,
             c.language, c.thumbnail_url, c.published_at, c.enrollment_count, c.instructor_id,
             ${rank} AS rank
      FROM courses c
      WHERE ${sql.join(conditions, sql` AND `)}
      ORDER BY ${order.inner}
      LIMIT ${limit}
    )
    SELECT page.*,
           ${microsecondKey(sql`page.published_at`)} AS published_at_key,
           u.name AS instructor_name,
           stats.lesson_count,
           stats.total_duration_seconds
    FROM page
    JOIN users u ON u.id = page.instructor_id
    CROSS JOIN LATERAL (
      SELECT count(*)::int AS lesson_count, coalesce(sum(l.duration_seconds), 0)::bigint AS total_duration_seconds
      FROM lessons l
      WHERE l.course_id = page.id
    ) stats
    ORDER BY ${order.outer}`;
}

export async function selectCoursePage(
  db: Reader,
  filters: CatalogFilters,
  sort: CatalogSort,
  after: CatalogCursor | undefined,
  limit: number,
): Promise<CourseListRow[]> {
  const result = await db.execute<CourseListRow>(coursePageQuery(filters, sort, after, limit));
  return result.rows;
}

/** Id of the course with this id (tried first, when `idOrSlug` is a UUID) or else this slug. */
export async function selectCourseId(
  db: Reader,
  idOrSlug: { id?: string | undefined; slug?: string | undefined },
): Promise<string | undefined> {
  const matches: SQL[] = [];
  if (idOrSlug.id !== undefined) matches.push(sql`id = ${idOrSlug.id}::uuid`);
  if (idOrSlug.slug !== undefined) matches.push(sql`slug = ${idOrSlug.slug}`);
  if (matches.length === 0) return undefined;
  // A UUID-shaped slug is legal; the course whose id it is wins.
  const idFirst =
    idOrSlug.id === undefined ? sql`` : sql`ORDER BY CASE WHEN id = ${idOrSlug.id}::uuid THEN 0 ELSE 1 END`;
  const result = await db.execute<{ id: string }>(
    sql`SELECT id FROM courses WHERE ${sql.join(matches, sql` OR `)} ${idFirst} LIMIT 1`,
  );
  return result.rows[0]?.id;
}

/**
 * What decides who may see a course: its status, its instructor, and whether `userId` holds an
 * enrollment that grants access (active or completed, and not past its expiry even before the
 * expiry sweep has marked it expired).
 */
export interface CourseAccessFacts {
  status: CourseStatus;
  instructorId: string;
  enrolled: boolean;
  /**
   * The caller's enrollment in the course as it stands for access: its status, or `expired` for an
   * active or completed one past its expiry that the sweep has not marked yet; null without one.
   */
  enrollmentStatus: EnrollmentStatus | null;
  /** Modules unlock in order for learners (the progress module's rule decides what is locked). */
  sequentialModules: boolean;
}

export async function selectCourseAccess(
  db: Reader,
  courseId: string,
  userId: string | null,
): Promise<CourseAccessFacts | undefined> {
  const enrollmentStatus =
    // Stryker disable next-line ConditionalExpression: equivalent, a speed-up: the subquery finds no enrollment for a NULL user id either
    userId === null
      ? sql`NULL::enrollment_status`
      : sql`(
          SELECT CASE WHEN e.expires_at IS NOT NULL AND e.expires_at <= now() THEN 'expired'::enrollment_status
                      ELSE e.status END
            FROM enrollments e
           WHERE e.course_id = c.id AND e.user_id = ${userId}::uuid)`;
  const result = await db.execute<{
    status: CourseStatus;
    instructor_id: string;
    enrollment_status: EnrollmentStatus | null;
    sequential_modules: boolean;
  }>(
    sql`SELECT c.status, c.instructor_id, ${enrollmentStatus} AS enrollment_status, c.sequential_modules
          FROM courses c WHERE c.id = ${courseId}::uuid`,
  );
  const row = result.rows[0];
  return (
    row && {
      status: row.status,
      instructorId: row.instructor_id,
      enrolled: row.enrollment_status === 'active' || row.enrollment_status === 'completed',
      enrollmentStatus: row.enrollment_status,
      sequentialModules: row.sequential_modules,
    }
  );
}

export async function selectCourseWithInstructor(db: Reader, courseId: string) {
  const [row] = await db
    .select({
      id: courses.id,
      slug: courses.slug,
      title: courses.title,
      subtitle: courses.subtitle,
      description: courses.description,
      status: courses.status,
      difficulty: courses.difficulty,
      priceCents: courses.priceCents,
      currency: courses.currency,
      category: courses.category,
      tags: courses.tags,
      language: courses.language,
      thumbnailUrl: courses.thumbnailUrl,
      publishedAt: courses.publishedAt,
      archivedAt: courses.archivedAt,
      updatedAt: courses.updatedAt,
      enrollmentCount: courses.enrollmentCount,
      instructorId: users.id,
      instructorName: users.name,
    })
    .from(courses)
    .innerJoin(users, eq(users.id, courses.instructorId))
    .where(eq(courses.id, courseId));
  return row;
}

export type CourseWithInstructor = NonNullable<Awaited<ReturnType<typeof selectCourseWithInstructor>>>;

export interface OutlineLessonRow {
  id: string;
  moduleId: string;
  title: string;
  type: LessonType;
  position: number;
  durationSeconds: number;
  isPreview: boolean;
  content: LessonContent | null;
  videoUrl: string | null;
}

/**
 * Modules and lessons in order. Lesson bodies are read only where they will be shown (every lesson
 * with `withBodies`, else preview lessons only), so a public outline never carries them.
 */
export async function selectOutline(db: Reader, courseId: string, withBodies: boolean) {
  const showBody = withBodies ? sql`true` : sql`${lessons.isPreview}`;
  const [moduleRows, lessonRows] = await Promise.all([
    db
      .select({
        id: courseModules.id,
        title: courseModules.title,
        description: courseModules.description,
        position: courseModules.position,
      })
      .from(courseModules)
      .where(eq(courseModules.courseId, courseId))
      .orderBy(asc(courseModules.position)),
    db
      .select({
        id: lessons.id,
        moduleId: lessons.moduleId,
        title: lessons.title,
        type: lessons.type,
        position: lessons.position,
        durationSeconds: lessons.durationSeconds,
        isPreview: lessons.isPreview,
        content: sql<LessonContent | null>`CASE WHEN ${showBody} THEN ${lessons.content} END`,
        videoUrl: sql<string | null>`CASE WHEN ${showBody} THEN ${lessons.videoUrl} END`,
      })
      .from(lessons)
      .where(eq(lessons.courseId, courseId))
      .orderBy(asc(lessons.moduleId), asc(lessons.position)),
  ]);
  return { moduleRows, lessonRows: lessonRows as OutlineLessonRow[] };
}

export async function selectLesson(db: Reader, courseId: string, lessonId: string) {
  const [row] = await db
    .select({
      id: lessons.id,
      courseId: lessons.courseId,
      moduleId: lessons.moduleId,
      title: lessons.title,
      type: lessons.type,
      position: lessons.position,
      durationSeconds: lessons.durationSeconds,
      isPreview: lessons.isPreview,
      content: lessons.content,
      videoUrl: lessons.videoUrl,
      updatedAt: lessons.updatedAt,
    })
    .from(lessons)
    .where(and(eq(lessons.id, lessonId), eq(lessons.courseId, courseId)));
  return row;
}
