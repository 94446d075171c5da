import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  foreignKey,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  text,
  unique,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import {
  emptyJsonArray,
  emptyJsonObject,
  emptyTextArray,
  id,
  jsonbTypeCheck,
  nonNegative,
  positive,
  rangeCheck,
  timestamps,
  timestamptz,
} from './columns.js';
import { courses, lessons } from './courses.schema.js';
import { enrollments } from './enrollments.schema.js';
import {
  assignmentGradingStatusEnum,
  gradingStatusEnum,
  questionDifficultyEnum,
  questionTypeEnum,
  quizTypeEnum,
} from './enums.schema.js';
import { users } from './users.schema.js';

/**
 * Quizzes belong to a course and optionally sit in a lesson (lesson deleted → quiz stays, unattached).
 * `max_attempts` NULL = unlimited; `time_limit_minutes` NULL = untimed.
 */
export const quizzes = pgTable(
  'quizzes',
  {
    id: id(),
    courseId: uuid('course_id').notNull(),
    lessonId: uuid('lesson_id'),
    title: text('title').notNull(),
    description: text('description'),
    type: quizTypeEnum('type').notNull().default('graded'),
    timeLimitMinutes: integer('time_limit_minutes'),
    maxAttempts: integer('max_attempts'),
    /** Minimum score_percent to pass. */
    passingScore: integer('passing_score').notNull().default(70),
    shuffleQuestions: boolean('shuffle_questions').notNull().default(false),
    showCorrectAnswers: boolean('show_correct_answers').notNull().default(false),
    availableFrom: timestamptz('available_from'),
    availableUntil: timestamptz('available_until'),
    isPublished: boolean('is_published').notNull().default(false),
    ...timestamps,
  },
  (t) => [
    foreignKey({
      name: 'quizzes_course_id_fk',
      columns: [t.courseId],
      foreignColumns: [courses.id],
    }).onDelete('cascade'),
    foreignKey({
      name: 'quizzes_lesson_id_fk',
      columns: [t.lessonId],
      foreignColumns: [lessons.id],
    }).onDelete('set null'),
    index('quizzes_course_id_idx').on(t.courseId),
    index('quizzes_lesson_id_idx').on(t.lessonId),
    positive('quizzes_time_limit_minutes_check', t.timeLimitMinutes),
    check('quizzes_max_attempts_check', sql`${t.maxAttempts} >= 1`),
    rangeCheck('quizzes_passing_score_check', t.passingScore, 0, 100),
    check(
      'quizzes_availability_check',
      sql`${t.availableFrom} IS NULL OR ${t.availableUntil} IS NULL OR ${t.availableUntil} > ${t.availableFrom}`,
    ),
  ],
);

/** A choice of a multiple_choice / multiple_select / true_false question. */
export interface QuestionOption {
  id: string;
  text: string;
}
/** Option id(s), `true`/`false`, accepted short answers; NULL for essays (graded by hand). */
export type CorrectAnswer = string | string[] | boolean | null;

/** Questions of a quiz, ordered by `position` (0-based, unique within the quiz). */
export const questions = pgTable(
  'questions',
  {
    id: id(),
    quizId: uuid('quiz_id').notNull(),
    type: questionTypeEnum('type').notNull(),
    difficulty: questionDifficultyEnum('difficulty').notNull().default('medium'),
    prompt: text('prompt').notNull(),
    options: jsonb('options').$type<QuestionOption[]>().notNull().default(emptyJsonArray),
    correctAnswer: jsonb('correct_answer').$type<CorrectAnswer>(),
    explanation: text('explanation'),
    points: numeric('points', { precision: 8, scale: 2, mode: 'number' }).notNull().default(1),
    position: integer('position').notNull(),
    ...timestamps,
  },
  (t) => [
    foreignKey({ name: 'questions_quiz_id_fk', columns: [t.quizId], foreignColumns: [quizzes.id] }).onDelete(
      'cascade',
    ),
    unique('questions_quiz_id_position_unique').on(t.quizId, t.position),
    nonNegative('questions_points_check', t.points),
    nonNegative('questions_position_check', t.position),
    jsonbTypeCheck('questions_options_array_check', t.options, 'array'),
  ],
);

/** Question id → the student's answer (same shapes as CorrectAnswer, or free text). */
export type QuizAnswers = Record<string, unknown>;

/**
 * One attempt at a quiz. Attempts are numbered from 1 per (user, quiz); at most one attempt is open
 * (submitted_at IS NULL) per user and quiz. Submissions keep their quiz: deleting a quiz that has
 * attempts is refused (RESTRICT); unpublish it instead.
 */
