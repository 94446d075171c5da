/**
 * Bulk enrolment: the course's instructor or an admin hands in up to 10,000 addresses; the request
 * classifies them, writes the operation with one item per row and enqueues its job in one
 * transaction, and answers 202. The job (`enrollments.bulk-enrol`) works through the rows in chunks
 * of BULK_CHUNK_SIZE, each chunk one transaction of set-based statements (look-up, insert, reactivate,
 * outcomes, notifications, progress, the course's count): it never holds locks for long, a crash loses
 * at most the chunk in flight (rolled back), and a rerun continues with the rows still without an
 * outcome, so nobody is enrolled or notified twice.
 */
import type { Static } from 'typebox';
import { Type } from 'typebox';
import type { Database } from '../../infrastructure/database/client/client.js';
import type { BulkOperationCounts } from '../../infrastructure/database/schema/index.js';
import type { DomainEventBus, DomainEvents } from '../../infrastructure/events/domain-events.js';
import { type TransactionEvents, unitOfWork } from '../../infrastructure/events/unit-of-work.js';
import type { AppJobQueue } from '../../infrastructure/jobs/job-tasks.js';
import { type Actor, isAdmin } from '../../shared/actor.js';
import { AppError } from '../../shared/errors.js';
import { cursorDecoder, toPage } from '../../shared/keyset.js';
import type { Transaction } from '../../shared/transaction.js';
import { writeNotifications } from '../notifications/index.js';
import {
  addBulkProgress,
  type BulkItemRow,
  type BulkOperationRow,
  findBulkCandidates,
  findBulkItemsPage,
  findBulkOperation,
  findEnrollmentIds,
  finishBulkOperation,
  insertBulkEnrollments,
  insertBulkOperation,
  lockBulkOperation,
  lockNextBulkItems,
  reactivateBulkEnrollments,
  recordBulkOutcomes,
} from './bulk-enrolment.queries.js';
import { classifyRows, emailOf } from './email-list.js';
import { authorizeCourseStaff } from './enrollment-rules.js';
import { countChanged, enrolmentConfirmed, expiresAtFor } from './enrollment-writes.js';
import { type EnrolmentCourse, findEnrolmentCourse } from './enrollments.queries.js';
import type { BulkItemSchema, BulkOperationSchema, BulkOutcome } from './enrollments.schemas.js';
import { idempotent } from './idempotency.js';

/**
 * Rows per chunk (one transaction, a handful of statements over the whole chunk). 1,000 keeps each
 * transaction short (tens of milliseconds here) and its row locks few, while the per-statement cost
 * is spread over enough rows that 5,000 learners take a few seconds, not minutes.
 */
export const BULK_CHUNK_SIZE = 1_000;

export type BulkOperationView = Static<typeof BulkOperationSchema>;
export type BulkItemView = Static<typeof BulkItemSchema>;

const iso = (timestamp: string | null): string | null =>
  timestamp === null ? null : new Date(timestamp).toISOString();

export function bulkOperationView(row: BulkOperationRow): BulkOperationView {
  return {
    id: row.id,
    kind: 'course_enrollment',
    courseId: row.course_id,
    requestedBy: row.requested_by,
    state: row.state,
    total: row.total,
    processed: row.processed,
    counts: row.counts,
    error: row.error,
    createdAt: new Date(row.created_at).toISOString(),
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
  };
}

const itemView = (row: BulkItemRow): BulkItemView => ({
  position: row.position,
  input: row.input,
  outcome: row.outcome,
  enrollmentId: row.enrollment_id,
});

const decodeItemCursor = cursorDecoder(
  Type.Object({ p: Type.Integer({ minimum: 0, maximum: 1_000_000 }) }, { additionalProperties: false }),
);

const noSuchOperation = () => new AppError('not_found', 'No such bulk operation.');

export interface BulkEnrolmentDependencies {
  db: Database;
  events: DomainEventBus;
  jobs: AppJobQueue;
}

export interface BulkEnrolRequest {
  courseId: string;
  /** The rows as given (JSON array items, or the email column of a CSV). */
  rows: readonly string[];
  idempotencyKey?: string | undefined;
}

