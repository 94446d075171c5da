/**
 * The SQL of the quizzes module: the facts authorization needs (quiz or attempt, course, the
 * caller's enrollment) in one statement each, the quiz lock that serialises edits against starts,
 * and reads of questions and attempts.
 */
import { and, asc, count, eq, inArray, sql } from 'drizzle-orm';
import {
  type AttemptResults,
  courses,
  enrollments,
  type Question,
  type Quiz,
  type QuizSubmission,
  questions,
  quizSubmissions,
  quizzes,
} from '../../infrastructure/database/schema/index.js';
import type { Executor } from '../../shared/transaction.js';
import type { CourseFacts, QuizFacts } from './quiz-access.js';

const EXPIRED = sql<boolean>`coalesce(${enrollments.expiresAt} <= now(), false)`;

function enrollmentOf(actorId: string) {
  return and(eq(enrollments.courseId, courses.id), eq(enrollments.userId, actorId));
}

const courseFactColumns = {
  courseId: courses.id,
  instructorId: courses.instructorId,
  courseStatus: courses.status,
  enrollmentId: enrollments.id,
  enrollmentStatus: enrollments.status,
  expired: EXPIRED,
};

export async function selectCourseFacts(
  db: Executor,
  courseId: string,
  actorId: string,
): Promise<CourseFacts | undefined> {
  const [row] = await db
    .select(courseFactColumns)
    .from(courses)
    .leftJoin(enrollments, enrollmentOf(actorId))
    .where(eq(courses.id, courseId));
  return row;
}

/** The quiz with its course and the actor's enrollment; `lock` takes the quiz row FOR UPDATE. */
export async function selectQuizFacts(
  db: Executor,
  quizId: string,
  actorId: string,
  lock = false,
): Promise<QuizFacts | undefined> {
  const query = db
    .select({ quiz: quizzes, ...courseFactColumns })
    .from(quizzes)
    .innerJoin(courses, eq(courses.id, quizzes.courseId))
    .leftJoin(enrollments, enrollmentOf(actorId))
    .where(eq(quizzes.id, quizId));
  const [row] = lock ? await query.for('update', { of: quizzes }) : await query;
  return row;
}

export async function selectQuizIdOfQuestion(db: Executor, questionId: string): Promise<string | undefined> {
  const [row] = await db
    .select({ quizId: questions.quizId })
    .from(questions)
    .where(eq(questions.id, questionId));
  return row?.quizId;
}

export function selectQuestions(db: Executor, quizId: string): Promise<Question[]> {
  return db.select().from(questions).where(eq(questions.quizId, quizId)).orderBy(asc(questions.position));
}

export function selectQuestionsByIds(db: Executor, ids: string[]): Promise<Question[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db.select().from(questions).where(inArray(questions.id, ids));
}

/** Whether any attempt (open or submitted) exists: then graded history depends on the questions. */
export async function quizHasAttempts(db: Executor, quizId: string): Promise<boolean> {
  const [row] = await db
    .select({ one: sql<number>`1` })
    .from(quizSubmissions)
    .where(eq(quizSubmissions.quizId, quizId))
    .limit(1);
  return row !== undefined;
}

export interface QuestionTotals {
  quizId: string;
  questionCount: number;
  totalPoints: number;
}

export async function selectQuestionTotals(
  db: Executor,
  quizIds: string[],
): Promise<Map<string, QuestionTotals>> {
  if (quizIds.length === 0) return new Map();
  const rows = await db
    .select({
      quizId: questions.quizId,
      questionCount: count(),
      totalPoints: sql<string>`coalesce(sum(${questions.points}), 0)`,
    })
    .from(questions)
    .where(inArray(questions.quizId, quizIds))
    .groupBy(questions.quizId);
  return new Map(
    rows.map((row) => [
      row.quizId,
      { quizId: row.quizId, questionCount: row.questionCount, totalPoints: Number(row.totalPoints) },
    ]),
  );
}

export function selectCourseQuizzes(db: Executor, courseId: string, publishedOnly: boolean): Promise<Quiz[]> {
  return db
    .select()
    .from(quizzes)
    .where(
      publishedOnly
        ? and(eq(quizzes.courseId, courseId), eq(quizzes.isPublished, true))
        : eq(quizzes.courseId, courseId),
    )
    .orderBy(asc(quizzes.createdAt), asc(quizzes.id));
}

export interface AttemptFacts {
  attempt: QuizSubmission;
  quiz: Quiz;
  instructorId: string;
}

/** An attempt with its quiz and the course's instructor; `lock` takes the attempt FOR UPDATE. */
export async function selectAttemptFacts(
  db: Executor,
  attemptId: string,
  lock = false,
): Promise<AttemptFacts | undefined> {
  const query = db
    .select({ attempt: quizSubmissions, quiz: quizzes, instructorId: courses.instructorId })
    .from(quizSubmissions)
    .innerJoin(quizzes, eq(quizzes.id, quizSubmissions.quizId))
    .innerJoin(courses, eq(courses.id, quizzes.courseId))
    .where(eq(quizSubmissions.id, attemptId));
  const [row] = lock ? await query.for('update', { of: quizSubmissions }) : await query;
  return row;
}

/**
 * A data-modifying CTE that writes an attempt's per-question rows (quiz_item_results) from its
 * `results`, for the UPDATE that writes those results: `tx.with(cte).update(...)` runs both in one
 * statement (no extra round trip on submit). Existing rows are overwritten, so re-grading by hand
 * replaces them. Each array goes as one parameter: one statement text whatever the question count.
 */
export function itemResultsWrite(
  db: Executor,
  attempt: { id: string; quizId: string },
  results: AttemptResults,
) {
  const entries = Object.entries(results);
  const param = (values: unknown[]) => sql`${sql.param(values)}`;
  return db.$with('item_results', {}).as(sql`
    INSERT INTO quiz_item_results (submission_id, quiz_id, question_id, points, max_points, correct)
    SELECT ${attempt.id}::uuid, ${attempt.quizId}::uuid, r.question_id, r.points, r.max_points, r.correct
      FROM unnest(${param(entries.map(([questionId]) => questionId))}::uuid[],
                  ${param(entries.map(([, result]) => result.points))}::float8[],
                  ${param(entries.map(([, result]) => result.maxPoints))}::float8[],
                  ${param(entries.map(([, result]) => result.correct))}::boolean[])
           AS r(question_id, points, max_points, correct)
    ON CONFLICT (submission_id, question_id) DO UPDATE
       SET points = excluded.points, max_points = excluded.max_points, correct = excluded.correct`);
}
