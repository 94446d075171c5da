/**
 * The enrollment's progress columns (`completed_lesson_count`, `progress_percent`,
 * `time_spent_seconds`, `last_accessed_at`) and its completion: the only code that writes them.
 * The enrollments module owns the `enrollments` table; the progress module calls these functions
 * inside its own transaction, after recording a lesson's progress (see src/modules/progress).
 *
 * The percentage is `floor(100 × completed required lessons / current required lessons)`, 0 when
 * the course has no required lesson, 100 once the enrollment is completed: it never shows 100 before
 * the last required lesson is done. It is kept incrementally (one increment per lesson that becomes
 * completed, against the course's required-lesson count of the moment) and recounted from
 * lesson_progress only when the course's content changes (`recountCourseProgress`).
 */
import { type SQL, sql } from 'drizzle-orm';
import type { EnrollmentStatus } from '../../infrastructure/database/schema/index.js';
import type { Transaction } from '../../shared/transaction.js';

/** The column maximum; the sum of reported times stops there instead of failing the write. */
const MAX_INT = 2_147_483_647;

/** The required lessons of the enrollment's course (`e` in the surrounding statement). */
const requiredLessonCount = sql`(SELECT count(*)::int FROM lessons AS rl WHERE rl.course_id = e.course_id AND rl.is_required)`;

/** `floor(100 × done / required)`, 0 without required lessons, never above 100. */
function percentOf(done: ReturnType<typeof sql>, required: ReturnType<typeof sql>) {
  return sql`CASE WHEN ${required} = 0 THEN 0 ELSE LEAST(100, (100 * ${done}) / ${required}) END`;
}

/** The enrollment as the progress module sees it after a write. */
export interface EnrollmentProgress {
  id: string;
  userId: string;
  courseId: string;
  status: EnrollmentStatus;
  enrolledAt: Date;
  completedAt: Date | null;
  expiresAt: Date | null;
  lastAccessedAt: Date | null;
  progressPercent: number;
  completedLessonCount: number;
  timeSpentSeconds: number;
}

/** Timestamps as the driver returns them to raw queries (text), or as Dates. */
type Timestamp = string | Date;

type EnrollmentProgressRow = {
  id: string;
  user_id: string;
  course_id: string;
  status: EnrollmentStatus;
  enrolled_at: Timestamp;
  completed_at: Timestamp | null;
  expires_at: Timestamp | null;
  last_accessed_at: Timestamp | null;
  progress_percent: number;
  completed_lesson_count: number;
  time_spent_seconds: number;
};

const returnedColumns = sql`e.id, e.user_id, e.course_id, e.status, e.enrolled_at, e.completed_at, e.expires_at,
  e.last_accessed_at, e.progress_percent, e.completed_lesson_count, e.time_spent_seconds`;

const toDate = (value: Timestamp) => (value instanceof Date ? value : new Date(value));
const toDateOrNull = (value: Timestamp | null) => (value === null ? null : toDate(value));

function toProgress(row: EnrollmentProgressRow): EnrollmentProgress {
  return {
    id: row.id,
    userId: row.user_id,
    courseId: row.course_id,
    status: row.status,
    enrolledAt: toDate(row.enrolled_at),
    completedAt: toDateOrNull(row.completed_at),
    expiresAt: toDateOrNull(row.expires_at),
    lastAccessedAt: toDateOrNull(row.last_accessed_at),
    progressPercent: row.progress_percent,
    completedLessonCount: row.completed_lesson_count,
    timeSpentSeconds: row.time_spent_seconds,
  };
}

/**
 * The enrollment entitled to record progress (active or completed, not past its expiry even before
 * the expiry sweep marked it) is the grantee of every enrollment-based permission.
 */
export const GRANTING_ENROLLMENT = sql`e.status IN ('active', 'completed') AND (e.expires_at IS NULL OR e.expires_at > now())`;