export function createBulkEnrolments(deps: BulkEnrolmentDependencies) {
  const { db, events, jobs } = deps;
  return {
    /**
     * Accepts a bulk enrolment (202): the operation and its items, its job and the
     * `bulk-enrollment.requested` event, in one transaction. Refusals write nothing.
     */
    async request(actor: Actor, request: BulkEnrolRequest) {
      const rows = classifyRows(request.rows);
      const claim =
        request.idempotencyKey === undefined
          ? undefined
          : {
              userId: actor.id,
              scope: 'enrollments.bulk',
              key: request.idempotencyKey,
              request: { courseId: request.courseId, rows: request.rows },
            };
      return unitOfWork(db, events, (tx, changes) =>
        idempotent(tx, claim, async () => {
          const course = authorizeCourseStaff(actor, await findEnrolmentCourse(tx, request.courseId), {
            draftsExist: false,
            action: 'enrol learners in bulk',
          });
          if (course.status === 'archived') {
            throw new AppError('course_archived', 'This course is archived and takes no new enrollments.');
          }
          const operationId = await insertBulkOperation(tx, {
            courseId: course.id,
            requestedBy: actor.id,
            rows,
          });
          await jobs.enqueue(
            tx,
            'enrollments.bulk-enrol',
            { operationId },
            { jobKey: `enrollments.bulk-enrol:${operationId}` },
          );
          changes.publish('bulk-enrollment.requested', { operationId });
          const operation = await findBulkOperation(tx, operationId);
          // Stryker disable next-line ConditionalExpression,StringLiteral: equivalent, the row was inserted in this transaction a moment before
          if (!operation) throw new Error('bulk operation vanished in its own transaction');
          return { status: 202, body: bulkOperationView(operation) };
        }),
      );
    },

    /** The operation with a keyset page of its rows: for its requester, the course's instructor, admins. */
    async get(
      actor: Actor,
      operationId: string,
      filter: { limit: number; cursor?: string | undefined; outcome?: BulkOutcome | undefined },
    ) {
      const after = decodeItemCursor(filter.cursor);
      const operation = await findBulkOperation(db, operationId);
      if (!operation) throw noSuchOperation();
      const allowed =
        isAdmin(actor) || operation.requested_by === actor.id || operation.course_instructor_id === actor.id;
      if (!allowed) throw noSuchOperation();
      const rows = await findBulkItemsPage(db, operationId, filter, after?.p);
      return {
        ...bulkOperationView(operation),
        items: toPage(rows, filter.limit, itemView, (row) => ({ p: row.position })),
      };
    },
  };
}

export type BulkEnrolments = ReturnType<typeof createBulkEnrolments>;

export interface BulkRunOptions {
  /** Rows per chunk (default BULK_CHUNK_SIZE). */
  chunkSize?: number;
  /** Checked between chunks: aborted (the worker stops), the run throws and the job resumes later. */
  signal?: AbortSignal;
}

/**
 * The job: chunk after chunk until every row has its outcome, then `completed`. A course that is no
 * longer open (archived, unpublished) ends the operation `failed`, rows left without an outcome. A run
 * over a finished (or deleted) operation does nothing.
 */
export async function runBulkEnrolment(
  deps: { db: Database; events: DomainEventBus },
  operationId: string,
  options: BulkRunOptions = {},
): Promise<void> {
  const size = options.chunkSize ?? BULK_CHUNK_SIZE;
  for (;;) {
    if (options.signal?.aborted) {
      throw new Error(
        'bulk enrolment interrupted (the worker is stopping); a retry resumes where it stopped',
      );
    }
    // One round per transaction; true once the operation is finished (or gone).
    const finished = await unitOfWork(deps.db, deps.events, async (tx, changes): Promise<boolean> => {
      const operation = await lockBulkOperation(tx, operationId);
      if (!operation || operation.state === 'completed' || operation.state === 'failed') return true;
      const course =
        // Stryker disable next-line ConditionalExpression: equivalent, a NULL course id finds no course either
        operation.course_id === null ? undefined : await findEnrolmentCourse(tx, operation.course_id);
      if (!course || course.status !== 'published') {
        await finishBulkOperation(tx, operationId, {
          state: 'failed',
          error:
            'The course was archived or unpublished before every row was processed; rows without an outcome were not enrolled.',
        });
        return true;
      }
      const items = await lockNextBulkItems(tx, operationId, size);
      if (items.length === 0) {
        await finishBulkOperation(tx, operationId, { state: 'completed' });
        return true;
      }
      await enrolChunk(tx, changes, { operationId, requestedBy: operation.requested_by, course }, items);
      return false;
    });
    if (finished) return;
  }
}

/**
 * The job's last attempt failed: the operation ends `failed` (unless it finished meanwhile), so its
 * readers stop waiting. Rows already processed keep their outcomes; the others stay without one.
 */
export async function failBulkOperation(db: Database, operationId: string, reason: string): Promise<void> {
  await db.transaction(async (tx) => {
    const operation = await lockBulkOperation(tx, operationId);
    if (!operation || operation.state === 'completed' || operation.state === 'failed') return;
    await finishBulkOperation(tx, operationId, { state: 'failed', error: reason });
  });
}

