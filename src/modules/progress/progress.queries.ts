/**
 * The SQL of the progress module: the learner's course view (one statement), the lesson_progress
 * upsert with its lock check (one statement), and the checks that tell why a write was refused.
 */
import { type SQL, sql } from 'drizzle-orm';
import type { Database } from '../../infrastructure/database/client/client.js';
import { namedStatement } from '../../infrastructure/database/client/named-statement.js';
import type {
  CourseStatus,
  EnrollmentStatus,
  LessonType,
  ProgressStatus,
} from '../../infrastructure/database/schema/index.js';
import type { Executor, Transaction } from '../../shared/transaction.js';
import {
  GRANTING_ENROLLMENT,
  type LessonActivity,
  lessonActivityUpdate,
  type RecordedActivity,
  type RecordedActivityRow,
  toRecordedActivity,
} from '../enrollments/index.js';
import { COUNTED_ASSIGNMENT_POINTS, countedQuizPercent } from '../gradebook/index.js';
import { type BlockingLesson, LISTED_BLOCKING_LESSONS } from './lesson-locks.js';

const MAX_INT = 2_147_483_647;

/** Timestamps as the driver returns them to raw queries (text), or as Dates. */
export type Timestamp = string | Date;

export const toDateOrNull = (value: Timestamp | null): Date | null =>
  value === null ? null : value instanceof Date ? value : new Date(value);

/**
 * The lock rule in SQL (lesson-locks.ts): the required lessons of the course's modules placed before
 * `modulePosition` that `userId` has not completed, in course order, as a JSON array of at most
 * LISTED_BLOCKING_LESSONS (each with the total count). `courseId` and `modulePosition` are SQL
 * expressions of the surrounding statement.
 */
function blockingLessonsJson(userId: string, courseId: SQL, modulePosition: SQL): SQL {
  return sql`(
    SELECT coalesce(json_agg(json_build_object('lessonId', x.id, 'title', x.title, 'moduleId', x.module_id,
                                               'moduleTitle', x.module_title, 'total', x.total)
                             ORDER BY x.module_position, x.position), '[]'::json)
      FROM (SELECT b.id, b.title, b.module_id, b.position, bm.title AS module_title, bm.position AS module_position,
                   count(*) OVER () AS total
              FROM lessons AS b
              JOIN course_modules AS bm ON bm.id = b.module_id
              LEFT JOIN lesson_progress AS bp ON bp.lesson_id = b.id AND bp.user_id = ${userId}::uuid
             WHERE b.course_id = ${courseId} AND b.is_required AND bm.position < ${modulePosition}
               AND bp.status IS DISTINCT FROM 'completed'
             ORDER BY bm.position, b.position
             LIMIT ${LISTED_BLOCKING_LESSONS}) AS x)`;
}

type BlockingRow = BlockingLesson & { total: number };

export interface Blockers {
  lessons: BlockingLesson[];
  total: number;
}

function toBlockers(rows: BlockingRow[] | null): Blockers {
  const list = rows ?? [];
  return {
    lessons: list.map(({ lessonId, title, moduleId, moduleTitle }) => ({
      lessonId,
      title,
      moduleId,
      moduleTitle,
    })),
    total: Number(list[0]?.total ?? 0),
  };
}

/** One row per lesson of the course in order (one per empty module, one when there is no module). */
export type LearnerCourseRow = {
  course_id: string;
  slug: string;
  course_title: string;
  course_status: CourseStatus;
  sequential_modules: boolean;
  instructor_id: string;
  enrollment_id: string | null;
  enrollment_status: EnrollmentStatus | null;
  expired: boolean | null;
  enrolled_at: Timestamp | null;
  completed_at: Timestamp | null;
  expires_at: Timestamp | null;
  last_accessed_at: Timestamp | null;
  progress_percent: number | null;
  completed_lesson_count: number | null;
  time_spent_seconds: number | null;
  module_id: string | null;
  module_title: string | null;
  module_position: number | null;
  lesson_id: string | null;
  lesson_title: string | null;
  lesson_type: LessonType | null;
  lesson_position: number | null;
  duration_seconds: number | null;
  is_preview: boolean | null;
  is_required: boolean | null;
  progress_status: ProgressStatus | null;
  last_position_seconds: number | null;
  lesson_time_spent_seconds: number | null;
  lesson_completed_at: Timestamp | null;
};

