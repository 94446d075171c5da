/**
 * The SQL of bulk enrolment: the operation and its items, and the set-based statements one chunk of
 * the job runs (each statement takes the whole chunk, never one row at a time).
 */
import { type SQL, sql } from 'drizzle-orm';
import type {
  BulkOperationCounts,
  BulkOperationState,
  EnrollmentStatus,
} from '../../infrastructure/database/schema/index.js';
import type { Executor, Transaction } from '../../shared/transaction.js';
import type { ClassifiedRow } from './email-list.js';
import type { BulkOutcome } from './enrollments.schemas.js';

/** One array as one parameter (Drizzle would otherwise spread it into a parameter per element). */
const arrayParam = (values: readonly unknown[]): SQL => sql`${sql.param(values)}`;

export type BulkOperationRow = {
  id: string;
  kind: string;
  course_id: string | null;
  requested_by: string | null;
  course_instructor_id: string | null;
  state: BulkOperationState;
  total: number;
  processed: number;
  counts: BulkOperationCounts;
  error: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
};

/** Items are written this many per INSERT (4 parameters each, well under PostgreSQL's 65,535). */
const ITEM_INSERT_BATCH = 5_000;

/** Inserts the operation and its rows (classified ones with their outcome); returns the operation's id. */
export async function insertBulkOperation(
  tx: Transaction,
  operation: { courseId: string; requestedBy: string; rows: readonly ClassifiedRow[] },
): Promise<string> {
  const counts: BulkOperationCounts = {};
  for (const row of operation.rows) {
    if (row.outcome !== null) counts[row.outcome] = (counts[row.outcome] ?? 0) + 1;
  }
  const processed = Object.values(counts).reduce((sum, count) => sum + count, 0);
  const inserted = await tx.execute<{ id: string }>(sql`
    INSERT INTO bulk_operations (kind, course_id, requested_by, total, processed, counts)
    VALUES ('course_enrollment', ${operation.courseId}::uuid, ${operation.requestedBy}::uuid,
            ${operation.rows.length}::int, ${processed}::int, ${JSON.stringify(counts)}::jsonb)
    RETURNING id`);
  const id = inserted.rows[0]?.id;
  if (id === undefined) throw new Error('insertBulkOperation: no row returned');
  for (let start = 0; start < operation.rows.length; start += ITEM_INSERT_BATCH) {
    const rows = operation.rows.slice(start, start + ITEM_INSERT_BATCH);
    await tx.execute(sql`
      INSERT INTO bulk_operation_items (operation_id, position, input, outcome)
      SELECT ${id}::uuid, r.position, r.input, r.outcome
        FROM unnest(${arrayParam(rows.map((row) => row.position))}::int[],
                    ${arrayParam(rows.map((row) => row.input))}::text[],
                    ${arrayParam(rows.map((row) => row.outcome))}::text[]) AS r(position, input, outcome)`);
  }
  return id;
}

const operationSelect = sql`
  SELECT o.id, o.kind, o.course_id, o.requested_by, c.instructor_id AS course_instructor_id, o.state,
         o.total, o.processed, o.counts, o.error, o.created_at, o.started_at, o.finished_at
    FROM bulk_operations o
    LEFT JOIN courses c ON c.id = o.course_id`;

export async function findBulkOperation(db: Executor, id: string): Promise<BulkOperationRow | undefined> {
  const result = await db.execute<BulkOperationRow>(sql`${operationSelect} WHERE o.id = ${id}::uuid`);
  return result.rows[0];
}

/** The operation row, locked for this chunk: two runs of one job (a retry) never work side by side. */
export async function lockBulkOperation(tx: Transaction, id: string): Promise<BulkOperationRow | undefined> {
  const result = await tx.execute<BulkOperationRow>(
    sql`${operationSelect} WHERE o.id = ${id}::uuid FOR UPDATE OF o`,
  );
  return result.rows[0];
}

export type BulkItemRow = {
  position: number;
  input: string;
  outcome: BulkOutcome | null;
  enrollment_id: string | null;
};

