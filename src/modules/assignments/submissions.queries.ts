/** The SQL of submissions and their grading: attempts, pages, the grade with its history. */
import { and, asc, desc, eq, inArray, type SQL, sql } from 'drizzle-orm';
import {
  type AssignmentGradingStatus,
  type AssignmentSubmission,
  assignmentSubmissions,
  gradeChanges,
  type NewAssignmentSubmission,
  rubricAssessments,
  users,
} from '../../infrastructure/database/schema/index.js';
import { microsecondKey, olderThan, type TimestampIdCursor } from '../../shared/keyset.js';
import type { Executor } from '../../shared/transaction.js';

export async function selectSubmission(
  db: Executor,
  id: string,
  lock = false,
): Promise<AssignmentSubmission | undefined> {
  const query = db.select().from(assignmentSubmissions).where(eq(assignmentSubmissions.id, id));
  const [row] = lock ? await query.for('update') : await query;
  return row;
}

/**
 * Serialises a student's submissions to one assignment (until the transaction ends): the attempt
 * count and the "already graded" check then see every earlier attempt. Other students do not wait.
 */
export async function lockStudentAttempts(db: Executor, assignmentId: string, studentId: string) {
  await db.execute(
    sql`SELECT pg_advisory_xact_lock(hashtextextended(${`assignment-attempts:${assignmentId}:${studentId}`}, 0))`,
  );
}

export async function selectAttemptFacts(db: Executor, assignmentId: string, studentId: string) {
  const [row] = await db
    .select({
      attempts: sql<number>`count(*)::int`,
      lastAttempt: sql<number>`coalesce(max(${assignmentSubmissions.attemptNumber}), 0)::int`,
      graded: sql<boolean>`coalesce(bool_or(${assignmentSubmissions.gradingStatus} IN ('graded', 'returned')), false)`,
    })
    .from(assignmentSubmissions)
    .where(
      and(
        eq(assignmentSubmissions.assignmentId, assignmentId),
        eq(assignmentSubmissions.studentId, studentId),
      ),
    );
  return row ?? { attempts: 0, lastAttempt: 0, graded: false };
}

export async function insertSubmission(
  db: Executor,
  values: NewAssignmentSubmission,
): Promise<AssignmentSubmission> {
  const [row] = await db.insert(assignmentSubmissions).values(values).returning();
  if (!row) throw new Error('insertSubmission: no row returned');
  return row;
}

/** One keyset page (`limit + 1` rows) of an assignment's submissions, newest first. */
export async function selectSubmissionsPage(
  db: Executor,
  assignmentId: string,
  options: {
    studentId: string | undefined;
    status: AssignmentGradingStatus | undefined;
    limit: number;
    cursor: TimestampIdCursor | undefined;
  },
) {
  const conditions: SQL[] = [eq(assignmentSubmissions.assignmentId, assignmentId)];
  if (options.studentId !== undefined)
    conditions.push(eq(assignmentSubmissions.studentId, options.studentId));
  if (options.status !== undefined) conditions.push(eq(assignmentSubmissions.gradingStatus, options.status));
  if (options.cursor) {
    conditions.push(olderThan(assignmentSubmissions.submittedAt, assignmentSubmissions.id, options.cursor));
  }
  return db
    .select({
      submission: assignmentSubmissions,
      submittedAtKey: microsecondKey(assignmentSubmissions.submittedAt),
    })
    .from(assignmentSubmissions)
    .where(and(...conditions))
    .orderBy(desc(assignmentSubmissions.submittedAt), desc(assignmentSubmissions.id))
    .limit(options.limit + 1);
}

export async function selectRubricAssessments(db: Executor, submissionId: string) {
  return db
    .select({
      criterionId: rubricAssessments.criterionId,
      levelId: rubricAssessments.levelId,
      points: rubricAssessments.points,
      comment: rubricAssessments.comment,
    })
    .from(rubricAssessments)
    .where(eq(rubricAssessments.submissionId, submissionId))
    .orderBy(asc(rubricAssessments.createdAt), asc(rubricAssessments.criterionId));
}

