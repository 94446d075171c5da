import { sql } from 'drizzle-orm';
import {
  check,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  uuid,
} from 'drizzle-orm/pg-core';
import { emptyJsonObject, id, jsonbTypeCheck, nonNegative, timestamps, timestamptz } from './columns.js';
import { courses } from './courses.schema.js';
import { enrollments } from './enrollments.schema.js';
import { bulkOperationStateEnum } from './enums.schema.js';
import { users } from './users.schema.js';

/** Outcome counts of a bulk operation, by outcome (`{ "enrolled": 120, "unknown_email": 3 }`). */
export type BulkOperationCounts = Record<string, number>;

/**
 * Long-running requests (bulk enrolment today) that answer 202 and run as a background job: the
 * client polls this row. `kind` names what runs; `processed` counts rows done out of `total`.
 */
export const bulkOperations = pgTable(
  'bulk_operations',
  {
    id: id(),
    kind: text('kind').notNull(),
    courseId: uuid('course_id'),
    requestedBy: uuid('requested_by'),
    state: bulkOperationStateEnum('state').notNull().default('queued'),
    total: integer('total').notNull(),
    processed: integer('processed').notNull().default(0),
    counts: jsonb('counts').$type<BulkOperationCounts>().notNull().default(emptyJsonObject),
    /** Why the whole operation failed (per-row problems are item outcomes, not this). */
    error: text('error'),
    startedAt: timestamptz('started_at'),
    finishedAt: timestamptz('finished_at'),
    ...timestamps,
  },
  (t) => [
    foreignKey({
      name: 'bulk_operations_course_id_fk',
      columns: [t.courseId],
      foreignColumns: [courses.id],
    }).onDelete('cascade'),
    foreignKey({
      name: 'bulk_operations_requested_by_fk',
      columns: [t.requestedBy],
      foreignColumns: [users.id],
    }).onDelete('set null'),
    index('bulk_operations_course_id_created_at_idx').on(t.courseId, t.createdAt.desc().nullsFirst()),
    index('bulk_operations_requested_by_idx').on(t.requestedBy),
    check('bulk_operations_kind_check', sql`${t.kind} IN ('course_enrollment')`),
    nonNegative('bulk_operations_total_check', t.total),
    check('bulk_operations_processed_check', sql`${t.processed} BETWEEN 0 AND ${t.total}`),
    jsonbTypeCheck('bulk_operations_counts_object_check', t.counts, 'object'),
    check(
      'bulk_operations_finished_at_check',
      sql`${t.state} NOT IN ('completed', 'failed') OR ${t.finishedAt} IS NOT NULL`,
    ),
  ],
);

/** One input row of a bulk operation and what became of it, in input order (`position` from 0). */
export const bulkOperationItems = pgTable(
  'bulk_operation_items',
  {
    operationId: uuid('operation_id').notNull(),
    position: integer('position').notNull(),
    /** The row as given (an email address for bulk enrolment). */
    input: text('input').notNull(),
    /** NULL until processed. */
    outcome: text('outcome'),
    enrollmentId: uuid('enrollment_id'),
  },
  (t) => [
    primaryKey({ name: 'bulk_operation_items_pkey', columns: [t.operationId, t.position] }),
    foreignKey({
      name: 'bulk_operation_items_operation_id_fk',
      columns: [t.operationId],
      foreignColumns: [bulkOperations.id],
    }).onDelete('cascade'),
    foreignKey({
      name: 'bulk_operation_items_enrollment_id_fk',
      columns: [t.enrollmentId],
      foreignColumns: [enrollments.id],
    }).onDelete('set null'),
    index('bulk_operation_items_enrollment_id_idx').on(t.enrollmentId),
    nonNegative('bulk_operation_items_position_check', t.position),
    check(
      'bulk_operation_items_outcome_check',
      sql`${t.outcome} IN ('enrolled', 'reactivated', 'already_enrolled', 'unknown_email', 'invalid_email', 'duplicate', 'not_allowed')`,
    ),
  ],
);

export type BulkOperation = typeof bulkOperations.$inferSelect;
export type BulkOperationItem = typeof bulkOperationItems.$inferSelect;
