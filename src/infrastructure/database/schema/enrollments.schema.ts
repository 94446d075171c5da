import { sql } from 'drizzle-orm';
import { check, foreignKey, index, integer, jsonb, pgTable, text, unique, uuid } from 'drizzle-orm/pg-core';
import {
  emptyJsonObject,
  id,
  jsonbTypeCheck,
  nonNegative,
  rangeCheck,
  timestamps,
  timestamptz,
} from './columns.js';
import { courses, lessons } from './courses.schema.js';
import { enrollmentStatusEnum, progressStatusEnum } from './enums.schema.js';
import { payments } from './payments.schema.js';
import { users } from './users.schema.js';

/**
 * One enrollment per user and course. `payment_id` links the purchase (SET NULL: the payment row is
 * the money record, the enrollment only points at it). `progress_percent` is recomputed from
 * lesson_progress when a lesson is completed.
 */
export const enrollments = pgTable(
  'enrollments',
  {
    id: id(),
    userId: uuid('user_id').notNull(),
    courseId: uuid('course_id').notNull(),
    status: enrollmentStatusEnum('status').notNull().default('active'),
    enrolledAt: timestamptz('enrolled_at').notNull().defaultNow(),
    completedAt: timestamptz('completed_at'),
    expiresAt: timestamptz('expires_at'),
    progressPercent: integer('progress_percent').notNull().default(0),
    /** Required lessons completed; with the course's required-lesson count it gives `progress_percent`. */
    completedLessonCount: integer('completed_lesson_count').notNull().default(0),
    /** Sum of the time reported on this enrollment's lessons. */
    timeSpentSeconds: integer('time_spent_seconds').notNull().default(0),
    lastAccessedAt: timestamptz('last_accessed_at'),
    droppedAt: timestamptz('dropped_at'),
    /** Who enrolled the learner when it was not the learner (an instructor, an admin, a bulk operation). */
    enrolledBy: uuid('enrolled_by'),
    paymentId: uuid('payment_id'),
    ...timestamps,
  },
  (t) => [
    foreignKey({ name: 'enrollments_user_id_fk', columns: [t.userId], foreignColumns: [users.id] }).onDelete(
      'cascade',
    ),
    foreignKey({
      name: 'enrollments_course_id_fk',
      columns: [t.courseId],
      foreignColumns: [courses.id],
    }).onDelete('restrict'),
    foreignKey({
      name: 'enrollments_payment_id_fk',
      columns: [t.paymentId],
      foreignColumns: [payments.id],
    }).onDelete('set null'),
    unique('enrollments_user_id_course_id_unique').on(t.userId, t.courseId),
    // No index holds last_accessed_at: every progress report touches it, and an indexed column would
    // make each of those updates write every index of the table (no HOT update). "My courses" reads
    // the learner's few rows through enrollments_user_id_course_id_unique and sorts them.
    // Counts by status, and the roster filtered by status.
    index('enrollments_course_id_status_idx').on(t.courseId, t.status),
    // The roster, newest enrolment first, in keyset pages.
    index('enrollments_course_id_enrolled_at_idx').on(
      t.courseId,
      t.enrolledAt.desc().nullsFirst(),
      t.id.desc().nullsFirst(),
    ),
    foreignKey({
      name: 'enrollments_enrolled_by_fk',
      columns: [t.enrolledBy],
      foreignColumns: [users.id],
    }).onDelete('set null'),
    index('enrollments_payment_id_idx').on(t.paymentId),
    index('enrollments_enrolled_by_idx').on(t.enrolledBy),
    // Expiry sweep: active enrollments whose access window has passed.
    index('enrollments_expires_at_idx')
      .on(t.expiresAt)
      .where(sql`expires_at IS NOT NULL AND status = 'active'`),
    rangeCheck('enrollments_progress_percent_check', t.progressPercent, 0, 100),
    check('enrollments_completed_at_check', sql`${t.status} <> 'completed' OR ${t.completedAt} IS NOT NULL`),
    nonNegative('enrollments_completed_lesson_count_check', t.completedLessonCount),
    nonNegative('enrollments_time_spent_seconds_check', t.timeSpentSeconds),
    check('enrollments_dropped_at_check', sql`${t.status} <> 'dropped' OR ${t.droppedAt} IS NOT NULL`),
  ],
);