/** The rubric assessments of several submissions at once (a page), by submission id. */
export async function selectRubricAssessmentsOf(db: Executor, submissionIds: readonly string[]) {
  const byId = new Map<string, Awaited<ReturnType<typeof selectRubricAssessments>>>();
  if (submissionIds.length === 0) return byId;
  const rows = await db
    .select({
      submissionId: rubricAssessments.submissionId,
      criterionId: rubricAssessments.criterionId,
      levelId: rubricAssessments.levelId,
      points: rubricAssessments.points,
      comment: rubricAssessments.comment,
    })
    .from(rubricAssessments)
    .where(inArray(rubricAssessments.submissionId, [...submissionIds]))
    .orderBy(asc(rubricAssessments.createdAt), asc(rubricAssessments.criterionId));
  for (const { submissionId, ...assessment } of rows) {
    byId.set(submissionId, [...(byId.get(submissionId) ?? []), assessment]);
  }
  return byId;
}

export async function replaceRubricAssessments(
  db: Executor,
  submissionId: string,
  chosen: readonly { criterionId: string; levelId: string; points: number; comment: string | null }[],
) {
  await db.delete(rubricAssessments).where(eq(rubricAssessments.submissionId, submissionId));
  if (chosen.length > 0) {
    await db.insert(rubricAssessments).values(chosen.map((choice) => ({ submissionId, ...choice })));
  }
}

export async function updateGrade(
  db: Executor,
  id: string,
  values: {
    grade: number;
    gradingStatus: AssignmentGradingStatus;
    feedback: string | null;
    graderId: string;
    gradedAt: Date;
    gradeVersion: number;
  },
): Promise<AssignmentSubmission> {
  const [row] = await db
    .update(assignmentSubmissions)
    .set({ ...values, updatedAt: values.gradedAt })
    .where(eq(assignmentSubmissions.id, id))
    .returning();
  if (!row) throw new Error('updateGrade: no row returned');
  return row;
}

export interface GradeChange {
  assignmentSubmissionId: string;
  graderId: string;
  oldGrade: number | null;
  newGrade: number;
  oldStatus: string;
  newStatus: string;
  feedback: string | null;
  createdAt: Date;
}

export async function insertGradeChanges(db: Executor, changes: readonly GradeChange[]) {
  if (changes.length > 0) await db.insert(gradeChanges).values([...changes]);
}

/**
 * Every draft grade (`in_review`) of the assignment becomes `graded`, version + 1, graded now (the
 * release is when the student got it); the drafts' scores, feedback and graders stay. The rows it
 * released, each locked by the update until the commit.
 */
export async function releaseDraftGrades(
  db: Executor,
  assignmentId: string,
  now: Date,
): Promise<AssignmentSubmission[]> {
  return db
    .update(assignmentSubmissions)
    .set({
      gradingStatus: 'graded',
      gradeVersion: sql`${assignmentSubmissions.gradeVersion} + 1`,
      gradedAt: now,
      updatedAt: now,
    })
    .where(
      and(
        eq(assignmentSubmissions.assignmentId, assignmentId),
        eq(assignmentSubmissions.gradingStatus, 'in_review'),
      ),
    )
    .returning();
}

/** Every grading of a submission, oldest first, with the grader's name. */
export async function selectGradeHistory(db: Executor, submissionId: string) {
  return db
    .select({
      id: gradeChanges.id,
      graderId: gradeChanges.graderId,
      graderName: users.name,
      oldGrade: gradeChanges.oldGrade,
      newGrade: gradeChanges.newGrade,
      oldStatus: gradeChanges.oldStatus,
      newStatus: gradeChanges.newStatus,
      feedback: gradeChanges.feedback,
      createdAt: gradeChanges.createdAt,
    })
    .from(gradeChanges)
    .leftJoin(users, eq(users.id, gradeChanges.graderId))
    .where(eq(gradeChanges.assignmentSubmissionId, submissionId))
    .orderBy(asc(gradeChanges.createdAt), asc(gradeChanges.id));
}
