/**
 * Enrolments: a learner enrols (or an instructor / admin enrols someone), reads and drops their
 * enrollments, and the payments seam enrols from a confirmed payment. Writes `enrollments` and
 * `idempotency_keys` (and, through the courses module, `courses.enrollment_count`) in one transaction
 * per request; events are delivered after commit.
 */
import { and, eq, sql } from 'drizzle-orm';
import { Type } from 'typebox';
import type { Database } from '../../infrastructure/database/client/client.js';
import { type EnrollmentStatus, enrollments } from '../../infrastructure/database/schema/index.js';
import type { DomainEventBus, DomainEvents } from '../../infrastructure/events/domain-events.js';
import { type TransactionEvents, unitOfWork } from '../../infrastructure/events/unit-of-work.js';
import type { Actor } from '../../shared/actor.js';
import { AppError } from '../../shared/errors.js';
import { cursorDecoder, isRealInstant, MICROSECOND_TIMESTAMP_PATTERN, toPage } from '../../shared/keyset.js';
import type { Transaction } from '../../shared/transaction.js';
import { UUID_PATTERN } from '../../shared/uuid.js';
import {
  authorizeEnrollmentRead,
  checkCourseAdmits,
  checkWhoEnrols,
  noSuchEnrollment,
} from './enrollment-rules.js';
import { type EnrollmentView, enrollmentView } from './enrollment-views.js';
import { countChanged, type EnrolOutcome, enrolInTransaction } from './enrollment-writes.js';
import {
  type AccessedCursor,
  findEnrollmentOf,
  findEnrollmentView,
  findEnrolmentCourse,
  findMyEnrollmentsPage,
} from './enrollments.queries.js';
import { idempotent } from './idempotency.js';
import type { MyEnrollmentsViews } from './my-enrollments-views.js';

export interface EnrollmentServiceDependencies {
  db: Database;
  events: DomainEventBus;
  /** Pages of "my enrollments" as served; invalidated by the subscribers in src/subscribers.ts. */
  myEnrollments: MyEnrollmentsViews;
}

/** When the first of these enrollments that can still expire does (its status changes then, unwritten). */
function earliestExpiry(enrollments: readonly EnrollmentView[]): Date | null {
  let earliest: number | null = null;
  for (const enrollment of enrollments) {
    if (enrollment.expiresAt === null || enrollment.status === 'dropped' || enrollment.status === 'expired')
      continue;
    const at = Date.parse(enrollment.expiresAt);
    if (earliest === null || at < earliest) earliest = at;
  }
  return earliest === null ? null : new Date(earliest);
}

export interface EnrolRequest {
  courseId: string;
  /** Enrol this user (staff only); default: the caller. */
  userId?: string | undefined;
  idempotencyKey?: string | undefined;
}

export interface EnrolAnswer {
  /** 201 for a new enrollment, 200 when the learner was already (or is again) enrolled. */
  status: number;
  body: EnrollmentView;
  replayed: boolean;
}

const decodeAccessedCursor = cursorDecoder(
  Type.Object(
    {
      a: Type.Union([Type.String({ pattern: MICROSECOND_TIMESTAMP_PATTERN }), Type.Null()]),
      id: Type.String({ pattern: UUID_PATTERN }),
    },
    { additionalProperties: false },
  ),
  (position) => position.a === null || isRealInstant(position.a),
);

async function viewOf(tx: Transaction | Database, enrollmentId: string): Promise<EnrollmentView> {
  const row = await findEnrollmentView(tx, enrollmentId);
  if (!row) throw noSuchEnrollment();
  return enrollmentView(row);
}

/**
 * The payments seam: enrols the payer of a confirmed payment, inside the payment's own transaction
 * (`tx`, with its event collector). No price check (it is paid) and no prerequisite check (checked
 * before checkout); an archived course still admits a learner who has paid. Idempotent: a second call
 * for the same payment finds the learner enrolled.
 */
export async function enrolFromConfirmedPayment(
  tx: Transaction,
  changes: TransactionEvents<DomainEvents>,
  payment: { paymentId: string; userId: string; courseId: string },
): Promise<{ enrollmentId: string; outcome: EnrolOutcome }> {
  const course = await findEnrolmentCourse(tx, payment.courseId);
  if (!course) throw new AppError('not_found', 'No such course.');
  const { enrollment, outcome } = await enrolInTransaction(tx, changes, {
    course,
    userId: payment.userId,
    enrolledBy: null,
    paymentId: payment.paymentId,
  });
  return { enrollmentId: enrollment.id, outcome };
}

