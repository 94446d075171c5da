import { sql } from 'drizzle-orm';
import type { Transaction } from '../../shared/transaction.js';

/**
 * `courses.enrollment_count` belongs to this module (it owns the table) but changes with the
 * enrollments module's writes: that module calls this inside the transaction that enrols, drops or
 * reactivates, so the count commits with the enrollment or not at all and is exact under concurrency
 * (the UPDATE takes the course row's lock, so concurrent adjustments apply one after the other).
 * A subscriber after commit would be at most once until the job queue exists, and never in the
 * same snapshot. The count is no authoring change: neither the version nor `updated_at` moves.
 * Call it last in the transaction, to hold the course row lock for as short a time as possible.
 */
export async function adjustEnrollmentCount(tx: Transaction, courseId: string, delta: number): Promise<void> {
  if (delta === 0) return;
  await tx.execute(
    sql`UPDATE courses SET enrollment_count = greatest(enrollment_count + ${delta}::int, 0) WHERE id = ${courseId}::uuid`,
  );
}
