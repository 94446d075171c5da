/**
 * The SQL of the assignments module: access facts (course, the caller's enrollment), assignments,
 * rubrics. Submissions and grading have their own file (submissions.queries.ts).
 */
import { and, asc, eq, inArray, type SQL, sql } from 'drizzle-orm';
import {
  type Assignment,
  assignmentSubmissions,
  assignments,
  courses,
  enrollments,
  lessons,
  type NewAssignment,
  rubricAssessments,
  rubricCriteria,
  rubricLevels,
} from '../../infrastructure/database/schema/index.js';
import type { Executor } from '../../shared/transaction.js';
import type { CourseAccessFacts } from './assignment-access.js';

/** What access decisions need about a course and the actor's enrollment in it (joined by enrollmentOf). */
const accessColumns = {
  courseId: courses.id,
  courseStatus: courses.status,
  instructorId: courses.instructorId,
  enrollmentStatus: enrollments.status,
  enrollmentExpired: sql<boolean>`coalesce(${enrollments.expiresAt} <= now(), false)`,
};

const enrollmentOf = (actorId: string) =>
  and(eq(enrollments.courseId, courses.id), eq(enrollments.userId, actorId));

function factsOf(row: {
  courseId: string;
  courseStatus: CourseAccessFacts['courseStatus'];
  instructorId: string;
  enrollmentStatus: CourseAccessFacts['enrollmentStatus'];
  enrollmentExpired: boolean;
}): CourseAccessFacts {
  return {
    courseId: row.courseId,
    courseStatus: row.courseStatus,
    instructorId: row.instructorId,
    enrollmentStatus: row.enrollmentStatus,
    enrollmentExpired: row.enrollmentExpired,
  };
}

export async function selectCourseAccess(
  db: Executor,
  courseId: string,
  actorId: string,
): Promise<CourseAccessFacts | undefined> {
  const [row] = await db
    .select(accessColumns)
    .from(courses)
    .leftJoin(enrollments, enrollmentOf(actorId))
    .where(eq(courses.id, courseId));
  return row && factsOf(row);
}

export interface AssignmentWithAccess {
  assignment: Assignment;
  access: CourseAccessFacts;
}

/** The assignment and the facts about its course and the actor; `lock` takes the row FOR UPDATE. */
export async function selectAssignmentWithAccess(
  db: Executor,
  assignmentId: string,
  actorId: string,
  lock = false,
): Promise<AssignmentWithAccess | undefined> {
  const query = db
    .select({ assignment: assignments, ...accessColumns })
    .from(assignments)
    .innerJoin(courses, eq(courses.id, assignments.courseId))
    .leftJoin(enrollments, enrollmentOf(actorId))
    .where(eq(assignments.id, assignmentId));
  const [row] = lock ? await query.for('update', { of: assignments }) : await query;
  return row && { assignment: row.assignment, access: factsOf(row) };
}

/** Whether the lesson belongs to the course (an assignment sits only in a lesson of its own course). */
export async function lessonInCourse(db: Executor, lessonId: string, courseId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: lessons.id })
    .from(lessons)
    .where(and(eq(lessons.id, lessonId), eq(lessons.courseId, courseId)));
  return row !== undefined;
}

export async function insertAssignment(db: Executor, values: NewAssignment): Promise<Assignment> {
  const [row] = await db.insert(assignments).values(values).returning();
  if (!row) throw new Error('insertAssignment: no row returned');
  return row;
}

export async function updateAssignment(
  db: Executor,
  id: string,
  values: Partial<NewAssignment>,
): Promise<Assignment> {
  const [row] = await db
    .update(assignments)
    .set({ ...values, updatedAt: new Date() })
    .where(eq(assignments.id, id))
    .returning();
  if (!row) throw new Error('updateAssignment: no row returned');
  return row;
}

export async function hasSubmissions(db: Executor, assignmentId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: assignmentSubmissions.id })
    .from(assignmentSubmissions)
    .where(eq(assignmentSubmissions.assignmentId, assignmentId))
    .limit(1);
  return row !== undefined;
}

export async function deleteAssignment(db: Executor, id: string): Promise<void> {
  await db.delete(assignments).where(eq(assignments.id, id));
}

/** The position after an assignment in a course's list: oldest first, by creation. */
export interface AssignmentCursor {
  p: string;
  id: string;
}