export function createEnrollmentService(deps: EnrollmentServiceDependencies) {
  const { db, events, myEnrollments } = deps;

  return {
    /**
     * Enrols the caller (or, for the course's staff, `userId`). Already enrolled (active or
     * completed): 200 with the existing enrollment, nothing written. With an Idempotency-Key, a retry
     * gets the first answer. Refusals write nothing.
     */
    async enrol(actor: Actor, request: EnrolRequest): Promise<EnrolAnswer> {
      const userId = request.userId ?? actor.id;
      const claim =
        request.idempotencyKey === undefined
          ? undefined
          : {
              userId: actor.id,
              scope: 'enrollments.create',
              key: request.idempotencyKey,
              request: { courseId: request.courseId, userId: request.userId ?? null },
            };
      return unitOfWork(db, events, (tx, changes) =>
        idempotent(tx, claim, async () => {
          const course = await checkWhoEnrols(
            tx,
            actor,
            await findEnrolmentCourse(tx, request.courseId),
            userId,
          );
          const existing = await findEnrollmentOf(tx, userId, course.id);
          if (existing && (existing.status === 'active' || existing.status === 'completed')) {
            return { status: 200, body: await viewOf(tx, existing.id) };
          }
          await checkCourseAdmits(tx, course, userId, {
            paidFor: false,
            grantedByStaff: userId !== actor.id,
          });
          const { enrollment, outcome } = await enrolInTransaction(tx, changes, {
            course,
            userId,
            enrolledBy: userId === actor.id ? null : actor.id,
          });
          return { status: outcome === 'enrolled' ? 201 : 200, body: await viewOf(tx, enrollment.id) };
        }),
      );
    },

    /** One enrollment, for its learner, the course's instructor and admins (404 for anyone else). */
    async get(actor: Actor, enrollmentId: string): Promise<EnrollmentView> {
      const row = await findEnrollmentView(db, enrollmentId);
      if (!row) throw noSuchEnrollment();
      authorizeEnrollmentRead(actor, { userId: row.user_id, courseInstructorId: row.course_instructor_id });
      return enrollmentView(row);
    },

    /** The caller's enrollments, never-opened first, then most recently used; keyset pages. */
    /**
     * A page of the caller's enrollments, as the bytes sent: from this instance's copy while nothing
     * it shows has changed (my-enrollments-views.ts), else read and kept.
     */
    async listMine(
      actor: Actor,
      filter: { status?: EnrollmentStatus | undefined; limit: number; cursor?: string | undefined },
      serialize: (page: { data: EnrollmentView[]; nextCursor: string | null }) => string,
    ): Promise<Buffer> {
      const query = new URLSearchParams({
        status: filter.status ?? '',
        limit: String(filter.limit),
        cursor: filter.cursor ?? '',
      }).toString();
      return myEnrollments.get(actor.id, query, async () => {
        const after = decodeAccessedCursor(filter.cursor);
        const rows = await findMyEnrollmentsPage(db, actor.id, filter, after);
        const page = toPage(
          rows,
          filter.limit,
          enrollmentView,
          (row): AccessedCursor => ({ a: row.accessed_key, id: row.id }),
        );
        return { payload: serialize(page), validUntil: earliestExpiry(page.data) };
      });
    },

    /**
     * Drops an active enrollment: the learner leaves, or the course's instructor or an admin removes
     * them. Progress is kept (re-enrolling reactivates the row). Dropping a dropped enrollment answers
     * it unchanged; a completed or expired one cannot be dropped (409).
     */
    async drop(actor: Actor, enrollmentId: string): Promise<EnrollmentView> {
      return unitOfWork(db, events, async (tx, changes) => {
        const [row] = await tx
          .select({ enrollment: enrollments, instructorId: sql<string>`c.instructor_id` })
          .from(enrollments)
          .innerJoin(sql`courses c`, sql`c.id = ${enrollments.courseId}`)
          .where(eq(enrollments.id, enrollmentId))
          .for('update', { of: enrollments });
        if (!row) throw noSuchEnrollment();
        const { enrollment } = row;
        authorizeEnrollmentRead(actor, { userId: enrollment.userId, courseInstructorId: row.instructorId });
        if (enrollment.status === 'dropped') return viewOf(tx, enrollment.id);
        if (enrollment.status !== 'active') {
          throw new AppError('conflict', `A ${enrollment.status} enrollment cannot be dropped.`, {
            status: enrollment.status,
          });
        }
        await tx
          .update(enrollments)
          .set({ status: 'dropped', droppedAt: sql`now()` })
          .where(and(eq(enrollments.id, enrollment.id), eq(enrollments.status, 'active')));
        await countChanged(tx, changes, enrollment.courseId, -1);
        changes.publish('enrollment.dropped', {
          enrollmentId: enrollment.id,
          userId: enrollment.userId,
          courseId: enrollment.courseId,
          droppedBy: actor.id,
        });
        return viewOf(tx, enrollment.id);
      });
    },
  };
}

export type EnrollmentService = ReturnType<typeof createEnrollmentService>;
