/**
 * The SQL of the quizzes module: the facts authorization needs (quiz or attempt, course, the
 * caller's enrollment) in one statement each, the quiz lock that serialises edits against starts,
 * and reads of questions and attempts.
 */
import { and, asc, count, eq, inArray, isNull, type Placeholder, type SQL, sql } from 'drizzle-orm';
import { PgTransaction } from 'drizzle-orm/pg-core';
import type { Database } from '../../infrastructure/database/client/client.js';
import { namedStatement } from '../../infrastructure/database/client/named-statement.js';
import {
  type AttemptQuestionOrder,
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

function enrollmentOf(actorId: string | Placeholder) {
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

/**
 * The next value of a quiz's version, `updated_at`: every edit of the quiz or of its questions sets
 * it, so it moves strictly forward (two edits within one clock tick still differ). A start compares
 * it, in the statement that inserts the attempt, with the version it read the quiz and questions at.
 */
export const nextQuizVersion = sql<Date>`greatest(now(), ${quizzes.updatedAt} + interval '1 microsecond')`;

/** For edits of a quiz's questions (the caller holds the quiz lock). */
export async function bumpQuizVersion(db: Executor, quizId: string): Promise<void> {
  await db.update(quizzes).set({ updatedAt: nextQuizVersion }).where(eq(quizzes.id, quizId));
}

/**
 * The quiz with its course and the actor's enrollment, and the quiz's version as text (microseconds:
 * a JavaScript Date would drop them); `lock` takes the quiz row FOR UPDATE.
 */
export async function selectQuizFacts(
  db: Executor,
  quizId: string,
  actorId: string,
  lock = false,
): Promise<QuizFacts | undefined> {
  if (!lock && !(db instanceof PgTransaction)) {
    // Every quiz route reads these first: built once, and prepared once per connection.
    const [row] = await preparedQuizFacts(db as Database).execute({ quizId, actorId });
    return row;
  }
  const [row] = lock
    ? await quizFactsQuery(db, quizId, actorId).for('update', { of: quizzes })
    : await quizFactsQuery(db, quizId, actorId);
  return row;
}

function quizFactsQuery(db: Executor, quizId: string | Placeholder, actorId: string | Placeholder) {
  return db
    .select({ quiz: quizzes, quizVersion: sql<string>`${quizzes.updatedAt}::text`, ...courseFactColumns })
    .from(quizzes)
    .innerJoin(courses, eq(courses.id, quizzes.courseId))
    .leftJoin(enrollments, enrollmentOf(actorId))
    .where(eq(quizzes.id, quizId));
}

/**
 * A statement built once per database (drizzle spends ~0.2 ms building a select with joins) and
 * prepared by PostgreSQL once per connection; for the reads every request of a route starts with.
 */
function preparedPerDatabase<Prepared>(build: (db: Database) => Prepared): (db: Database) => Prepared {
  const statements = new WeakMap<Database, Prepared>();
  return (db) => {
    let statement = statements.get(db);
    if (statement === undefined) {
      statement = build(db);
      statements.set(db, statement);
    }
    return statement;
  };
}

const preparedQuizFacts = preparedPerDatabase((db) =>
  quizFactsQuery(db, sql.placeholder('quizId'), sql.placeholder('actorId')).prepare('quiz-facts'),
);

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

export interface FreshAttemptInput {
  quizId: string;
  /** The version the caller read the quiz and its questions at (QuizFacts.quizVersion). */
  quizVersion: string;
  userId: string;
  maxAttempts: number | null;
  startedAt: Date;
  deadlineAt: Date | null;
  questionOrder: AttemptQuestionOrder[];
}

export interface FreshAttemptRow {
  id: string;
  enrollment_id: string;
  attempt_number: number;
  created_at: Date;
  updated_at: Date;
}

/**
 * Inserts the student's next attempt in one statement, without a transaction, if and only if the
 * start is one that authorizeAttemptStart allows and the locked path would answer by creating an
 * attempt: the quiz is published and still at `quizVersion` (held FOR KEY SHARE, as edits lock it
 * FOR UPDATE); its course is published and not the student's own to teach; the student's enrollment
 * in it is active and not past its expiry (locked FOR UPDATE, as the locked start path does); the
 * student has no open attempt and has attempts left. Otherwise nothing is written and undefined
 * returned, and the caller goes the long way, which reads everything again and answers (an error, or
 * the open attempt). An admin is staff of every course: the caller does not come here for one.
 *
 * So the caller may hold facts about the quiz from an earlier request (attempt-start.ts keeps the
 * quiz as last read): everything a start depends on either is part of the quiz's version or is
 * checked here.
 *
 * Why this is safe without reading the attempts after the lock: the count comes from the
 * statement's snapshot, which may predate a start that committed while this one waited for the
 * enrollment lock. Such a start holds attempt number `used + 1` or the open attempt, and the unique
 * constraints on (user, quiz, attempt_number) and on the open attempt turn the stale insert into a
 * conflict, which ON CONFLICT DO NOTHING answers with no row: never a second open attempt, never
 * more than max_attempts.
 */
export async function insertFreshAttempt(
  db: Database,
  input: FreshAttemptInput,
): Promise<FreshAttemptRow | undefined> {
  const result = await freshAttemptStatement.run<FreshAttemptRow>(db, {
    ...input,
    questionOrder: JSON.stringify(input.questionOrder),
  });
  return result.rows[0];
}

const freshAttemptStatement = namedStatement<
  Omit<FreshAttemptInput, 'questionOrder'> & { questionOrder: string }
>(
  'quiz-fresh-attempt',
  (slot) => sql`
    WITH quiz AS (
      SELECT q.id, q.course_id FROM quizzes AS q JOIN courses AS c ON c.id = q.course_id
       WHERE q.id = ${slot('quizId')}::uuid AND q.is_published AND q.updated_at = ${slot('quizVersion')}::timestamptz
         AND c.status = 'published' AND c.instructor_id <> ${slot('userId')}::uuid
         FOR KEY SHARE OF q),
    enrollment AS (
      SELECT e.id FROM enrollments AS e JOIN quiz ON e.course_id = quiz.course_id
       WHERE e.user_id = ${slot('userId')}::uuid AND e.status = 'active'
         AND (e.expires_at IS NULL OR e.expires_at > now())
         FOR UPDATE OF e),
    mine AS (
      SELECT count(*)::int AS used, count(*) FILTER (WHERE submitted_at IS NULL)::int AS open
        FROM quiz_submissions WHERE quiz_id = ${slot('quizId')}::uuid AND user_id = ${slot('userId')}::uuid)
    INSERT INTO quiz_submissions
           (quiz_id, user_id, enrollment_id, attempt_number, started_at, deadline_at, question_order)
    SELECT quiz.id, ${slot('userId')}::uuid, enrollment.id, mine.used + 1, ${slot('startedAt')}::timestamptz,
           ${slot('deadlineAt')}::timestamptz, ${slot('questionOrder')}::jsonb
      FROM quiz, enrollment, mine
     WHERE mine.open = 0 AND (${slot('maxAttempts')}::int IS NULL OR mine.used < ${slot('maxAttempts')}::int)
    ON CONFLICT DO NOTHING
    RETURNING id, enrollment_id, attempt_number, created_at, updated_at`,
);

/**
 * The student's open attempt at the quiz (at most one: a partial unique index), read without a
 * lock: for a start that found one in its way (a second click, a reload mid-exam).
 */
export async function selectOpenAttempt(
  db: Database,
  quizId: string,
  userId: string,
): Promise<QuizSubmission | undefined> {
  const [row] = await preparedOpenAttempt(db).execute({ quizId, userId });
  return row;
}

const preparedOpenAttempt = preparedPerDatabase((db) =>
  db
    .select()
    .from(quizSubmissions)
    .where(
      and(
        eq(quizSubmissions.quizId, sql.placeholder('quizId')),
        eq(quizSubmissions.userId, sql.placeholder('userId')),
        isNull(quizSubmissions.submittedAt),
      ),
    )
    .prepare('quiz-open-attempt'),
);

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
  /** As QuizFacts.quizVersion. */
  quizVersion: string;
  instructorId: string;
}

/** An attempt with its quiz and the course's instructor; `lock` takes the attempt FOR UPDATE. */
export async function selectAttemptFacts(
  db: Executor,
  attemptId: string,
  lock = false,
): Promise<AttemptFacts | undefined> {
  if (!lock && !(db instanceof PgTransaction)) {
    const [row] = await preparedAttemptFacts(db as Database).execute({ attemptId });
    return row;
  }
  const [row] = lock
    ? await attemptFactsQuery(db, attemptId).for('update', { of: quizSubmissions })
    : await attemptFactsQuery(db, attemptId);
  return row;
}

function attemptFactsQuery(db: Executor, attemptId: string | Placeholder) {
  return db
    .select({
      attempt: quizSubmissions,
      quiz: quizzes,
      quizVersion: sql<string>`${quizzes.updatedAt}::text`,
      instructorId: courses.instructorId,
    })
    .from(quizSubmissions)
    .innerJoin(quizzes, eq(quizzes.id, quizSubmissions.quizId))
    .innerJoin(courses, eq(courses.id, quizzes.courseId))
    .where(eq(quizSubmissions.id, attemptId));
}

const preparedAttemptFacts = preparedPerDatabase((db) =>
  attemptFactsQuery(db, sql.placeholder('attemptId')).prepare('quiz-attempt-facts'),
);

export interface SubmissionWrite {
  attemptId: string;
  /** Write only if the attempt still has the answers of this sequence; null when the caller holds its lock. */
  ifSequence: number | null;
  results: AttemptResults;
  score: number | null;
  maxScore: number | null;
  scorePercent: number | null;
  passed: boolean | null;
  gradingStatus: 'auto_graded' | 'needs_review';
  auto: boolean;
}

/** What the submitting UPDATE decided: the scores as stored (numeric(…, 2)) and its times. */
export interface SubmittedColumns {
  score: number | null;
  maxScore: number | null;
  scorePercent: number | null;
  submittedAt: Date;
  gradedAt: Date | null;
  updatedAt: Date;
}

interface SubmittedRow {
  score: number | null;
  max_score: number | null;
  score_percent: number | null;
  submitted_ms: number;
  graded_ms: number | null;
  updated_ms: number;
}

type SubmissionValues = Omit<SubmissionWrite, 'results'> & { results: string } & ItemResultArrays;

/** An attempt's results as the parallel arrays its quiz_item_results rows are unnested from. */
type ItemResultArrays = {
  questionIds: string[];
  points: number[];
  maxPoints: number[];
  correct: (boolean | null)[];
};

function itemResultArrays(results: AttemptResults): ItemResultArrays {
  const entries = Object.entries(results);
  return {
    questionIds: entries.map(([questionId]) => questionId),
    points: entries.map(([, result]) => result.points),
    maxPoints: entries.map(([, result]) => result.maxPoints),
    correct: entries.map(([, result]) => result.correct),
  };
}

/**
 * The INSERT of an attempt's item rows, one per element of `arrays` (each one parameter: one statement
 * text whatever the question count), for the submission and quiz `from` names; `from.source`, when
 * given, is a FROM item those names come from (the submitting UPDATE's CTE, `submitted,`). Existing
 * rows are overwritten, so re-grading by hand replaces them. Shared by the submit and hand-grading.
 */
function itemRowsInsert(
  from: { submissionId: SQL; quizId: SQL; source?: SQL },
  arrays: { [K in keyof ItemResultArrays]: SQL },
): SQL {
  return sql`
    INSERT INTO quiz_item_results (submission_id, quiz_id, question_id, points, max_points, correct)
    SELECT ${from.submissionId}, ${from.quizId}, r.question_id, r.points, r.max_points, r.correct
      FROM ${from.source ?? sql``}
           unnest(${arrays.questionIds}::uuid[], ${arrays.points}::float8[],
                  ${arrays.maxPoints}::float8[], ${arrays.correct}::boolean[])
             AS r(question_id, points, max_points, correct)
    ON CONFLICT (submission_id, question_id) DO UPDATE
       SET points = excluded.points, max_points = excluded.max_points, correct = excluded.correct`;
}

/**
 * Submits an open attempt with its grading in one statement: the UPDATE (only while the attempt is
 * open, and at `ifSequence` when given) and, from its RETURNING, the per-question rows
 * (quiz_item_results), so that neither is written when the attempt was not open. Being one statement
 * it needs no transaction of its own: on the pool it runs as a prepared statement and commits by
 * itself; in a transaction (`db` a PgTransaction) it is part of it. Undefined when nothing was written.
 */
export async function writeSubmission(
  db: Executor,
  write: SubmissionWrite,
): Promise<SubmittedColumns | undefined> {
  const values: SubmissionValues = {
    ...write,
    results: JSON.stringify(write.results),
    ...itemResultArrays(write.results),
  };
  const result = await submissionStatement.run<SubmittedRow>(db, values);
  const [row] = result.rows;
  if (!row) return undefined;
  return {
    score: row.score,
    maxScore: row.max_score,
    scorePercent: row.score_percent,
    submittedAt: new Date(row.submitted_ms),
    gradedAt: row.graded_ms === null ? null : new Date(row.graded_ms),
    updatedAt: new Date(row.updated_ms),
  };
}

const epochMs = (column: string) => sql.raw(`(extract(epoch FROM ${column}) * 1000)::float8`);

const submissionStatement = namedStatement<SubmissionValues>(
  'quiz-submit',
  (slot) => sql`
    WITH submitted AS (
      UPDATE quiz_submissions
         SET results = ${slot('results')}::jsonb, score = ${slot('score')}::numeric,
             max_score = ${slot('maxScore')}::numeric, score_percent = ${slot('scorePercent')}::numeric,
             passed = ${slot('passed')}::boolean, grading_status = ${slot('gradingStatus')}::grading_status,
             submitted_at = greatest(now(), started_at),
             graded_at = CASE WHEN ${slot('gradingStatus')}::grading_status = 'needs_review' THEN NULL ELSE now() END,
             auto_submitted = ${slot('auto')}::boolean, updated_at = now()
       WHERE id = ${slot('attemptId')}::uuid AND submitted_at IS NULL
         AND (${slot('ifSequence')}::bigint IS NULL OR answers_sequence = ${slot('ifSequence')}::bigint)
      RETURNING id, quiz_id, score, max_score, score_percent, submitted_at, graded_at, updated_at),
    item_results AS (${itemRowsInsert(
      { submissionId: sql`submitted.id`, quizId: sql`submitted.quiz_id`, source: sql`submitted,` },
      {
        questionIds: slot('questionIds'),
        points: slot('points'),
        maxPoints: slot('maxPoints'),
        correct: slot('correct'),
      },
    )})
    SELECT score::float8 AS score, max_score::float8 AS max_score, score_percent::float8 AS score_percent,
           ${epochMs('submitted_at')} AS submitted_ms, ${epochMs('graded_at')} AS graded_ms,
           ${epochMs('updated_at')} AS updated_ms
      FROM submitted`,
);

/**
 * A data-modifying CTE that writes an attempt's per-question rows (quiz_item_results) from its
 * `results`, for the UPDATE that writes those results by hand-grading: `tx.with(cte).update(...)`
 * runs both in one statement.
 */
export function itemResultsWrite(
  db: Executor,
  attempt: { id: string; quizId: string },
  results: AttemptResults,
) {
  const arrays = itemResultArrays(results);
  const param = (values: unknown[]) => sql`${sql.param(values)}`;
  return db.$with('item_results', {}).as(
    itemRowsInsert(
      { submissionId: sql`${attempt.id}::uuid`, quizId: sql`${attempt.quizId}::uuid` },
      {
        questionIds: param(arrays.questionIds),
        points: param(arrays.points),
        maxPoints: param(arrays.maxPoints),
        correct: param(arrays.correct),
      },
    ),
  );
}