/**
 * The course, the caller's enrollment and the outline with the caller's progress on each lesson,
 * from one snapshot in one statement (every join is an index lookup: the cost follows the course's
 * size, not the database's). Empty when there is no such course.
 */
export async function selectLearnerCourse(
  db: Executor,
  userId: string,
  courseId: string,
): Promise<LearnerCourseRow[]> {
  const result = await db.execute<LearnerCourseRow>(sql`
    SELECT c.id AS course_id, c.slug, c.title AS course_title, c.status AS course_status,
           c.sequential_modules, c.instructor_id,
           e.id AS enrollment_id, e.status AS enrollment_status,
           (e.expires_at IS NOT NULL AND e.expires_at <= now()) AS expired,
           e.enrolled_at, e.completed_at, e.expires_at, e.last_accessed_at, e.progress_percent,
           e.completed_lesson_count, e.time_spent_seconds,
           m.id AS module_id, m.title AS module_title, m.position AS module_position,
           l.id AS lesson_id, l.title AS lesson_title, l.type AS lesson_type, l.position AS lesson_position,
           l.duration_seconds, l.is_preview, l.is_required,
           lp.status AS progress_status, lp.last_position_seconds,
           lp.time_spent_seconds AS lesson_time_spent_seconds, lp.completed_at AS lesson_completed_at
      FROM courses AS c
      LEFT JOIN enrollments AS e ON e.course_id = c.id AND e.user_id = ${userId}::uuid
      LEFT JOIN course_modules AS m ON m.course_id = c.id
      LEFT JOIN lessons AS l ON l.module_id = m.id
      LEFT JOIN lesson_progress AS lp ON lp.lesson_id = l.id AND lp.user_id = ${userId}::uuid
     WHERE c.id = ${courseId}::uuid
     ORDER BY m.position, l.position`);
  return result.rows;
}

export interface ProgressWrite {
  userId: string;
  lessonId: string;
  enrollmentId: string;
  enrollmentStatus: EnrollmentStatus;
  status: 'in_progress' | 'completed';
  positionSeconds: number | undefined;
  recordedSeconds: number;
}

export interface WrittenProgress {
  lessonId: string;
  courseId: string;
  isRequired: boolean;
  /** The lesson changed to completed with this write (it was not completed before). */
  becameCompleted: boolean;
  status: ProgressStatus;
  positionSeconds: number;
  timeSpentSeconds: number;
  startedAt: Date | null;
  completedAt: Date | null;
}

type WrittenRow = {
  lesson_id: string;
  course_id: string;
  is_required: boolean;
  previous_status: ProgressStatus | null;
  blockers: BlockingRow[] | null;
  status: ProgressStatus | null;
  last_position_seconds: number | null;
  time_spent_seconds: number | null;
  started_at: Timestamp | null;
  completed_at: Timestamp | null;
};

export type ProgressWriteResult =
  | { kind: 'written'; progress: WrittenProgress }
  | { kind: 'locked'; blockers: Blockers }
  | { kind: 'no_lesson' };

/**
 * Upserts the caller's progress row of the lesson, unless the lesson is locked for them (then it
 * writes nothing and returns the blocking lessons). A completed lesson stays completed whatever is
 * sent; the resume point changes only when one is sent; time adds up. Runs under the enrollment
 * lock taken by the enrollments module's `recordLessonActivity`, so the row read as `previous` is
 * the latest one and `becameCompleted` is true for exactly one write per lesson.
 */
export async function writeLessonProgress(
  tx: Transaction,
  write: ProgressWrite,
): Promise<ProgressWriteResult> {
  const locksApply = write.enrollmentStatus === 'active';
  const result = await tx.execute<WrittenRow>(sql`
    WITH ${lessonPart(write.lessonId)},
    blocked AS (
      SELECT ${blockersOf(write.userId, sql`${locksApply}`)} AS blockers FROM lesson
    ),
    previous AS (
      SELECT lp.status FROM lesson_progress AS lp
       WHERE lp.user_id = ${write.userId}::uuid AND lp.lesson_id = ${write.lessonId}::uuid
    ),
    written AS (
      ${progressUpsert({
        userId: write.userId,
        status: write.status,
        positionSeconds: write.positionSeconds,
        enrollmentId: sql`${write.enrollmentId}::uuid`,
        recordedSeconds: sql`${write.recordedSeconds}::int`,
        from: sql`lesson, blocked WHERE json_array_length(blocked.blockers) = 0`,
      })}
    )
    SELECT lesson.id AS lesson_id, lesson.course_id, lesson.is_required,
           (SELECT previous.status FROM previous) AS previous_status,
           blocked.blockers, ${writtenColumns}
      FROM lesson
      JOIN blocked ON true
      LEFT JOIN written ON true`);
  const row = result.rows[0];
  if (!row) return { kind: 'no_lesson' };
  return toWriteResult(row);
}

