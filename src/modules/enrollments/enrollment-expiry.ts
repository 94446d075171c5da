/**
 * The enrollments module's scheduled work (src/jobs.ts): the expiry sweep, which marks active
 * enrollments past their `expires_at` as `expired` (the progress module already refuses lessons
 * from the moment `expires_at` passes; the sweep makes the status say so, for rosters, "my
 * enrollments" and re-enrolment), and the purge of Idempotency-Key records past their lifetime.
 * Both work in batches, each its own short statement, so they never hold many row locks.
 */
import { sql } from 'drizzle-orm';
import type { Database } from '../../infrastructure/database/client/client.js';
import type { DomainEventBus } from '../../infrastructure/events/domain-events.js';
import { unitOfWork } from '../../infrastructure/events/unit-of-work.js';

/** Rows per statement of the sweep and the purge. */
export const MAINTENANCE_BATCH_SIZE = 1_000;

export interface MaintenanceOptions {
  batchSize?: number;
  /** Checked between batches (worker shutdown); the next run continues. */
  signal?: AbortSignal;
}

/**
 * Marks active enrollments whose access window has passed as `expired`, a batch per transaction
 * (the partial index enrollments_expires_at_idx finds them; rows another transaction holds are
 * skipped and left to the next run), publishing `enrollments.expired` per batch. An expired
 * enrollment still counts in `courses.enrollment_count` (as before), and keeps its progress:
 * enrolling again reactivates it. Returns how many expired.
 */
export async function expireEnrollments(
  deps: { db: Database; events: DomainEventBus },
  options: MaintenanceOptions = {},
): Promise<number> {
  const batchSize = options.batchSize ?? MAINTENANCE_BATCH_SIZE;
  let total = 0;
  for (;;) {
    if (options.signal?.aborted) return total;
    const expired = await unitOfWork(deps.db, deps.events, async (tx, changes) => {
      const result = await tx.execute<{ id: string; course_id: string }>(sql`
        UPDATE enrollments SET status = 'expired', updated_at = now()
         WHERE id IN (
           SELECT id FROM enrollments
            WHERE status = 'active' AND expires_at IS NOT NULL AND expires_at <= now()
            ORDER BY expires_at
            LIMIT ${batchSize}
            FOR UPDATE SKIP LOCKED)
        RETURNING id, course_id`);
      const ids = result.rows.map((row) => row.id);
      const courseIds = [...new Set(result.rows.map((row) => row.course_id))];
      if (ids.length > 0) changes.publish('enrollments.expired', { enrollmentIds: ids, courseIds });
      return ids.length;
    });
    total += expired;
    if (expired < batchSize) return total;
  }
}

/**
 * Deletes Idempotency-Key records whose lifetime (24 hours, IDEMPOTENCY_KEY_TTL_HOURS) has passed: a
 * retry after that runs as a new request anyway. Returns how many were deleted.
 */
export async function purgeIdempotencyKeys(db: Database, options: MaintenanceOptions = {}): Promise<number> {
  const batchSize = options.batchSize ?? MAINTENANCE_BATCH_SIZE;
  let total = 0;
  for (;;) {
    if (options.signal?.aborted) return total;
    const result = await db.execute(sql`
      DELETE FROM idempotency_keys WHERE id IN (
        SELECT id FROM idempotency_keys WHERE expires_at < now() LIMIT ${batchSize})`);
    const deleted = result.rowCount ?? 0;
    total += deleted;
    if (deleted < batchSize) return total;
  }
}
