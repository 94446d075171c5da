import { pgEnum } from 'drizzle-orm/pg-core';

/**
 * All PostgreSQL enum types of the platform (the migration guide's 16 enums).
 * Names are singular; values are the complete, ordered list. Adding a value later is an
 * `ALTER TYPE ... ADD VALUE` migration; never reorder or rename existing values.
 */

// Users
export const roleEnum = pgEnum('role', ['student', 'instructor', 'admin']);
export type Role = (typeof roleEnum.enumValues)[number];

// Courses
export const courseStatusEnum = pgEnum('course_status', ['draft', 'published', 'archived']);
export type CourseStatus = (typeof courseStatusEnum.enumValues)[number];

export const difficultyEnum = pgEnum('difficulty', ['beginner', 'intermediate', 'advanced']);
export type Difficulty = (typeof difficultyEnum.enumValues)[number];

export const lessonTypeEnum = pgEnum('lesson_type', [
  'video',
  'text',
  'quiz',
  'assignment',
  'live_session',
  'download',
]);
export type LessonType = (typeof lessonTypeEnum.enumValues)[number];

// Enrollments
export const enrollmentStatusEnum = pgEnum('enrollment_status', [
  'active',
  'completed',
  'dropped',
  'expired',
]);
export type EnrollmentStatus = (typeof enrollmentStatusEnum.enumValues)[number];

export const progressStatusEnum = pgEnum('progress_status', ['not_started', 'in_progress', 'completed']);
export type ProgressStatus = (typeof progressStatusEnum.enumValues)[number];

/** Bulk operations (bulk enrolment): queued → running → completed | failed. */
export const bulkOperationStateEnum = pgEnum('bulk_operation_state', [
  'queued',
  'running',
  'completed',
  'failed',
]);
export type BulkOperationState = (typeof bulkOperationStateEnum.enumValues)[number];

// Assessments
export const quizTypeEnum = pgEnum('quiz_type', ['practice', 'graded', 'exam', 'survey']);
export type QuizType = (typeof quizTypeEnum.enumValues)[number];

export const questionTypeEnum = pgEnum('question_type', [
  'multiple_choice',
  'multiple_select',
  'true_false',
  'short_answer',
  'essay',
]);
export type QuestionType = (typeof questionTypeEnum.enumValues)[number];

export const questionDifficultyEnum = pgEnum('question_difficulty', ['easy', 'medium', 'hard']);
export type QuestionDifficulty = (typeof questionDifficultyEnum.enumValues)[number];

export const gradingStatusEnum = pgEnum('grading_status', [
  'pending',
  'auto_graded',
  'needs_review',
  'graded',
]);
export type GradingStatus = (typeof gradingStatusEnum.enumValues)[number];

export const assignmentGradingStatusEnum = pgEnum('assignment_grading_status', [
  'submitted',
  'in_review',
  'graded',
  'returned',
]);
export type AssignmentGradingStatus = (typeof assignmentGradingStatusEnum.enumValues)[number];

// Notifications / communication
export const notificationTypeEnum = pgEnum('notification_type', [
  'enrollment',
  'course_update',
  'announcement',
  'message',
  'discussion_reply',
  'assignment_due',
  'assignment_graded',
  'quiz_graded',
  'certificate_issued',
  'payment',
  'system',
]);
export type NotificationType = (typeof notificationTypeEnum.enumValues)[number];

export const priorityEnum = pgEnum('priority', ['low', 'normal', 'high', 'urgent']);
export type Priority = (typeof priorityEnum.enumValues)[number];

// Payments
export const paymentStatusEnum = pgEnum('payment_status', [
  'pending',
  'processing',
  'succeeded',
  'failed',
  'refunded',
  'partially_refunded',
  'cancelled',
]);
export type PaymentStatus = (typeof paymentStatusEnum.enumValues)[number];

export const subscriptionStatusEnum = pgEnum('subscription_status', [
  'incomplete',
  'trialing',
  'active',
  'past_due',
  'cancelled',
  'expired',
]);
export type SubscriptionStatus = (typeof subscriptionStatusEnum.enumValues)[number];

export const refundStatusEnum = pgEnum('refund_status', ['pending', 'succeeded', 'failed', 'cancelled']);
export type RefundStatus = (typeof refundStatusEnum.enumValues)[number];
