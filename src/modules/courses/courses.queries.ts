/**
 * The SQL of the course services that would make them long: reads of counts and outlines, the
 * instructor's course list, and the slug lookups of creation. Writes stay in the services.
 */
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Database } from '../../infrastructure/database/client/client.js';
import {
  type CourseStatus,
  courseModules,
  coursePrerequisites,
  courses,
  enrollments,
  lessons,
  users,
} from '../../infrastructure/database/schema/index.js';
import { microsecondKey, olderThan, type TimestampIdCursor } from '../../shared/keyset.js';
import type { Executor, Transaction } from '../../shared/transaction.js';

/** `created_at` with its microseconds, the cursor's timestamp (newest first, then id). */
const createdAtKey = microsecondKey(courses.createdAt);

export async function countOutline(tx: Transaction, courseId: string) {
  const [counts] = await tx
    .select({
      modules: sql<number>`count(distinct ${courseModules.id})::int`,
      lessons: sql<number>`count(${lessons.id})::int`,
    })
    .from(courseModules)
    .leftJoin(lessons, eq(lessons.moduleId, courseModules.id))
    .where(eq(courseModules.courseId, courseId));
  return { modules: counts?.modules ?? 0, lessons: counts?.lessons ?? 0 };
}

export async function hasEnrollments(tx: Transaction, courseId: string): Promise<boolean> {
  const rows = await tx
    .select({ id: enrollments.id })
    .from(enrollments)
    .where(eq(enrollments.courseId, courseId))
    .limit(1);
  return rows.length > 0;
}

/** The role and state of a would-be owner of a course, or undefined when no such user exists. */
export async function findOwnerCandidate(db: Database, userId: string) {
  const [owner] = await db
    .select({ role: users.role, isActive: users.isActive })
    .from(users)
    .where(eq(users.id, userId));
  return owner;
}

/** Which of the candidate slugs courses already use. */
export async function takenSlugs(db: Database, candidates: string[]): Promise<Set<string>> {
  const taken = await db
    .select({ slug: courses.slug })
    .from(courses)
    .where(inArray(courses.slug, candidates));
  return new Set(taken.map((row) => row.slug));
}

/** Whether a course holds the slug right now (read inside the edit's transaction). */
export async function slugIsHeld(tx: Transaction, slug: string): Promise<boolean> {
  const [holder] = await tx.select({ id: courses.id }).from(courses).where(eq(courses.slug, slug));
  return holder !== undefined;
}

/** One page (plus one row, to know whether there is a next) of courses, newest first. */
export function findCoursesPage(
  db: Database,
  filter: { instructorId?: string | undefined; status?: CourseStatus | undefined; limit: number },
  after: TimestampIdCursor | undefined,
) {
  return db
    .select({ course: courses, cursorKey: createdAtKey })
    .from(courses)
    .where(
      and(
        filter.instructorId === undefined ? undefined : eq(courses.instructorId, filter.instructorId),
        filter.status === undefined ? undefined : eq(courses.status, filter.status),
        after === undefined ? undefined : olderThan(courses.createdAt, courses.id, after),
      ),
    )
    .orderBy(desc(courses.createdAt), desc(courses.id))
    .limit(filter.limit + 1);
}

/** The course with every module and lesson in position order, read in one statement. */
export function findCourseWithOutline(db: Database, courseId: string) {
  return db.query.courses.findFirst({
    where: eq(courses.id, courseId),
    with: {
      modules: {
        orderBy: [asc(courseModules.position)],
        with: { lessons: { orderBy: [asc(lessons.position)] } },
      },
    },
  });
}

/** What authorising an author's read needs: the owner, the status and the version. */
export async function findCourseAuthorFacts(db: Executor, courseId: string) {
  const [course] = await db
    .select({ instructorId: courses.instructorId, status: courses.status, version: courses.version })
    .from(courses)
    .where(eq(courses.id, courseId));
  return course;
}

export interface PrerequisiteCourse {
  id: string;
  slug: string;
  title: string;
  status: CourseStatus;
}

/** The prerequisite courses of a course, by title. */
export function findPrerequisites(db: Executor, courseId: string): Promise<PrerequisiteCourse[]> {
  return db
    .select({ id: courses.id, slug: courses.slug, title: courses.title, status: courses.status })
    .from(coursePrerequisites)
    .innerJoin(courses, eq(courses.id, coursePrerequisites.prerequisiteCourseId))
    .where(eq(coursePrerequisites.courseId, courseId))
    .orderBy(asc(courses.title), asc(courses.id));
}

/** Which of `ids` are published courses. */
export async function publishedCourseIds(db: Executor, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .select({ id: courses.id })
    .from(courses)
    .where(and(inArray(courses.id, ids), eq(courses.status, 'published')));
  return new Set(rows.map((row) => row.id));
}

/**
 * A path from one of `prerequisiteIds` through existing prerequisite links back to `courseId`, if
 * there is one (requiring them would close a cycle): the courses along it, the new prerequisite first
 * and `courseId` last. Depth-bounded by the number of courses linked; UNION drops revisits.
 */
export async function findPrerequisiteCycle(
  tx: Transaction,
  courseId: string,
  prerequisiteIds: string[],
): Promise<{ id: string; title: string }[] | undefined> {
  if (prerequisiteIds.length === 0) return undefined;
  const starts = sql.join(
    prerequisiteIds.map((id) => sql`${id}::uuid`),
    sql`, `,
  );
  const result = await tx.execute<{ path: string[] }>(sql`
    WITH RECURSIVE walk(id, path) AS (
      SELECT start.id, ARRAY[start.id] FROM unnest(ARRAY[${starts}]) AS start(id)
      UNION
      SELECT cp.prerequisite_course_id, walk.path || cp.prerequisite_course_id
        FROM walk JOIN course_prerequisites cp ON cp.course_id = walk.id
       WHERE walk.id <> ${courseId}::uuid AND NOT cp.prerequisite_course_id = ANY(walk.path)
    )
    SELECT path::text[] AS path FROM walk WHERE id = ${courseId}::uuid LIMIT 1`);
  const path = result.rows[0]?.path;
  if (!path) return undefined;
  const titles = await tx
    .select({ id: courses.id, title: courses.title })
    .from(courses)
    .where(inArray(courses.id, path));
  const byId = new Map(titles.map((row) => [row.id, row.title]));
  return path.map((id) => ({ id, title: byId.get(id) ?? id }));
}