/** The lesson written to, with what the lock rule needs (`lesson`, a part of a WITH clause). */
function lessonPart(lessonId: string): SQL {
  return sql`lesson AS (
      SELECT l.id, l.course_id, l.is_required, l.duration_seconds, m.position AS module_position,
             c.sequential_modules
        FROM lessons AS l
        JOIN course_modules AS m ON m.id = l.module_id
        JOIN courses AS c ON c.id = l.course_id
       WHERE l.id = ${lessonId}::uuid
    )`;
}

/** The lesson's blocking lessons (JSON) when the lock rule applies (`lesson` in scope), else `[]`. */
function blockersOf(userId: string, locksApply: SQL): SQL {
  return sql`CASE WHEN lesson.sequential_modules AND ${locksApply}
                  THEN ${blockingLessonsJson(userId, sql`lesson.course_id`, sql`lesson.module_position`)}
                  ELSE '[]'::json END`;
}

const writtenColumns = sql`written.status, written.last_position_seconds, written.time_spent_seconds,
           written.started_at, written.completed_at`;

/**
 * The lesson_progress upsert: a completed lesson stays completed whatever is sent, the resume point
 * changes only when one is sent, time adds up. `from` supplies `lesson` (and the rows that decide
 * whether to write at all).
 */
function progressUpsert(write: {
  userId: string;
  status: 'in_progress' | 'completed';
  positionSeconds: number | undefined;
  enrollmentId: SQL;
  recordedSeconds: SQL;
  from: SQL;
}): SQL {
  const position = write.positionSeconds ?? null;
  const status = sql`${write.status}::progress_status`;
  return sql`INSERT INTO lesson_progress AS lp
             (user_id, lesson_id, enrollment_id, status, progress_percent, time_spent_seconds, started_at,
              completed_at, last_position_seconds)
      SELECT ${write.userId}::uuid, lesson.id, ${write.enrollmentId}, ${status},
             CASE WHEN ${status} = 'completed' THEN 100
                  WHEN ${position}::int IS NOT NULL AND lesson.duration_seconds > 0
                  THEN LEAST(99, (100 * ${position}::int) / lesson.duration_seconds)
                  ELSE 0 END,
             ${write.recordedSeconds}, now(),
             CASE WHEN ${status} = 'completed' THEN now() END,
             coalesce(${position}::int, 0)
        FROM ${write.from}
      ON CONFLICT (user_id, lesson_id) DO UPDATE SET
             status = CASE WHEN lp.status = 'completed' OR EXCLUDED.status = 'completed'
                           THEN 'completed'::progress_status ELSE 'in_progress'::progress_status END,
             completed_at = CASE WHEN lp.status = 'completed' THEN lp.completed_at
                                 WHEN EXCLUDED.status = 'completed' THEN now() END,
             progress_percent = CASE WHEN lp.status = 'completed' OR EXCLUDED.status = 'completed' THEN 100
                                     WHEN ${position}::int IS NOT NULL THEN EXCLUDED.progress_percent
                                     ELSE lp.progress_percent END,
             time_spent_seconds = LEAST(lp.time_spent_seconds::bigint + EXCLUDED.time_spent_seconds, ${MAX_INT})::int,
             last_position_seconds = coalesce(${position}::int, lp.last_position_seconds),
             started_at = coalesce(lp.started_at, now()),
             enrollment_id = EXCLUDED.enrollment_id,
             updated_at = now()
      RETURNING lp.status, lp.last_position_seconds, lp.time_spent_seconds, lp.started_at, lp.completed_at`;
}