export interface LessonActivity {
  userId: string;
  lessonId: string;
  /** What the client reports since its last call (already validated as a non-negative integer). */
  reportedSeconds: number;
  /** The most one call may add. */
  maxSecondsPerCall: number;
}

export interface RecordedActivity {
  enrollment: EnrollmentProgress;
  /** The time actually added: the report, capped per call and by the time since the last activity. */
  recordedSeconds: number;
  /** The course's required lessons now. */
  requiredLessonCount: number;
}

/**
 * First step of a progress write: locks the caller's entitled enrollment in the lesson's course
 * (every progress write of one enrollment runs one after the other from here), adds the time spent
 * and touches `last_accessed_at`. The time added is at most `maxSecondsPerCall`, and at most the
 * seconds since the enrollment's previous activity (+1 for rounding; since enrolment for the first
 * one): a client cannot report more learning time than has passed, however often it calls.
 * Undefined when the caller holds no entitled enrollment in the lesson's course (or there is no such
 * lesson): nothing is written then.
 */
export async function recordLessonActivity(
  tx: Transaction,
  activity: LessonActivity,
): Promise<RecordedActivity | undefined> {
  const result = await tx.execute<RecordedActivityRow>(sql`
    WITH ${lessonActivityUpdate(activity)}
    SELECT * FROM activity`);
  return result.rows[0] && toRecordedActivity(result.rows[0]);
}

/** What the `activity` part of `lessonActivityUpdate` returns. */
export type RecordedActivityRow = EnrollmentProgressRow & {
  recorded_seconds: number;
  required_lesson_count: number;
};

export function toRecordedActivity(row: RecordedActivityRow): RecordedActivity {
  return {
    enrollment: toProgress(row),
    recordedSeconds: row.recorded_seconds,
    requiredLessonCount: row.required_lesson_count,
  };
}

/**
 * `recordLessonActivity` as two parts of a WITH clause (`activity_target`, then `activity`, which
 * returns a RecordedActivityRow), for a statement that writes the lesson's own row in the same round
 * trip (the progress module's heartbeat: one statement, no transaction, so the enrollment's lock is
 * held for that statement only). `onlyIf`: a further condition on writing at all (e.g. "the lesson is
 * not locked"), evaluated before the lock.
 */
export function lessonActivityUpdate(activity: LessonActivity, onlyIf: SQL = sql`true`): SQL {
  return sql`activity_target AS (
      SELECT e.id,
             LEAST(${activity.reportedSeconds}::int, ${activity.maxSecondsPerCall}::int,
                   GREATEST(0, ceil(extract(epoch FROM now() - coalesce(e.last_accessed_at, e.enrolled_at))))::int + 1
             ) AS seconds
        FROM enrollments AS e
        JOIN lessons AS l ON l.course_id = e.course_id
       WHERE l.id = ${activity.lessonId}::uuid AND e.user_id = ${activity.userId}::uuid AND ${GRANTING_ENROLLMENT}
         AND ${onlyIf}
         FOR NO KEY UPDATE OF e
    ),
    activity AS (
      UPDATE enrollments AS e
         SET time_spent_seconds = LEAST(e.time_spent_seconds::bigint + activity_target.seconds, ${MAX_INT})::int,
             last_accessed_at = GREATEST(coalesce(e.last_accessed_at, now()), now()),
             updated_at = now()
        FROM activity_target
       WHERE e.id = activity_target.id
      RETURNING ${returnedColumns}, activity_target.seconds AS recorded_seconds,
                ${requiredLessonCount} AS required_lesson_count
    )`;
}

export interface CountedLesson {
  enrollment: EnrollmentProgress;
  /** The course's required lessons now. */
  requiredLessonCount: number;
}

/**
 * A required lesson of the enrollment became completed: one more completed lesson, and the
 * percentage against the course's current required-lesson count. Call only under the lock taken by
 * `recordLessonActivity`, once per lesson that changed to completed.
 */
