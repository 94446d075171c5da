import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '../../../src/infrastructure/database/client/client.js';
import {
  bulkOperationItems,
  bulkOperations,
  coursePrerequisites,
  courses,
  type Enrollment,
  enrollments,
  type NewEnrollment,
} from '../../../src/infrastructure/database/schema/index.js';

/**
 * An enrollment of `userId` in `courseId`; `status: 'completed'` gets a completed_at and `'dropped'` a
 * dropped_at unless one is given (the schema's checks require them).
 */
export async function insertEnrollment(
  db: Database,
  userId: string,
  courseId: string,
  overrides: Partial<Omit<NewEnrollment, 'userId' | 'courseId'>> = {},
): Promise<Enrollment> {
  const status = overrides.status ?? 'active';
  const [enrollment] = await db
    .insert(enrollments)
    .values({
      ...overrides,
      userId,
      courseId,
      status,
      completedAt: overrides.completedAt ?? (status === 'completed' ? new Date() : null),
      droppedAt: overrides.droppedAt ?? (status === 'dropped' ? new Date() : null),
    })
    .returning();
  if (!enrollment) throw new Error('insertEnrollment: insert returned no row');
  return enrollment;
}

/** The enrollment rows of a course (or of a user in it), straight from the database. */
export async function enrollmentRows(db: Database, courseId: string, userId?: string): Promise<Enrollment[]> {
  return db
    .select()
    .from(enrollments)
    .where(
      userId === undefined
        ? eq(enrollments.courseId, courseId)
        : and(eq(enrollments.courseId, courseId), eq(enrollments.userId, userId)),
    );
}

/** The enrollments row with this id (throws when there is none, so a test reads its fields directly). */
export async function enrollmentRow(db: Database, enrollmentId: string): Promise<Enrollment> {
  const [row] = await db.select().from(enrollments).where(eq(enrollments.id, enrollmentId));
  if (!row) throw new Error(`enrollmentRow: no enrollment ${enrollmentId}`);
  return row;
}

/** `courses.enrollment_count` of a course. */
export async function enrollmentCountOf(db: Database, courseId: string): Promise<number> {
  const [row] = await db
    .select({ count: courses.enrollmentCount })
    .from(courses)
    .where(eq(courses.id, courseId));
  return row?.count ?? 0;
}

/** Makes `courseId` require each of `prerequisiteIds` (rows only, no checks). */
export async function insertPrerequisites(
  db: Database,
  courseId: string,
  prerequisiteIds: string[],
): Promise<void> {
  if (prerequisiteIds.length === 0) return;
  await db
    .insert(coursePrerequisites)
    .values(prerequisiteIds.map((prerequisiteCourseId) => ({ courseId, prerequisiteCourseId })));
}

/** Rows of a table that the enrolment paths write, for "nothing written" checks. */
export async function enrolmentWrites(db: Database) {
  const result = await db.execute<{
    enrollments: number;
    keys: number;
    operations: number;
    counts: number;
    notifications: number;
  }>(sql`
    SELECT (SELECT count(*)::int FROM enrollments) AS enrollments,
           (SELECT count(*)::int FROM idempotency_keys) AS keys,
           (SELECT count(*)::int FROM bulk_operations) AS operations,
           (SELECT coalesce(sum(enrollment_count), 0)::int FROM courses) AS counts,
           (SELECT count(*)::int FROM notifications) AS notifications`);
  return result.rows[0];
}

/** A queued bulk enrolment with one item per input (no job: tests that need one run the job directly). */
export async function insertBulkOperation(
  db: Database,
  operation: { courseId: string; requestedBy: string; inputs: string[] },
): Promise<{ id: string }> {
  const [row] = await db
    .insert(bulkOperations)
    .values({
      kind: 'course_enrollment',
      courseId: operation.courseId,
      requestedBy: operation.requestedBy,
      total: operation.inputs.length,
    })
    .returning({ id: bulkOperations.id });
  if (!row) throw new Error('insertBulkOperation: insert returned no row');
  if (operation.inputs.length > 0) {
    await db
      .insert(bulkOperationItems)
      .values(operation.inputs.map((input, position) => ({ operationId: row.id, position, input })));
  }
  return row;
}
