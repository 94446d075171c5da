import { sql } from 'drizzle-orm';
import {
  check,
  date,
  foreignKey,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  text,
  unique,
  uuid,
} from 'drizzle-orm/pg-core';
import {
  currency,
  currencyCheck,
  emptyJsonObject,
  id,
  jsonbTypeCheck,
  nonNegative,
  rangeCheck,
  timestamps,
  timestamptz,
} from './columns.js';
import { courses } from './courses.schema.js';
import { users } from './users.schema.js';

/**
 * Daily roll-up per course (one row per course and UTC day), upserted by the analytics job from
 * analytics_events and the transactional tables. `date` is a 'YYYY-MM-DD' string.
 */
export const courseAnalytics = pgTable(
  'course_analytics',
  {
    id: id(),
    courseId: uuid('course_id').notNull(),
    date: date('date', { mode: 'string' }).notNull(),
    enrollments: integer('enrollments').notNull().default(0),
    completions: integer('completions').notNull().default(0),
    activeStudents: integer('active_students').notNull().default(0),
    /** Gross revenue of the day, in the course's currency. */
    revenueCents: integer('revenue_cents').notNull().default(0),
    refundedCents: integer('refunded_cents').notNull().default(0),
    currency: currency(),
    averageProgress: numeric('average_progress', { precision: 5, scale: 2, mode: 'number' })
      .notNull()
      .default(0),
    averageQuizScore: numeric('average_quiz_score', { precision: 5, scale: 2, mode: 'number' }),
    lessonViews: integer('lesson_views').notNull().default(0),
    ...timestamps,
  },
  (t) => [
    foreignKey({
      name: 'course_analytics_course_id_fk',
      columns: [t.courseId],
      foreignColumns: [courses.id],
    }).onDelete('cascade'),
    unique('course_analytics_course_id_date_unique').on(t.courseId, t.date),
    nonNegative('course_analytics_enrollments_check', t.enrollments),
    nonNegative('course_analytics_completions_check', t.completions),
    nonNegative('course_analytics_active_students_check', t.activeStudents),
    nonNegative('course_analytics_revenue_cents_check', t.revenueCents),
    nonNegative('course_analytics_refunded_cents_check', t.refundedCents),
    currencyCheck('course_analytics_currency_check', t.currency),
    rangeCheck('course_analytics_average_progress_check', t.averageProgress, 0, 100),
    rangeCheck('course_analytics_average_quiz_score_check', t.averageQuizScore, 0, 100),
    nonNegative('course_analytics_lesson_views_check', t.lessonViews),
  ],
);

/** Running per-student, per-course aggregates (one row per user and course). */
export const studentAnalytics = pgTable(
  'student_analytics',
  {
    id: id(),
    userId: uuid('user_id').notNull(),
    courseId: uuid('course_id').notNull(),
    totalTimeSeconds: integer('total_time_seconds').notNull().default(0),
    lessonsCompleted: integer('lessons_completed').notNull().default(0),
    quizzesTaken: integer('quizzes_taken').notNull().default(0),
    averageQuizScore: numeric('average_quiz_score', { precision: 5, scale: 2, mode: 'number' }),
    assignmentsSubmitted: integer('assignments_submitted').notNull().default(0),
    lastActivityAt: timestamptz('last_activity_at'),
    streakDays: integer('streak_days').notNull().default(0),
    ...timestamps,
  },
  (t) => [
    foreignKey({
      name: 'student_analytics_user_id_fk',
      columns: [t.userId],
      foreignColumns: [users.id],
    }).onDelete('cascade'),
    foreignKey({
      name: 'student_analytics_course_id_fk',
      columns: [t.courseId],
      foreignColumns: [courses.id],
    }).onDelete('cascade'),
    unique('student_analytics_user_id_course_id_unique').on(t.userId, t.courseId),
    // Instructor dashboard: a course's students by recent activity.
    index('student_analytics_course_id_last_activity_at_idx').on(
      t.courseId,
      t.lastActivityAt.desc().nullsFirst(),
    ),
    nonNegative('student_analytics_total_time_seconds_check', t.totalTimeSeconds),
    nonNegative('student_analytics_lessons_completed_check', t.lessonsCompleted),
    nonNegative('student_analytics_quizzes_taken_check', t.quizzesTaken),
    rangeCheck('student_analytics_average_quiz_score_check', t.averageQuizScore, 0, 100),
    nonNegative('student_analytics_assignments_submitted_check', t.assignmentsSubmitted),
    nonNegative('student_analytics_streak_days_check', t.streakDays),
  ],
);

export type AnalyticsEventProperties = Record<string, unknown>;

/**
 * Append-only raw event stream (lesson_viewed, video_progress, search, ...). Events outlive their
 * user/course (SET NULL). `event_id` is an optional client-generated id that makes ingestion idempotent.
 */
export const analyticsEvents = pgTable(
  'analytics_events',
  {
    id: id(),
    eventType: text('event_type').notNull(),
    userId: uuid('user_id'),
    courseId: uuid('course_id'),
    sessionId: text('session_id'),
    properties: jsonb('properties').$type<AnalyticsEventProperties>().notNull().default(emptyJsonObject),
    occurredAt: timestamptz('occurred_at').notNull().defaultNow(),
    eventId: text('event_id'),
    ...timestamps,
  },
  (t) => [
    foreignKey({
      name: 'analytics_events_user_id_fk',
      columns: [t.userId],
      foreignColumns: [users.id],
    }).onDelete('set null'),
    foreignKey({
      name: 'analytics_events_course_id_fk',
      columns: [t.courseId],
      foreignColumns: [courses.id],
    }).onDelete('set null'),
    unique('analytics_events_event_id_unique').on(t.eventId),
    index('analytics_events_course_id_occurred_at_idx').on(t.courseId, t.occurredAt),
    index('analytics_events_event_type_occurred_at_idx').on(t.eventType, t.occurredAt),
    index('analytics_events_user_id_occurred_at_idx').on(t.userId, t.occurredAt),
    check('analytics_events_event_type_length_check', sql`length(${t.eventType}) BETWEEN 1 AND 100`),
    jsonbTypeCheck('analytics_events_properties_object_check', t.properties, 'object'),
  ],
);

export type CourseAnalytics = typeof courseAnalytics.$inferSelect;
export type NewCourseAnalytics = typeof courseAnalytics.$inferInsert;
export type StudentAnalytics = typeof studentAnalytics.$inferSelect;
export type NewStudentAnalytics = typeof studentAnalytics.$inferInsert;
export type AnalyticsEvent = typeof analyticsEvents.$inferSelect;
export type NewAnalyticsEvent = typeof analyticsEvents.$inferInsert;