interface RowOutcome {
  position: number;
  outcome: BulkOutcome;
  enrollmentId: string | null;
}

/** One chunk: every row's outcome, the enrollments, their notifications and events, the count. */
async function enrolChunk(
  tx: Transaction,
  changes: TransactionEvents<DomainEvents>,
  context: { operationId: string; requestedBy: string | null; course: EnrolmentCourse },
  items: ReadonlyArray<{ position: number; input: string }>,
): Promise<void> {
  const { course, requestedBy } = context;
  const candidates = await findBulkCandidates(
    tx,
    course.id,
    items.map((item) => ({ position: item.position, email: emailOf(item.input) })),
  );
  const outcomes: RowOutcome[] = [];
  const toInsert = new Map<string, number>();
  const toReactivate = new Map<string, { position: number }>();
  for (const row of candidates) {
    const { position } = row;
    if (row.user_id === null) {
      outcomes.push({ position, outcome: 'unknown_email', enrollmentId: null });
    } else if (row.user_active !== true) {
      outcomes.push({ position, outcome: 'not_allowed', enrollmentId: null });
    } else if (row.enrollment_status === 'active' || row.enrollment_status === 'completed') {
      outcomes.push({ position, outcome: 'already_enrolled', enrollmentId: row.enrollment_id });
    } else if (!row.prerequisites_met) {
      outcomes.push({ position, outcome: 'not_allowed', enrollmentId: null });
    } else if (row.enrollment_id !== null) {
      toReactivate.set(row.enrollment_id, { position });
    } else {
      toInsert.set(row.user_id, position);
    }
  }

  const target = {
    courseId: course.id,
    enrolledBy: requestedBy,
    expiresAt: expiresAtFor(course.accessDurationDays),
  };
  const inserted = await insertBulkEnrollments(tx, target, [...toInsert.keys()]);
  const reactivated = await reactivateBulkEnrollments(tx, target, [...toReactivate.keys()]);
  const enrolled: Array<{ id: string; userId: string; reactivated: boolean }> = [];
  for (const row of inserted) {
    outcomes.push({
      position: toInsert.get(row.user_id) as number,
      outcome: 'enrolled',
      enrollmentId: row.id,
    });
    toInsert.delete(row.user_id);
    enrolled.push({ id: row.id, userId: row.user_id, reactivated: false });
  }
  for (const row of reactivated) {
    const wanted = toReactivate.get(row.id);
    // Stryker disable next-line ConditionalExpression: equivalent, the UPDATE returns only ids it was given
    if (!wanted) continue;
    outcomes.push({ position: wanted.position, outcome: 'reactivated', enrollmentId: row.id });
    toReactivate.delete(row.id);
    enrolled.push({ id: row.id, userId: row.user_id, reactivated: true });
  }
  // Enrolled by another transaction between the look-up and the write (a learner's own request); a
  // reactivation that lost the race already knows its enrollment's id.
  const racedIds = await findEnrollmentIds(tx, course.id, [...toInsert.keys()]);
  // Stryker disable next-line BlockStatement: equivalent, a row left without outcome is taken by the next round, which finds it enrolled
  for (const [userId, position] of toInsert) {
    outcomes.push({ position, outcome: 'already_enrolled', enrollmentId: racedIds.get(userId) ?? null });
  }
  // Stryker disable next-line BlockStatement: equivalent, a row left without outcome is taken by the next round, which finds it enrolled
  for (const [enrollmentId, row] of toReactivate) {
    outcomes.push({ position: row.position, outcome: 'already_enrolled', enrollmentId });
  }

  for (const enrollment of enrolled) {
    changes.publish('enrollment.created', {
      enrollmentId: enrollment.id,
      userId: enrollment.userId,
      courseId: course.id,
      enrolledBy: requestedBy === enrollment.userId ? null : requestedBy,
      reactivated: enrollment.reactivated,
    });
  }
  await writeNotifications(
    tx,
    changes,
    enrolled.map((enrollment) => enrolmentConfirmed(course, enrollment)),
  );
  await recordBulkOutcomes(tx, context.operationId, outcomes);
  const counts: BulkOperationCounts = {};
  for (const row of outcomes) counts[row.outcome] = (counts[row.outcome] ?? 0) + 1;
  await addBulkProgress(tx, context.operationId, counts, outcomes.length);
  // Last: the course row's lock is held for the rest of the transaction only.
  const previouslyDropped = reactivated.filter((row) => row.previous_status === 'dropped').length;
  await countChanged(tx, changes, course.id, inserted.length + previouslyDropped);
}