/** A page of items in input order, after `afterPosition`. */
export async function findBulkItemsPage(
  db: Executor,
  operationId: string,
  filter: { outcome?: BulkOutcome | undefined; limit: number },
  afterPosition: number | undefined,
): Promise<BulkItemRow[]> {
  const conditions: SQL[] = [sql`operation_id = ${operationId}::uuid`];
  if (filter.outcome !== undefined) conditions.push(sql`outcome = ${filter.outcome}`);
  if (afterPosition !== undefined) conditions.push(sql`position > ${afterPosition}::int`);
  const result = await db.execute<BulkItemRow>(sql`
    SELECT position, input, outcome, enrollment_id FROM bulk_operation_items
     WHERE ${sql.join(conditions, sql` AND `)}
     ORDER BY position
     LIMIT ${filter.limit + 1}`);
  return result.rows;
}

/** The next rows the job has not processed, locked, in input order. */
export async function lockNextBulkItems(
  tx: Transaction,
  operationId: string,
  size: number,
): Promise<Array<{ position: number; input: string }>> {
  const result = await tx.execute<{ position: number; input: string }>(sql`
    SELECT position, input FROM bulk_operation_items
     WHERE operation_id = ${operationId}::uuid AND outcome IS NULL
     ORDER BY position
     LIMIT ${size}
     FOR UPDATE`);
  return result.rows;
}

/** What a chunk needs to know per row: the account, its enrollment in the course, its prerequisites. */
export type BulkCandidateRow = {
  position: number;
  user_id: string | null;
  user_active: boolean | null;
  enrollment_id: string | null;
  enrollment_status: EnrollmentStatus | null;
  prerequisites_met: boolean;
};

/** One statement for the whole chunk: each address's account, enrollment and prerequisites. */
export async function findBulkCandidates(
  tx: Transaction,
  courseId: string,
  rows: ReadonlyArray<{ position: number; email: string }>,
): Promise<BulkCandidateRow[]> {
  const result = await tx.execute<BulkCandidateRow>(sql`
    SELECT r.position, u.id AS user_id, u.is_active AS user_active,
           e.id AS enrollment_id, e.status AS enrollment_status,
           (u.id IS NULL OR NOT EXISTS (
              SELECT 1 FROM course_prerequisites cp
               WHERE cp.course_id = ${courseId}::uuid
                 AND NOT EXISTS (
                   SELECT 1 FROM enrollments pe
                    WHERE pe.user_id = u.id AND pe.course_id = cp.prerequisite_course_id
                      AND pe.status = 'completed'))) AS prerequisites_met
      FROM unnest(${arrayParam(rows.map((row) => row.position))}::int[],
                  ${arrayParam(rows.map((row) => row.email))}::text[]) AS r(position, email)
      LEFT JOIN users u ON u.email = r.email
      LEFT JOIN enrollments e ON e.user_id = u.id AND e.course_id = ${courseId}::uuid
     ORDER BY r.position`);
  return result.rows;
}

/** New enrollments for `userIds` (`enrolledBy` null for the requester's own row) (one per learner and course: rows another transaction made are skipped). */
export async function insertBulkEnrollments(
  tx: Transaction,
  target: { courseId: string; enrolledBy: string | null; expiresAt: SQL },
  userIds: readonly string[],
): Promise<Array<{ id: string; user_id: string }>> {
  if (userIds.length === 0) return [];
  const result = await tx.execute<{ id: string; user_id: string }>(sql`
    INSERT INTO enrollments (user_id, course_id, status, expires_at, enrolled_by)
    SELECT u.id, ${target.courseId}::uuid, 'active', ${target.expiresAt}, nullif(${target.enrolledBy}::uuid, u.id)
      FROM unnest(${arrayParam(userIds)}::uuid[]) AS u(id)
    ON CONFLICT ON CONSTRAINT enrollments_user_id_course_id_unique DO NOTHING
    RETURNING id, user_id`);
  return result.rows;
}

