import { sql } from 'drizzle-orm';
import type { Database } from '../../../src/infrastructure/database/client/client.js';
import {
  type Assignment,
  type AssignmentSubmission,
  assignmentSubmissions,
  assignments,
  type NewAssignment,
  type NewAssignmentSubmission,
  type NewQuiz,
  type NewQuizSubmission,
  type Quiz,
  type QuizSubmission,
  questions,
  quizSubmissions,
  quizzes,
} from '../../../src/infrastructure/database/schema/index.js';

/**
 * Assessments at the database level, as the quizzes and assignments modules write them (the column
 * semantics are in assessments.schema.ts): a published graded quiz with its questions' points, a
 * graded attempt, a published assignment, a submission. For the gradebook and completion tests,
 * which read these rows and never wait for the writing modules.
 */

/** A published graded quiz whose questions are worth `points` in total (one question per entry). */
export async function insertGradedQuiz(
  db: Database,
  courseId: string,
  overrides: Partial<Omit<NewQuiz, 'courseId'>> & { questionPoints?: number[] } = {},
): Promise<Quiz> {
  const { questionPoints = [10], ...quiz } = overrides;
  const [row] = await db
    .insert(quizzes)
    .values({ title: 'Graded quiz', type: 'graded', isPublished: true, ...quiz, courseId })
    .returning();
  if (!row) throw new Error('insertGradedQuiz: no row');
  for (const [position, points] of questionPoints.entries()) {
    await db.insert(questions).values({
      quizId: row.id,
      type: 'true_false',
      prompt: `Question ${position + 1}`,
      correctAnswer: true,
      points,
      position,
    });
  }
  return row;
}

/**
 * An attempt at a quiz: submitted and auto-graded at `scorePercent` of `maxScore` unless overridden
 * (`gradingStatus: 'pending'` with `submittedAt: null` is an open attempt). Attempt numbers follow.
 */
export async function insertQuizAttempt(
  db: Database,
  values: Pick<NewQuizSubmission, 'quizId' | 'userId'> &
    Partial<NewQuizSubmission> & { scorePercent?: number | null; maxScore?: number },
): Promise<QuizSubmission> {
  const maxScore = values.maxScore ?? 10;
  const percent = values.scorePercent === undefined ? 100 : values.scorePercent;
  const startedAt = values.startedAt ?? new Date(Date.now() - 60_000);
  const [row] = await db
    .insert(quizSubmissions)
    .values({
      attemptNumber: sql`(SELECT coalesce(max(attempt_number), 0) + 1 FROM quiz_submissions
                           WHERE quiz_id = ${values.quizId}::uuid AND user_id = ${values.userId}::uuid)` as never,
      gradingStatus: 'auto_graded',
      submittedAt: new Date(),
      ...values,
      startedAt,
      maxScore,
      scorePercent: percent,
      score: values.score ?? (percent === null ? null : (percent * maxScore) / 100),
      passed: values.passed ?? null,
    })
    .returning();
  if (!row) throw new Error('insertQuizAttempt: no row');
  return row;
}

export async function insertGradedAssignment(
  db: Database,
  courseId: string,
  overrides: Partial<Omit<NewAssignment, 'courseId'>> = {},
): Promise<Assignment> {
  const [row] = await db
    .insert(assignments)
    .values({ title: 'Graded assignment', isPublished: true, maxPoints: 100, ...overrides, courseId })
    .returning();
  if (!row) throw new Error('insertGradedAssignment: no row');
  return row;
}

/** A submission; graded at `grade` (status `graded`) when a grade is given, else `submitted`. */
export async function insertAssignmentSubmission(
  db: Database,
  values: Pick<NewAssignmentSubmission, 'assignmentId' | 'studentId'> & Partial<NewAssignmentSubmission>,
): Promise<AssignmentSubmission> {
  const graded = values.grade !== undefined && values.grade !== null;
  const [row] = await db
    .insert(assignmentSubmissions)
    .values({
      attemptNumber: sql`(SELECT coalesce(max(attempt_number), 0) + 1 FROM assignment_submissions
                           WHERE assignment_id = ${values.assignmentId}::uuid
                             AND student_id = ${values.studentId}::uuid)` as never,
      content: 'My work',
      gradingStatus: graded ? 'graded' : 'submitted',
      gradedAt: graded ? new Date() : null,
      ...values,
    })
    .returning();
  if (!row) throw new Error('insertAssignmentSubmission: no row');
  return row;
}