export async function countCompletedLesson(tx: Transaction, enrollmentId: string): Promise<CountedLesson> {
  const done = sql`(e.completed_lesson_count + 1)`;
  const result = await tx.execute<EnrollmentProgressRow & { required_lesson_count: number }>(sql`
    UPDATE enrollments AS e
       SET completed_lesson_count = ${done},
           progress_percent = CASE WHEN e.status = 'completed' THEN 100
                                   ELSE ${percentOf(done, requiredLessonCount)} END,
           updated_at = now()
     WHERE e.id = ${enrollmentId}::uuid
    RETURNING ${returnedColumns}, ${requiredLessonCount} AS required_lesson_count`);
  const row = result.rows[0];
  if (!row) throw new Error(`countCompletedLesson: enrollment ${enrollmentId} vanished under its lock`);
  return { enrollment: toProgress(row), requiredLessonCount: row.required_lesson_count };
}

/**
 * Marks the enrollment completed, exactly once: a conditional update of an active, unexpired
 * enrollment. Undefined when it was not active any more (completed by a concurrent request, dropped,
 * expired), so only the caller that gets the row announces the completion.
 */
export async function completeEnrollment(
  tx: Transaction,
  enrollmentId: string,
): Promise<EnrollmentProgress | undefined> {
  const result = await tx.execute<EnrollmentProgressRow>(sql`
    UPDATE enrollments AS e
       SET status = 'completed', completed_at = now(), progress_percent = 100, updated_at = now()
     WHERE e.id = ${enrollmentId}::uuid AND e.status = 'active'
       AND (e.expires_at IS NULL OR e.expires_at > now())
    RETURNING ${returnedColumns}`);
  const row = result.rows[0];
  return row && toProgress(row);
}

/** An active enrollment whose required lessons are, by the recount, all completed. */
export interface RecountedEnrollment {
  id: string;
  userId: string;
  courseId: string;
}

/**
 * After the course's content changed (a required lesson added, removed, made optional): recounts
 * `completed_lesson_count` and `progress_percent` of the course's active enrollments from
 * lesson_progress, in one statement, and returns those that now have every required lesson
 * completed (for the completion rule). The rows are locked first, in a statement of their own, so
 * the recount reads lesson_progress after every progress write in flight has committed and none
 * can interleave (a recount computed from an older snapshot would undo its increment).
 */
export async function recountCourseProgress(
  tx: Transaction,
  courseId: string,
): Promise<RecountedEnrollment[]> {
  await tx.execute(sql`
    SELECT e.id FROM enrollments AS e
     WHERE e.course_id = ${courseId}::uuid AND e.status = 'active'
     ORDER BY e.id
       FOR NO KEY UPDATE`);
  const result = await tx.execute<{ id: string; user_id: string; course_id: string }>(sql`
    WITH required AS (
      SELECT l.id FROM lessons AS l WHERE l.course_id = ${courseId}::uuid AND l.is_required
    ),
    total AS (SELECT count(*)::int AS n FROM required),
    counts AS (
      SELECT e.id, e.user_id, e.course_id,
             (SELECT count(*)::int FROM lesson_progress AS lp
               WHERE lp.enrollment_id = e.id AND lp.status = 'completed'
                 AND lp.lesson_id IN (SELECT id FROM required)) AS done
        FROM enrollments AS e
       WHERE e.course_id = ${courseId}::uuid AND e.status = 'active'
    ),
    recounted AS (
      UPDATE enrollments AS e
         SET completed_lesson_count = counts.done,
             progress_percent = ${percentOf(sql`counts.done`, sql`total.n`)},
             updated_at = now()
        FROM counts, total
       WHERE e.id = counts.id
         AND (e.completed_lesson_count, e.progress_percent)
             IS DISTINCT FROM (counts.done, ${percentOf(sql`counts.done`, sql`total.n`)})
      RETURNING e.id
    )
    SELECT counts.id, counts.user_id, counts.course_id
      FROM counts, total
     WHERE total.n > 0 AND counts.done >= total.n`);
  return result.rows.map((row) => ({ id: row.id, userId: row.user_id, courseId: row.course_id }));
}