export const quizSubmissions = pgTable(
  'quiz_submissions',
  {
    id: id(),
    quizId: uuid('quiz_id').notNull(),
    userId: uuid('user_id').notNull(),
    enrollmentId: uuid('enrollment_id'),
    attemptNumber: integer('attempt_number').notNull().default(1),
    answers: jsonb('answers').$type<QuizAnswers>().notNull().default(emptyJsonObject),
    /** Points earned. */
    score: numeric('score', { precision: 8, scale: 2, mode: 'number' }),
    /** Points possible at grading time. */
    maxScore: numeric('max_score', { precision: 8, scale: 2, mode: 'number' }),
    scorePercent: numeric('score_percent', { precision: 5, scale: 2, mode: 'number' }),
    passed: boolean('passed'),
    startedAt: timestamptz('started_at').notNull().defaultNow(),
    submittedAt: timestamptz('submitted_at'),
    gradedAt: timestamptz('graded_at'),
    graderId: uuid('grader_id'),
    gradingStatus: gradingStatusEnum('grading_status').notNull().default('pending'),
    feedback: text('feedback'),
    ...timestamps,
  },
  (t) => [
    foreignKey({
      name: 'quiz_submissions_quiz_id_fk',
      columns: [t.quizId],
      foreignColumns: [quizzes.id],
    }).onDelete('restrict'),
    foreignKey({
      name: 'quiz_submissions_user_id_fk',
      columns: [t.userId],
      foreignColumns: [users.id],
    }).onDelete('cascade'),
    foreignKey({
      name: 'quiz_submissions_enrollment_id_fk',
      columns: [t.enrollmentId],
      foreignColumns: [enrollments.id],
    }).onDelete('set null'),
    foreignKey({
      name: 'quiz_submissions_grader_id_fk',
      columns: [t.graderId],
      foreignColumns: [users.id],
    }).onDelete('set null'),
    unique('quiz_submissions_user_id_quiz_id_attempt_number_unique').on(t.userId, t.quizId, t.attemptNumber),
    uniqueIndex('quiz_submissions_user_id_quiz_id_open_unique')
      .on(t.userId, t.quizId)
      .where(sql`submitted_at IS NULL`),
    // Per-quiz results and grading queue (WHERE quiz_id = $1 AND grading_status = 'needs_review').
    index('quiz_submissions_quiz_id_grading_status_idx').on(t.quizId, t.gradingStatus, t.submittedAt),
    // Instructor-wide grading queue, oldest first.
    index('quiz_submissions_grading_status_submitted_at_idx').on(t.gradingStatus, t.submittedAt),
    index('quiz_submissions_enrollment_id_idx').on(t.enrollmentId),
    index('quiz_submissions_grader_id_idx').on(t.graderId),
    check('quiz_submissions_attempt_number_check', sql`${t.attemptNumber} >= 1`),
    nonNegative('quiz_submissions_score_check', t.score),
    nonNegative('quiz_submissions_max_score_check', t.maxScore),
    rangeCheck('quiz_submissions_score_percent_check', t.scorePercent, 0, 100),
    check(
      'quiz_submissions_submitted_at_check',
      sql`${t.submittedAt} IS NULL OR ${t.submittedAt} >= ${t.startedAt}`,
    ),
    check(
      'quiz_submissions_graded_check',
      sql`${t.gradingStatus} NOT IN ('auto_graded', 'graded') OR ${t.score} IS NOT NULL`,
    ),
    jsonbTypeCheck('quiz_submissions_answers_object_check', t.answers, 'object'),
  ],
);

/**
 * Assignments belong to a course and optionally sit in a lesson. `max_attempts` NULL = unlimited.
 * Late submissions (after due_at) are accepted only when allow_late, with late_penalty_percent off.
 */