function toWriteResult(row: WrittenRow): Exclude<ProgressWriteResult, { kind: 'no_lesson' }> {
  if (row.status === null) return { kind: 'locked', blockers: toBlockers(row.blockers) };
  return {
    kind: 'written',
    progress: {
      lessonId: row.lesson_id,
      courseId: row.course_id,
      isRequired: row.is_required,
      becameCompleted: row.status === 'completed' && row.previous_status !== 'completed',
      status: row.status,
      positionSeconds: row.last_position_seconds ?? 0,
      timeSpentSeconds: row.time_spent_seconds ?? 0,
      startedAt: toDateOrNull(row.started_at),
      completedAt: toDateOrNull(row.completed_at),
    },
  };
}

/** What a heartbeat statement is run with (its parameters by name). */
type HeartbeatValues = {
  userId: string;
  lessonId: string;
  positionSeconds: number | null;
  reportedSeconds: number;
  maxSecondsPerCall: number;
};

/**
 * The heartbeat statement, composed once from the same parts as the other writes
 * (`lessonActivityUpdate`, `progressUpsert`): drizzle walking its 5 KB of parts on every request was
 * ~5% of the server's CPU per heartbeat under load, and planning it cost more than running it.
 */
const heartbeatStatement = namedStatement<HeartbeatValues>('progress-heartbeat', (slot) =>
  heartbeatSql({
    userId: slot('userId'),
    lessonId: slot('lessonId'),
    positionSeconds: slot('positionSeconds'),
    reportedSeconds: slot('reportedSeconds'),
    maxSecondsPerCall: slot('maxSecondsPerCall'),
  }),
);

export type HeartbeatResult =
  | { kind: 'written'; progress: WrittenProgress; activity: RecordedActivity }
  | { kind: 'locked'; blockers: Blockers }
  /** No entitled enrollment in the lesson's course, or no such lesson: nothing was written. */
  | { kind: 'not_entitled' };

/** The heartbeat's SQL (see recordLessonHeartbeat), from values or from slots. */
function heartbeatSql(write: {
  userId: string;
  lessonId: string;
  positionSeconds: number | null;
  reportedSeconds: number;
  maxSecondsPerCall: number;
}): SQL {
  const activity: LessonActivity = {
    userId: write.userId,
    lessonId: write.lessonId,
    reportedSeconds: write.reportedSeconds,
    maxSecondsPerCall: write.maxSecondsPerCall,
  };
  return sql`
    WITH ${lessonPart(write.lessonId)},
    entitled AS (
      SELECT e.status FROM enrollments AS e, lesson
       WHERE e.course_id = lesson.course_id AND e.user_id = ${write.userId}::uuid AND ${GRANTING_ENROLLMENT}
    ),
    blocked AS (
      SELECT ${blockersOf(write.userId, sql`entitled.status = 'active'`)} AS blockers FROM lesson, entitled
    ),
    ${lessonActivityUpdate(activity, sql`NOT EXISTS (SELECT 1 FROM blocked WHERE json_array_length(blocked.blockers) > 0)`)},
    written AS (
      ${progressUpsert({
        userId: write.userId,
        status: 'in_progress',
        positionSeconds: write.positionSeconds ?? undefined,
        enrollmentId: sql`activity.id`,
        recordedSeconds: sql`activity.recorded_seconds`,
        from: sql`lesson, activity`,
      })}
    )
    SELECT lesson.id AS lesson_id, lesson.course_id, lesson.is_required, NULL AS previous_status,
           blocked.blockers, ${writtenColumns}, (SELECT to_json(activity) FROM activity) AS activity
      FROM lesson
      JOIN blocked ON true
      LEFT JOIN written ON true
      -- For this statement's transaction only (is_local): the session keeps its setting.
      CROSS JOIN (SELECT set_config('synchronous_commit', 'off', true)) AS asynchronous_commit`;
}

/**
 * A progress write that cannot complete the lesson (status `in_progress`, what players send every
 * few seconds): the enrollment's activity (the enrollments module's `lessonActivityUpdate`) and the
 * lesson_progress upsert in ONE statement, outside any transaction, so the enrollment's row lock is
 * held for that statement alone instead of across round trips: concurrent writes of one learner
 * queue for microseconds, not milliseconds. Nothing is written when the lesson is locked. It never
 * changes a completion, so it needs neither the fresh snapshot of `previous` (writeLessonProgress)
 * nor the completion rule (the service still runs the rule when the counter says a completion was
 * interrupted).
 *
 * It runs as a named prepared statement on the pool (drizzle's `execute` cannot name one):
 * PostgreSQL parses and plans it once per connection instead of on every call (planning its 5 KB of
 * CTEs cost more than running them). Its text is built once (builtHeartbeatStatement).
 *
 * It commits asynchronously (`synchronous_commit = off` for its own transaction only): the answer
 * does not wait for the WAL flush, which on ordinary disks costs more than the statement itself. A
 * PostgreSQL crash can lose the reports of the last moment (up to three `wal_writer_delay`s, 0.6 s by
 * default): a resume point and a few seconds of time spent, which the player's next report restores.
 * Nothing else is at stake: a heartbeat never completes a lesson, and the database stays consistent.
 */
