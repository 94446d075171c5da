/**
 * The tables and enum types the migration guide (spec/database-migration-guide.md, "Expected Schema")
 * promises. db:verify checks these by name on top of the full snapshot comparison, and reports them.
 */
export const GUIDE_TABLES = [
  'users',
  'user_profiles',
  'courses',
  'course_modules',
  'lessons',
  'enrollments',
  'lesson_progress',
  'certificates',
  'quizzes',
  'questions',
  'quiz_submissions',
  'assignments',
  'assignment_submissions',
  'messages',
  'discussion_threads',
  'discussion_posts',
  'announcements',
  'notifications',
  'course_analytics',
  'student_analytics',
  'analytics_events',
  'payments',
  'subscriptions',
  'refunds',
] as const;

export const GUIDE_ENUMS = [
  'role',
  'course_status',
  'difficulty',
  'lesson_type',
  'enrollment_status',
  'progress_status',
  'quiz_type',
  'question_type',
  'question_difficulty',
  'grading_status',
  'assignment_grading_status',
  'notification_type',
  'priority',
  'payment_status',
  'subscription_status',
  'refund_status',
] as const;