export const assignments = pgTable(
  'assignments',
  {
    id: id(),
    courseId: uuid('course_id').notNull(),
    lessonId: uuid('lesson_id'),
    title: text('title').notNull(),
    instructions: text('instructions'),
    dueAt: timestamptz('due_at'),
    maxPoints: integer('max_points').notNull().default(100),
    allowLate: boolean('allow_late').notNull().default(false),
    latePenaltyPercent: integer('late_penalty_percent').notNull().default(0),
    maxAttempts: integer('max_attempts').default(1),
    /** Lower-case extensions without the dot ("pdf", "zip"); empty = any. */
    allowedFileTypes: text('allowed_file_types').array().notNull().default(emptyTextArray),
    isPublished: boolean('is_published').notNull().default(false),
    ...timestamps,
  },
  (t) => [
    foreignKey({
      name: 'assignments_course_id_fk',
      columns: [t.courseId],
      foreignColumns: [courses.id],
    }).onDelete('cascade'),
    foreignKey({
      name: 'assignments_lesson_id_fk',
      columns: [t.lessonId],
      foreignColumns: [lessons.id],
    }).onDelete('set null'),
    // Course assignments by due date (also "due soon" reminders).
    index('assignments_course_id_due_at_idx').on(t.courseId, t.dueAt),
    index('assignments_lesson_id_idx').on(t.lessonId),
    positive('assignments_max_points_check', t.maxPoints),
    rangeCheck('assignments_late_penalty_percent_check', t.latePenaltyPercent, 0, 100),
    check('assignments_max_attempts_check', sql`${t.maxAttempts} >= 1`),
  ],
);

/** A submitted file (stored in object storage; `storage_key` is authoritative). */
export interface SubmissionAttachment {
  name: string;
  url: string;
  storageKey?: string;
  mimeType?: string;
  sizeBytes?: number;
}

/**
 * One attempt at an assignment: unique per (assignment, student, attempt_number), numbered from 1.
 * Submissions keep their assignment: deleting an assignment that has submissions is refused.
 */
export const assignmentSubmissions = pgTable(
  'assignment_submissions',
  {
    id: id(),
    assignmentId: uuid('assignment_id').notNull(),
    studentId: uuid('student_id').notNull(),
    attemptNumber: integer('attempt_number').notNull().default(1),
    content: text('content'),
    attachments: jsonb('attachments').$type<SubmissionAttachment[]>().notNull().default(emptyJsonArray),
    submittedAt: timestamptz('submitted_at').notNull().defaultNow(),
    isLate: boolean('is_late').notNull().default(false),
    grade: numeric('grade', { precision: 8, scale: 2, mode: 'number' }),
    feedback: text('feedback'),
    graderId: uuid('grader_id'),
    gradedAt: timestamptz('graded_at'),
    gradingStatus: assignmentGradingStatusEnum('grading_status').notNull().default('submitted'),
    ...timestamps,
  },
  (t) => [
    foreignKey({
      name: 'assignment_submissions_assignment_id_fk',
      columns: [t.assignmentId],
      foreignColumns: [assignments.id],
    }).onDelete('restrict'),
    foreignKey({
      name: 'assignment_submissions_student_id_fk',
      columns: [t.studentId],
      foreignColumns: [users.id],
    }).onDelete('cascade'),
    foreignKey({
      name: 'assignment_submissions_grader_id_fk',
      columns: [t.graderId],
      foreignColumns: [users.id],
    }).onDelete('set null'),
    unique('assignment_submissions_assignment_student_attempt_unique').on(
      t.assignmentId,
      t.studentId,
      t.attemptNumber,
    ),
    // Grading queue per assignment (WHERE assignment_id = $1 AND grading_status = 'submitted').
    index('assignment_submissions_assignment_id_grading_status_idx').on(
      t.assignmentId,
      t.gradingStatus,
      t.submittedAt,
    ),
    // A student's submissions, newest first.
    index('assignment_submissions_student_id_submitted_at_idx').on(
      t.studentId,
      t.submittedAt.desc().nullsFirst(),
    ),
    index('assignment_submissions_grader_id_idx').on(t.graderId),
    check('assignment_submissions_attempt_number_check', sql`${t.attemptNumber} >= 1`),
    nonNegative('assignment_submissions_grade_check', t.grade),
    check(
      'assignment_submissions_graded_check',
      sql`${t.gradingStatus} <> 'graded' OR ${t.grade} IS NOT NULL`,
    ),
    jsonbTypeCheck('assignment_submissions_attachments_array_check', t.attachments, 'array'),
  ],
);

export type Quiz = typeof quizzes.$inferSelect;
export type NewQuiz = typeof quizzes.$inferInsert;
export type Question = typeof questions.$inferSelect;
export type NewQuestion = typeof questions.$inferInsert;
export type QuizSubmission = typeof quizSubmissions.$inferSelect;
export type NewQuizSubmission = typeof quizSubmissions.$inferInsert;
export type Assignment = typeof assignments.$inferSelect;
export type NewAssignment = typeof assignments.$inferInsert;
export type AssignmentSubmission = typeof assignmentSubmissions.$inferSelect;
export type NewAssignmentSubmission = typeof assignmentSubmissions.$inferInsert;