/** One progress row per user and lesson, created on first open. */
export const lessonProgress = pgTable(
  'lesson_progress',
  {
    id: id(),
    userId: uuid('user_id').notNull(),
    lessonId: uuid('lesson_id').notNull(),
    enrollmentId: uuid('enrollment_id').notNull(),
    status: progressStatusEnum('status').notNull().default('not_started'),
    progressPercent: integer('progress_percent').notNull().default(0),
    timeSpentSeconds: integer('time_spent_seconds').notNull().default(0),
    startedAt: timestamptz('started_at'),
    completedAt: timestamptz('completed_at'),
    /** Resume point for video / audio lessons. */
    lastPositionSeconds: integer('last_position_seconds').notNull().default(0),
    ...timestamps,
  },
  (t) => [
    foreignKey({
      name: 'lesson_progress_user_id_fk',
      columns: [t.userId],
      foreignColumns: [users.id],
    }).onDelete('cascade'),
    foreignKey({
      name: 'lesson_progress_lesson_id_fk',
      columns: [t.lessonId],
      foreignColumns: [lessons.id],
    }).onDelete('cascade'),
    foreignKey({
      name: 'lesson_progress_enrollment_id_fk',
      columns: [t.enrollmentId],
      foreignColumns: [enrollments.id],
    }).onDelete('cascade'),
    unique('lesson_progress_user_id_lesson_id_unique').on(t.userId, t.lessonId),
    index('lesson_progress_lesson_id_idx').on(t.lessonId),
    // Course progress: SELECT count(*) FILTER (WHERE status = 'completed') ... WHERE enrollment_id = $1.
    index('lesson_progress_enrollment_id_status_idx').on(t.enrollmentId, t.status),
    rangeCheck('lesson_progress_progress_percent_check', t.progressPercent, 0, 100),
    nonNegative('lesson_progress_time_spent_seconds_check', t.timeSpentSeconds),
    nonNegative('lesson_progress_last_position_seconds_check', t.lastPositionSeconds),
    check(
      'lesson_progress_completed_at_check',
      sql`${t.status} <> 'completed' OR ${t.completedAt} IS NOT NULL`,
    ),
  ],
);

export type CertificateMetadata = Record<string, unknown>;

/**
 * Completion certificate, one per enrollment. `verification_code` is the public, unguessable code
 * behind the verification endpoint; a revoked certificate keeps its row (`revoked_at`).
 */
export const certificates = pgTable(
  'certificates',
  {
    id: id(),
    enrollmentId: uuid('enrollment_id').notNull(),
    userId: uuid('user_id').notNull(),
    courseId: uuid('course_id').notNull(),
    verificationCode: text('verification_code').notNull(),
    issuedAt: timestamptz('issued_at').notNull().defaultNow(),
    pdfUrl: text('pdf_url'),
    storageKey: text('storage_key'),
    revokedAt: timestamptz('revoked_at'),
    revocationReason: text('revocation_reason'),
    /** The signed credential (compact JWS, Ed25519), made once at issue; its `kid` names the key. */
    credential: text('credential'),
    metadata: jsonb('metadata').$type<CertificateMetadata>().notNull().default(emptyJsonObject),
    ...timestamps,
  },
  (t) => [
    foreignKey({
      name: 'certificates_enrollment_id_fk',
      columns: [t.enrollmentId],
      foreignColumns: [enrollments.id],
    }).onDelete('cascade'),
    foreignKey({ name: 'certificates_user_id_fk', columns: [t.userId], foreignColumns: [users.id] }).onDelete(
      'cascade',
    ),
    foreignKey({
      name: 'certificates_course_id_fk',
      columns: [t.courseId],
      foreignColumns: [courses.id],
    }).onDelete('restrict'),
    unique('certificates_enrollment_id_unique').on(t.enrollmentId),
    unique('certificates_verification_code_unique').on(t.verificationCode),
    index('certificates_user_id_issued_at_idx').on(t.userId, t.issuedAt.desc().nullsFirst()),
    index('certificates_course_id_idx').on(t.courseId),
    check('certificates_verification_code_length_check', sql`length(${t.verificationCode}) >= 8`),
    jsonbTypeCheck('certificates_metadata_object_check', t.metadata, 'object'),
    check(
      'certificates_revocation_reason_check',
      sql`${t.revokedAt} IS NULL OR length(btrim(coalesce(${t.revocationReason}, ''))) > 0`,
    ),
  ],
);

export type Enrollment = typeof enrollments.$inferSelect;
export type NewEnrollment = typeof enrollments.$inferInsert;
export type LessonProgress = typeof lessonProgress.$inferSelect;
export type NewLessonProgress = typeof lessonProgress.$inferInsert;
export type Certificate = typeof certificates.$inferSelect;
export type NewCertificate = typeof certificates.$inferInsert;
