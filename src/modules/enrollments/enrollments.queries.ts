/**
 * The SQL of the enrollment services: the course facts enrolment rules need, the enrollment views
 * (with course title and next lesson), the keyset pages of "my enrollments" and of a course's roster.
 * Writes stay in the services.
 */
import { and, eq, type SQL, sql } from 'drizzle-orm';
import {
  type CourseStatus,
  type Enrollment,
  type EnrollmentStatus,
  enrollments,
} from '../../infrastructure/database/schema/index.js';
import { microsecondKey } from '../../shared/keyset.js';
import type { Executor } from '../../shared/transaction.js';

/** What the enrolment rules need to know about a course. */
export interface EnrolmentCourse {
  id: string;
  title: string;
  slug: string;
  status: CourseStatus;
  instructorId: string;
  priceCents: number;
  accessDurationDays: number | null;
}

export async function findEnrolmentCourse(
  db: Executor,
  courseId: string,
): Promise<EnrolmentCourse | undefined> {
  const result = await db.execute<{
    id: string;
    title: string;
    slug: string;
    status: CourseStatus;
    instructor_id: string;
    price_cents: number;
    access_duration_days: number | null;
  }>(sql`SELECT id, title, slug, status, instructor_id, price_cents, access_duration_days
           FROM courses WHERE id = ${courseId}::uuid`);
  const row = result.rows[0];
  return (
    row && {
      id: row.id,
      title: row.title,
      slug: row.slug,
      status: row.status,
      instructorId: row.instructor_id,
      priceCents: row.price_cents,
      accessDurationDays: row.access_duration_days,
    }
  );
}

export async function findEnrollmentOf(
  db: Executor,
  userId: string,
  courseId: string,
): Promise<Enrollment | undefined> {
  const [row] = await db
    .select()
    .from(enrollments)
    .where(and(eq(enrollments.userId, userId), eq(enrollments.courseId, courseId)));
  return row;
}

/** The user's active enrollment in the course (access to its lessons), if any. */
export async function findActiveEnrollment(
  db: Executor,
  userId: string,
  courseId: string,
): Promise<Enrollment | undefined> {
  const [row] = await db
    .select()
    .from(enrollments)
    .where(
      and(
        eq(enrollments.userId, userId),
        eq(enrollments.courseId, courseId),
        eq(enrollments.status, 'active'),
      ),
    );
  return row;
}

export type MissingPrerequisite = {
  id: string;
  slug: string;
  title: string;
};

/** The course's prerequisites `userId` has not completed (a `completed` enrollment), by title. */
export async function findMissingPrerequisites(
  db: Executor,
  userId: string,
  courseId: string,
): Promise<MissingPrerequisite[]> {
  const result = await db.execute<MissingPrerequisite>(sql`
    SELECT c.id, c.slug, c.title
      FROM course_prerequisites cp
      JOIN courses c ON c.id = cp.prerequisite_course_id
     WHERE cp.course_id = ${courseId}::uuid
       AND NOT EXISTS (
         SELECT 1 FROM enrollments e
          WHERE e.user_id = ${userId}::uuid AND e.course_id = cp.prerequisite_course_id
            AND e.status = 'completed')
     ORDER BY c.title, c.id`);
  return result.rows;
}

export async function findActiveUser(db: Executor, userId: string): Promise<boolean> {
  const result = await db.execute<{ ok: boolean }>(
    sql`SELECT is_active AS ok FROM users WHERE id = ${userId}::uuid`,
  );
  return result.rows[0]?.ok === true;
}

/**
 * Rows of `db.execute` carry timestamps as PostgreSQL prints them (Drizzle turns off node-postgres'
 * date parsing); the views turn them into ISO strings.
 */

/** An enrollment with what its views show: the course, the course's instructor, the next lesson. */
export type EnrollmentViewRow = {
  id: string;
  user_id: string;
  course_id: string;
  status: EnrollmentStatus;
  enrolled_at: string;
  expires_at: string | null;
  completed_at: string | null;
  dropped_at: string | null;
  last_accessed_at: string | null;
  progress_percent: number;
  completed_lesson_count: number;
  time_spent_seconds: number;
  enrolled_by: string | null;
  course_slug: string;
  course_title: string;
  course_status: CourseStatus;
  course_thumbnail_url: string | null;
  course_instructor_id: string;
  next_lesson_id: string | null;
  next_lesson_title: string | null;
  next_lesson_module_id: string | null;
  /** `last_accessed_at` with microseconds (the list's cursor), null when never accessed. */
  accessed_key: string | null;
};

/**
 * The enrollment columns, its course, and for an active enrollment the first lesson in outline order
 * (module position, then lesson position) the learner has not completed: one index probe per lesson
 * on lesson_progress (user_id, lesson_id), over the lessons of one course.
 */