/** One keyset page (`limit + 1` rows) of a course's assignments, oldest first. */
export async function selectCourseAssignments(
  db: Executor,
  courseId: string,
  options: { publishedOnly: boolean; limit: number; cursor: AssignmentCursor | undefined },
) {
  const conditions: SQL[] = [eq(assignments.courseId, courseId)];
  if (options.publishedOnly) conditions.push(eq(assignments.isPublished, true));
  if (options.cursor) {
    conditions.push(
      sql`(${assignments.createdAt}, ${assignments.id}) > (${options.cursor.p}::timestamptz, ${options.cursor.id}::uuid)`,
    );
  }
  return db
    .select({
      assignment: assignments,
      createdAtKey: sql<string>`to_char(${assignments.createdAt} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
    })
    .from(assignments)
    .where(and(...conditions))
    .orderBy(asc(assignments.createdAt), asc(assignments.id))
    .limit(options.limit + 1);
}

// Rubrics ---------------------------------------------------------------------------------------

export interface RubricLevelRow {
  id: string;
  title: string;
  description: string | null;
  points: number;
  position: number;
}
export interface RubricCriterionRow {
  id: string;
  title: string;
  description: string | null;
  position: number;
  levels: RubricLevelRow[];
}

/** The rubric of an assignment, criteria and levels in order (empty: no rubric). */
export async function selectRubric(db: Executor, assignmentId: string): Promise<RubricCriterionRow[]> {
  const criteria = await db
    .select({
      id: rubricCriteria.id,
      title: rubricCriteria.title,
      description: rubricCriteria.description,
      position: rubricCriteria.position,
    })
    .from(rubricCriteria)
    .where(eq(rubricCriteria.assignmentId, assignmentId))
    .orderBy(asc(rubricCriteria.position));
  if (criteria.length === 0) return [];
  const levels = await db
    .select({
      id: rubricLevels.id,
      criterionId: rubricLevels.criterionId,
      title: rubricLevels.title,
      description: rubricLevels.description,
      points: rubricLevels.points,
      position: rubricLevels.position,
    })
    .from(rubricLevels)
    .where(
      inArray(
        rubricLevels.criterionId,
        criteria.map((criterion) => criterion.id),
      ),
    )
    .orderBy(asc(rubricLevels.criterionId), asc(rubricLevels.position));
  return criteria.map((criterion) => ({
    ...criterion,
    levels: levels
      .filter((level) => level.criterionId === criterion.id)
      .map(({ criterionId: _criterionId, ...level }) => level),
  }));
}

/** Whether any submission of the assignment was graded with its rubric (its levels are then history). */
export async function rubricUsed(db: Executor, assignmentId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: rubricAssessments.submissionId })
    .from(rubricAssessments)
    .innerJoin(rubricCriteria, eq(rubricCriteria.id, rubricAssessments.criterionId))
    .where(eq(rubricCriteria.assignmentId, assignmentId))
    .limit(1);
  return row !== undefined;
}

export async function deleteRubric(db: Executor, assignmentId: string): Promise<void> {
  await db.delete(rubricCriteria).where(eq(rubricCriteria.assignmentId, assignmentId));
}

export interface RubricInput {
  title: string;
  description?: string | null | undefined;
  levels: { title: string; description?: string | null | undefined; points: number }[];
}

/** Writes the criteria and levels (positions in the given order); the caller deleted the old ones. */
export async function insertRubric(db: Executor, assignmentId: string, criteria: readonly RubricInput[]) {
  const inserted = await db
    .insert(rubricCriteria)
    .values(
      criteria.map((criterion, position) => ({
        assignmentId,
        title: criterion.title,
        description: criterion.description ?? null,
        position,
      })),
    )
    .returning({ id: rubricCriteria.id, position: rubricCriteria.position });
  const idAt = new Map(inserted.map((row) => [row.position, row.id]));
  const levels = criteria.flatMap((criterion, criterionPosition) =>
    criterion.levels.map((level, position) => ({
      criterionId: idAt.get(criterionPosition) as string,
      title: level.title,
      description: level.description ?? null,
      points: level.points,
      position,
    })),
  );
  if (levels.length > 0) await db.insert(rubricLevels).values(levels);
}