/**
 * Dropped or expired enrollments made active again (with a new access window); returns those that
 * still were inactive when locked, with their status before (a dropped one re-enters the count).
 */
export async function reactivateBulkEnrollments(
  tx: Transaction,
  target: { enrolledBy: string | null; expiresAt: SQL },
  enrollmentIds: readonly string[],
): Promise<Array<{ id: string; user_id: string; previous_status: EnrollmentStatus }>> {
  if (enrollmentIds.length === 0) return [];
  const result = await tx.execute<{ id: string; user_id: string; previous_status: EnrollmentStatus }>(sql`
    UPDATE enrollments e
       SET status = 'active', dropped_at = NULL, expires_at = ${target.expiresAt},
           enrolled_by = nullif(${target.enrolledBy}::uuid, e.user_id), updated_at = now()
      FROM (SELECT id, status FROM enrollments
             WHERE id = ANY(${arrayParam(enrollmentIds)}::uuid[]) AND status IN ('dropped', 'expired')
             FOR UPDATE) AS before
     WHERE e.id = before.id
    RETURNING e.id, e.user_id, before.status AS previous_status`);
  return result.rows;
}

/** The enrollment ids of `userIds` in the course (for rows another transaction enrolled meanwhile). */
export async function findEnrollmentIds(
  tx: Transaction,
  courseId: string,
  userIds: readonly string[],
): Promise<Map<string, string>> {
  if (userIds.length === 0) return new Map();
  const result = await tx.execute<{ id: string; user_id: string }>(sql`
    SELECT id, user_id FROM enrollments
     WHERE course_id = ${courseId}::uuid AND user_id = ANY(${arrayParam(userIds)}::uuid[])`);
  return new Map(result.rows.map((row) => [row.user_id, row.id]));
}

/** Records every row's outcome of a chunk in one statement. */
export async function recordBulkOutcomes(
  tx: Transaction,
  operationId: string,
  outcomes: ReadonlyArray<{ position: number; outcome: BulkOutcome; enrollmentId: string | null }>,
): Promise<void> {
  await tx.execute(sql`
    UPDATE bulk_operation_items i
       SET outcome = r.outcome, enrollment_id = r.enrollment_id
      FROM unnest(${arrayParam(outcomes.map((row) => row.position))}::int[],
                  ${arrayParam(outcomes.map((row) => row.outcome))}::text[],
                  ${arrayParam(outcomes.map((row) => row.enrollmentId))}::uuid[])
           AS r(position, outcome, enrollment_id)
     WHERE i.operation_id = ${operationId}::uuid AND i.position = r.position`);
}

/** Adds a chunk's rows to the operation's progress (and marks it running). */
export async function addBulkProgress(
  tx: Transaction,
  operationId: string,
  counts: BulkOperationCounts,
  processed: number,
): Promise<void> {
  await tx.execute(sql`
    UPDATE bulk_operations o
       SET processed = o.processed + ${processed}::int,
           counts = (SELECT coalesce(jsonb_object_agg(k, v), '{}'::jsonb) FROM (
                       SELECT key AS k, sum(value::int)::int AS v
                         FROM (SELECT * FROM jsonb_each_text(o.counts)
                               UNION ALL SELECT * FROM jsonb_each_text(${JSON.stringify(counts)}::jsonb)) AS both_counts
                        GROUP BY key) AS summed),
           state = 'running', started_at = coalesce(o.started_at, now()), updated_at = now()
     WHERE o.id = ${operationId}::uuid`);
}

export async function finishBulkOperation(
  tx: Transaction,
  operationId: string,
  outcome: { state: 'completed' } | { state: 'failed'; error: string },
): Promise<void> {
  await tx.execute(sql`
    UPDATE bulk_operations
       SET state = ${outcome.state}::bulk_operation_state,
           error = ${outcome.state === 'failed' ? outcome.error : null},
           started_at = coalesce(started_at, now()), finished_at = now(), updated_at = now()
     WHERE id = ${operationId}::uuid`);
}
