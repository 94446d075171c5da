/**
 * The SQL of the course services that would make them long: reads of counts and outlines, the
 * instructor's course list, and the slug lookups of creation. Writes stay in the services.
 */
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Database } from '../../infrastructure/database/client/client.js';
import {
  type CourseStatus,
  courseModules,
  courses,
  enrollments,
  lessons,
  users,
} from '../../infrastructure/database/schema/index.js';
import { microsecondKey, olderThan, type TimestampIdCursor } from '../../shared/keyset.js';
import type { Transaction } from '../../shared/transaction.js';

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
