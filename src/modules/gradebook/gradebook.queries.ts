/**
 * The gradebook's SQL, two statements per page whatever its size: the course with its graded items
 * (published quizzes that are not surveys, published assignments) and, for a keyset page of its
 * enrolled students, every student's cells aggregated from their attempts (never one query per
 * student or per item). Counted scores come from counted-scores.ts, shared with the completion rule.
 */
import { type SQL, sql } from 'drizzle-orm';
import type { CourseStatus, EnrollmentStatus } from '../../infrastructure/database/schema/index.js';
import { microsecondKey } from '../../shared/keyset.js';
import type { Executor } from '../../shared/transaction.js';
import { COUNTED_ASSIGNMENT_POINTS, countedQuizPercent, QUIZ_MAX_POINTS } from './counted-scores.js';

/** Timestamps as the driver returns them inside JSON (text). */
type IsoText = string;

export interface GradedItemRow {
  kind: 'quiz' | 'assignment';
  id: string;
  title: string;
  is_required: boolean;
  passing_score: number;
  max_points: number | string;
  /** Assignments: the due date. */
  due_at: IsoText | null;
  /** Quizzes: the availability window. */
  available_from: IsoText | null;
  available_until: IsoText | null;
}

export type GradebookCourseRow = {
  id: string;
  slug: string;
  title: string;
  status: CourseStatus;
  instructor_id: string;
  /** The caller's enrollment (student routes). */
  enrollment_status: EnrollmentStatus | null;
  expired: boolean | null;
  items: GradedItemRow[];
};

/** The graded items of course `c`, in due-date order (undated last), as a JSON array. */
const gradedItemsJson = sql`(
  SELECT coalesce(json_agg(x ORDER BY coalesce(x.due_at, x.available_until), x.title, x.id), '[]'::json)
    FROM (
      SELECT 'quiz' AS kind, q.id, q.title, q.is_required, q.passing_score, ${QUIZ_MAX_POINTS} AS max_points,
             NULL::timestamptz AS due_at, q.available_from, q.available_until
        FROM quizzes AS q
       WHERE q.course_id = c.id AND q.is_published AND q.type <> 'survey'
      UNION ALL
      SELECT 'assignment', a.id, a.title, a.is_required, a.passing_score, a.max_points, a.due_at, NULL, NULL
        FROM assignments AS a
       WHERE a.course_id = c.id AND a.is_published
    ) AS x)`;

/** The course, the caller's enrollment in it and its graded items, in one statement. */
export async function selectGradebookCourse(
  db: Executor,
  courseId: string,
  userId: string,
): Promise<GradebookCourseRow | undefined> {
  const result = await db.execute<GradebookCourseRow>(sql`
    SELECT c.id, c.slug, c.title, c.status, c.instructor_id,
           e.status AS enrollment_status, (e.expires_at IS NOT NULL AND e.expires_at <= now()) AS expired,
           ${gradedItemsJson} AS items
      FROM courses AS c
      LEFT JOIN enrollments AS e ON e.course_id = c.id AND e.user_id = ${userId}::uuid
     WHERE c.id = ${courseId}::uuid`);
  return result.rows[0];
}

/** Who may read the course's gradebook: checked on every request, before a cached page is served. */
export type GradebookStaffFacts = Pick<GradebookCourseRow, 'id' | 'status' | 'instructor_id'>;

export async function selectGradebookStaffFacts(
  db: Executor,
  courseId: string,
): Promise<GradebookStaffFacts | undefined> {
  const result = await db.execute<GradebookStaffFacts>(sql`
    SELECT c.id, c.status, c.instructor_id FROM courses AS c WHERE c.id = ${courseId}::uuid`);
  return result.rows[0];
}

/** The course's graded items (undefined when there is no such course). */
export async function selectGradedItems(
  db: Executor,
  courseId: string,
): Promise<GradedItemRow[] | undefined> {
  const result = await db.execute<{ items: GradedItemRow[] }>(sql`
    SELECT ${gradedItemsJson} AS items FROM courses AS c WHERE c.id = ${courseId}::uuid`);
  return result.rows[0]?.items;
}

export const GRADEBOOK_SORTS = ['name', 'enrolled_at'] as const;
export type GradebookSort = (typeof GRADEBOOK_SORTS)[number];

/** Where a page starts: after the row with this sort key and enrollment id. */
export interface GradebookAfter {
  key: string;
  id: string;
}

/** The sort key of each order, as SQL and as the text a cursor carries. */
const SORT_KEY: Record<GradebookSort, SQL> = {
  name: sql`u.name`,
  enrolled_at: sql`e.enrolled_at`,
};
const PAGE_SORT_KEY: Record<GradebookSort, SQL> = {
  name: sql`page.name`,
  enrolled_at: sql`page.enrolled_at`,
};
const cursorKeyOf: Record<GradebookSort, (after: GradebookAfter) => SQL> = {
  name: (after) => sql`${after.key}::text`,
  enrolled_at: (after) => sql`${after.key}::timestamptz`,
};