const viewSelect = sql`
  SELECT e.id, e.user_id, e.course_id, e.status, e.enrolled_at, e.expires_at, e.completed_at, e.dropped_at,
         e.last_accessed_at, e.progress_percent, e.completed_lesson_count, e.time_spent_seconds, e.enrolled_by,
         c.slug AS course_slug, c.title AS course_title, c.status AS course_status,
         c.thumbnail_url AS course_thumbnail_url, c.instructor_id AS course_instructor_id,
         nl.id AS next_lesson_id, nl.title AS next_lesson_title, nl.module_id AS next_lesson_module_id,
         ${microsecondKey(sql`e.last_accessed_at`)} AS accessed_key
    FROM enrollments e
    JOIN courses c ON c.id = e.course_id
    LEFT JOIN LATERAL (
      SELECT l.id, l.title, l.module_id
        FROM lessons l
        JOIN course_modules m ON m.id = l.module_id
       WHERE e.status = 'active' AND l.course_id = e.course_id
         AND NOT EXISTS (
           SELECT 1 FROM lesson_progress lp
            WHERE lp.user_id = e.user_id AND lp.lesson_id = l.id AND lp.status = 'completed')
       ORDER BY m.position, l.position
       LIMIT 1
    ) nl ON true`;

export async function findEnrollmentView(
  db: Executor,
  enrollmentId: string,
): Promise<EnrollmentViewRow | undefined> {
  const result = await db.execute<EnrollmentViewRow>(sql`${viewSelect} WHERE e.id = ${enrollmentId}::uuid`);
  return result.rows[0];
}

/** The position after a row of "my enrollments": its last access (null: never) and its id. */
export interface AccessedCursor {
  a: string | null;
  id: string;
}

/**
 * Rows after `cursor` in `ORDER BY last_accessed_at DESC NULLS FIRST, id DESC`, the order of the
 * index enrollments_user_id_last_accessed_at_idx: never-opened enrollments (just enrolled) first,
 * then the most recently used.
 */
function afterAccessed(cursor: AccessedCursor): SQL {
  if (cursor.a === null) {
    return sql`(e.last_accessed_at IS NOT NULL OR (e.last_accessed_at IS NULL AND e.id < ${cursor.id}::uuid))`;
  }
  return sql`(e.last_accessed_at < ${cursor.a}::timestamptz
              OR (e.last_accessed_at = ${cursor.a}::timestamptz AND e.id < ${cursor.id}::uuid))`;
}

export async function findMyEnrollmentsPage(
  db: Executor,
  userId: string,
  filter: { status?: EnrollmentStatus | undefined; limit: number },
  after: AccessedCursor | undefined,
): Promise<EnrollmentViewRow[]> {
  const conditions: SQL[] = [sql`e.user_id = ${userId}::uuid`];
  if (filter.status !== undefined) conditions.push(sql`e.status = ${filter.status}::enrollment_status`);
  if (after !== undefined) conditions.push(afterAccessed(after));
  const result = await db.execute<EnrollmentViewRow>(sql`
    ${viewSelect}
    WHERE ${sql.join(conditions, sql` AND `)}
    ORDER BY e.last_accessed_at DESC NULLS FIRST, e.id DESC
    LIMIT ${filter.limit + 1}`);
  return result.rows;
}

/** One learner on a course's roster. */
export type RosterRow = {
  id: string;
  user_id: string;
  user_name: string;
  user_email: string;
  status: EnrollmentStatus;
  enrolled_at: string;
  expires_at: string | null;
  completed_at: string | null;
  dropped_at: string | null;
  last_accessed_at: string | null;
  progress_percent: number;
  completed_lesson_count: number;
  time_spent_seconds: number;
  enrolled_key: string;
};

/**
 * Up to `limit + 1` roster rows after `after`, newest enrolment first. The course's enrollments come
 * from enrollments_course_id_status_idx and are sorted: cheap for rosters of thousands.
 */
export async function findRosterPage(
  db: Executor,
  courseId: string,
  filter: { status?: EnrollmentStatus | undefined; limit: number },
  after: { p: string; id: string } | undefined,
): Promise<RosterRow[]> {
  const conditions: SQL[] = [sql`e.course_id = ${courseId}::uuid`];
  if (filter.status !== undefined) conditions.push(sql`e.status = ${filter.status}::enrollment_status`);
  if (after !== undefined) {
    conditions.push(sql`(e.enrolled_at, e.id) < (${after.p}::timestamptz, ${after.id}::uuid)`);
  }
  const result = await db.execute<RosterRow>(sql`
    SELECT e.id, e.user_id, u.name AS user_name, u.email AS user_email, e.status, e.enrolled_at, e.expires_at, e.completed_at,
           e.dropped_at, e.last_accessed_at, e.progress_percent, e.completed_lesson_count, e.time_spent_seconds,
           ${microsecondKey(sql`e.enrolled_at`)} AS enrolled_key
      FROM enrollments e
      JOIN users u ON u.id = e.user_id
     WHERE ${sql.join(conditions, sql` AND `)}
     ORDER BY e.enrolled_at DESC, e.id DESC
     LIMIT ${filter.limit + 1}`);
  return result.rows;
}