export async function recordLessonHeartbeat(
  db: Database,
  write: { userId: string; lessonId: string; positionSeconds: number | undefined } & Pick<
    LessonActivity,
    'reportedSeconds' | 'maxSecondsPerCall'
  >,
): Promise<HeartbeatResult> {
  const result = await heartbeatStatement.run<WrittenRow & { activity: RecordedActivityRow | null }>(db, {
    userId: write.userId,
    lessonId: write.lessonId,
    positionSeconds: write.positionSeconds ?? null,
    reportedSeconds: write.reportedSeconds,
    maxSecondsPerCall: write.maxSecondsPerCall,
  });
  const row = result.rows[0];
  if (!row) return { kind: 'not_entitled' };
  const written = toWriteResult(row);
  if (written.kind === 'locked') return written;
  if (row.activity === null) return { kind: 'not_entitled' };
  return { ...written, activity: toRecordedActivity(row.activity) };
}

/** What decides who may do what with a lesson, when the caller holds no entitled enrollment. */
export interface LessonFacts {
  courseId: string;
  courseStatus: CourseStatus;
  instructorId: string;
  enrollmentStatus: EnrollmentStatus | null;
  expired: boolean;
}

export async function selectLessonFacts(
  db: Executor,
  userId: string,
  lessonId: string,
): Promise<LessonFacts | undefined> {
  const result = await db.execute<{
    course_id: string;
    course_status: CourseStatus;
    instructor_id: string;
    enrollment_status: EnrollmentStatus | null;
    expired: boolean | null;
  }>(sql`
    SELECT c.id AS course_id, c.status AS course_status, c.instructor_id, e.status AS enrollment_status,
           (e.expires_at IS NOT NULL AND e.expires_at <= now()) AS expired
      FROM lessons AS l
      JOIN courses AS c ON c.id = l.course_id
      LEFT JOIN enrollments AS e ON e.course_id = c.id AND e.user_id = ${userId}::uuid
     WHERE l.id = ${lessonId}::uuid`);
  const row = result.rows[0];
  return (
    row && {
      courseId: row.course_id,
      courseStatus: row.course_status,
      instructorId: row.instructor_id,
      enrollmentStatus: row.enrollment_status,
      expired: row.expired === true,
    }
  );
}

export interface LearnerLessonFacts {
  enrollmentStatus: EnrollmentStatus | null;
  expired: boolean;
  blockers: Blockers;
}

/** The caller's enrollment in the lesson's course and what locks the lesson for them (one statement). */
export async function selectLearnerLessonFacts(
  db: Executor,
  userId: string,
  courseId: string,
  lessonId: string,
): Promise<LearnerLessonFacts | undefined> {
  const result = await db.execute<{
    enrollment_status: EnrollmentStatus | null;
    expired: boolean | null;
    blockers: BlockingRow[] | null;
  }>(sql`
    SELECT e.status AS enrollment_status, (e.expires_at IS NOT NULL AND e.expires_at <= now()) AS expired,
           CASE WHEN c.sequential_modules AND e.status = 'active'
                THEN ${blockingLessonsJson(userId, sql`l.course_id`, sql`m.position`)} END AS blockers
      FROM lessons AS l
      JOIN course_modules AS m ON m.id = l.module_id
      JOIN courses AS c ON c.id = l.course_id
      LEFT JOIN enrollments AS e ON e.course_id = l.course_id AND e.user_id = ${userId}::uuid
     WHERE l.id = ${lessonId}::uuid AND l.course_id = ${courseId}::uuid`);
  const row = result.rows[0];
  return (
    row && {
      enrollmentStatus: row.enrollment_status,
      expired: row.expired === true,
      blockers: toBlockers(row.blockers),
    }
  );
}