export interface QuizCellRow {
  item_id: string;
  counted_percent: number | null;
  submitted: number;
  awaiting: boolean;
}

export interface AssignmentCellRow {
  item_id: string;
  counted_points: number | null;
  submitted: number;
  late: boolean;
  awaiting: boolean;
}

export type StudentGradesRow = {
  enrollment_id: string;
  user_id: string;
  name: string;
  email: string;
  status: EnrollmentStatus;
  enrolled_at: string | Date;
  enrolled_key: string;
  quiz_cells: QuizCellRow[];
  assignment_cells: AssignmentCellRow[];
};

/** Which students: a keyset page of the course's, or one student's row. */
export type StudentSelection =
  | { kind: 'page'; sort: GradebookSort; limit: number; after: GradebookAfter | undefined }
  | { kind: 'student'; userId: string };

/**
 * Students of the course (active and completed enrollments) with their cells: per graded quiz the
 * counted percent under its score policy, how many attempts were submitted and whether one awaits
 * review; per published assignment the counted points, the attempts, whether the latest was late and
 * whether one awaits grading. One statement; the aggregates read only the page's students' rows.
 */
export async function selectStudentGrades(
  db: Executor,
  courseId: string,
  selection: StudentSelection,
): Promise<StudentGradesRow[]> {
  const course = sql`${courseId}::uuid`;
  const conditions: SQL[] = [sql`e.course_id = ${course}`, sql`e.status IN ('active', 'completed')`];
  let order = sql`u.name, e.id`;
  // The same order over the page's own columns.
  let pageOrder = sql`page.name, page.enrollment_id`;
  let limit = sql``;
  if (selection.kind === 'student') {
    conditions.push(sql`e.user_id = ${selection.userId}::uuid`);
  } else {
    const key = SORT_KEY[selection.sort];
    order = sql`${key}, e.id`;
    pageOrder = sql`${PAGE_SORT_KEY[selection.sort]}, page.enrollment_id`;
    limit = sql`LIMIT ${selection.limit + 1}`;
    if (selection.after !== undefined) {
      conditions.push(
        sql`(${key}, e.id) > (${cursorKeyOf[selection.sort](selection.after)}, ${selection.after.id}::uuid)`,
      );
    }
  }
  const result = await db.execute<StudentGradesRow>(sql`
    WITH page AS MATERIALIZED (
      SELECT e.id AS enrollment_id, e.user_id, u.name, u.email, e.status, e.enrolled_at,
             ${microsecondKey(sql`e.enrolled_at`)} AS enrolled_key
        FROM enrollments AS e
        JOIN users AS u ON u.id = e.user_id
       WHERE ${sql.join(conditions, sql` AND `)}
       ORDER BY ${order}
       ${limit}
    )
    SELECT page.*, coalesce(qc.cells, '[]'::json) AS quiz_cells, coalesce(ac.cells, '[]'::json) AS assignment_cells
      FROM page
      -- Per student, their attempts only (an index range on user_id / student_id): the cost follows
      -- the page's size, not the course's or the table's.
      LEFT JOIN LATERAL (
        SELECT json_agg(json_build_object('item_id', x.quiz_id, 'counted_percent', x.counted_percent,
                                          'submitted', x.submitted, 'awaiting', x.awaiting)) AS cells
          FROM (SELECT s.quiz_id, ${countedQuizPercent(sql`q.score_policy`)} AS counted_percent,
                       (count(*) FILTER (WHERE s.submitted_at IS NOT NULL))::int AS submitted,
                       coalesce(bool_or(s.grading_status = 'needs_review'), false) AS awaiting
                  FROM quiz_submissions AS s
                  JOIN quizzes AS q ON q.id = s.quiz_id
                 WHERE s.user_id = page.user_id
                   AND q.course_id = ${course} AND q.is_published AND q.type <> 'survey'
                 GROUP BY s.quiz_id, q.score_policy) AS x
      ) AS qc ON true
      LEFT JOIN LATERAL (
        SELECT json_agg(json_build_object('item_id', x.assignment_id, 'counted_points', x.counted_points,
                                          'submitted', x.submitted, 'late', x.late, 'awaiting', x.awaiting)) AS cells
          FROM (SELECT s.assignment_id, ${COUNTED_ASSIGNMENT_POINTS} AS counted_points,
                       count(*)::int AS submitted,
                       (array_agg(s.is_late ORDER BY s.attempt_number DESC))[1] AS late,
                       coalesce(bool_or(s.grading_status IN ('submitted', 'in_review')), false) AS awaiting
                  FROM assignment_submissions AS s
                  JOIN assignments AS a ON a.id = s.assignment_id
                 WHERE s.student_id = page.user_id AND a.course_id = ${course} AND a.is_published
                 GROUP BY s.assignment_id) AS x
      ) AS ac ON true
     ORDER BY ${pageOrder}`);
  return result.rows;
}