/** Whether the rule locks any module of the course for the caller's active enrollment. */
export async function selectHasLockedModules(
  db: Executor,
  userId: string,
  courseId: string,
): Promise<boolean> {
  const result = await db.execute<{ locked: boolean }>(sql`
    SELECT EXISTS (
      SELECT 1
        FROM enrollments AS e
        JOIN courses AS c ON c.id = e.course_id AND c.sequential_modules
        JOIN course_modules AS bm ON bm.course_id = c.id
        JOIN lessons AS b ON b.module_id = bm.id AND b.is_required
        LEFT JOIN lesson_progress AS bp ON bp.lesson_id = b.id AND bp.user_id = e.user_id
       WHERE e.user_id = ${userId}::uuid AND e.course_id = ${courseId}::uuid AND e.status = 'active'
         AND bp.status IS DISTINCT FROM 'completed'
         AND EXISTS (SELECT 1 FROM course_modules AS later
                      WHERE later.course_id = c.id AND later.position > bm.position)
    ) AS locked`);
  return result.rows[0]?.locked === true;
}

/**
 * What the completion rule reads: the course's required lessons and how many the user completed,
 * its published required quizzes and how many the user passed (the counted percent per score policy
 * reaches the passing score; a required survey, being ungraded, is met by any submitted attempt),
 * its published required assignments and how many the user passed (the counted grade reaches
 * passing_score % of max_points), and the course's names. Counted scores: gradebook/counted-scores.ts.
 */
export type CompletionFacts = {
  requiredLessons: number;
  completedLessons: number;
  requiredQuizzes: number;
  passedQuizzes: number;
  requiredAssignments: number;
  passedAssignments: number;
  title: string;
  slug: string;
};

export async function selectCompletionFacts(
  tx: Executor,
  userId: string,
  courseId: string,
): Promise<CompletionFacts | undefined> {
  const user = sql`${userId}::uuid`;
  const result = await tx.execute<CompletionFacts>(sql`
    SELECT c.title, c.slug,
           (SELECT count(*)::int FROM lessons AS l WHERE l.course_id = c.id AND l.is_required)
             AS "requiredLessons",
           (SELECT count(*)::int FROM lessons AS l
              JOIN lesson_progress AS lp ON lp.lesson_id = l.id AND lp.user_id = ${user}
             WHERE l.course_id = c.id AND l.is_required AND lp.status = 'completed') AS "completedLessons",
           (SELECT count(*)::int FROM quizzes AS q
             WHERE q.course_id = c.id AND q.is_published AND q.is_required) AS "requiredQuizzes",
           (SELECT count(*)::int FROM quizzes AS q
             WHERE q.course_id = c.id AND q.is_published AND q.is_required
               AND CASE WHEN q.type = 'survey'
                        THEN EXISTS (SELECT 1 FROM quiz_submissions AS s
                                      WHERE s.quiz_id = q.id AND s.user_id = ${user} AND s.submitted_at IS NOT NULL)
                        ELSE (SELECT ${countedQuizPercent(sql`q.score_policy`)} FROM quiz_submissions AS s
                               WHERE s.quiz_id = q.id AND s.user_id = ${user})
                             >= q.passing_score END) AS "passedQuizzes",
           (SELECT count(*)::int FROM assignments AS a
             WHERE a.course_id = c.id AND a.is_published AND a.is_required) AS "requiredAssignments",
           (SELECT count(*)::int FROM assignments AS a
             WHERE a.course_id = c.id AND a.is_published AND a.is_required
               AND (SELECT ${COUNTED_ASSIGNMENT_POINTS} FROM assignment_submissions AS s
                     WHERE s.assignment_id = a.id AND s.student_id = ${user})
                   >= a.passing_score * a.max_points / 100.0) AS "passedAssignments"
      FROM courses AS c
     WHERE c.id = ${courseId}::uuid`);
  return result.rows[0];
}

/**
 * Locks the enrollment row (as a progress write does) in a statement of its own, so the completion
 * facts read after it see every requirement committed by then: a lesson finished and a quiz graded
 * at the same moment in two transactions cannot both miss each other's commit.
 */
export async function lockEnrollmentForCompletion(tx: Transaction, enrollmentId: string): Promise<void> {
  await tx.execute(sql`SELECT 1 FROM enrollments WHERE id = ${enrollmentId}::uuid FOR NO KEY UPDATE`);
}
