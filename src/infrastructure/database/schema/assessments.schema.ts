import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  doublePrecision,
  foreignKey,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
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

/** How a student's attempts at a quiz count (gradebook, pass/fail for completion). */
export const QUIZ_SCORE_POLICIES = ['highest', 'latest', 'average'] as const;
export type QuizScorePolicy = (typeof QUIZ_SCORE_POLICIES)[number];

/**
 * Quizzes belong to a course and optionally sit in a lesson (lesson deleted → quiz stays, unattached).
 * `max_attempts` NULL = unlimited; `time_limit_minutes` NULL = untimed. Correct answers and
 * explanations reach a student only after submitting, when `show_correct_answers`, and not before
 * `show_correct_answers_at` if set. `is_required`: the course's completion rule needs a pass.
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
    shuffleOptions: boolean('shuffle_options').notNull().default(false),
    showCorrectAnswers: boolean('show_correct_answers').notNull().default(false),
    showCorrectAnswersAt: timestamptz('show_correct_answers_at'),
    scorePolicy: text('score_policy').$type<QuizScorePolicy>().notNull().default('highest'),
    isRequired: boolean('is_required').notNull().default(false),
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
    check('quizzes_score_policy_check', sql`${t.scorePolicy} IN ('highest', 'latest', 'average')`),
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

/**
 * Questions of a quiz, ordered by `position` (0-based, unique within the quiz). Short answers match
 * any accepted answer, ignoring case unless `case_sensitive`, and comparing with leading, trailing and
 * repeated inner whitespace collapsed when `normalize_whitespace`. Multiple-select questions give
 * partial credit when `partial_credit`.
 */
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
    caseSensitive: boolean('case_sensitive').notNull().default(false),
    normalizeWhitespace: boolean('normalize_whitespace').notNull().default(true),
    partialCredit: boolean('partial_credit').notNull().default(true),
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

/** The order an attempt shows: questions, and each question's options, fixed when it starts. */
export interface AttemptQuestionOrder {
  questionId: string;
  optionIds: string[];
}

/** Question id → how the answer was graded (automatically, or by hand for needs_review ones). */
export type AttemptResults = Record<
  string,
  { points: number; maxPoints: number; correct: boolean | null; needsReview: boolean; feedback?: string }
>;

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
    /** When a timed attempt closes (started_at + the time limit, capped by the quiz's available_until). */
    deadlineAt: timestamptz('deadline_at'),
    questionOrder: jsonb('question_order').$type<AttemptQuestionOrder[]>().notNull().default(emptyJsonArray),
    /** The client's sequence number of the newest saved answers: an older save never overwrites. */
    answersSequence: bigint('answers_sequence', { mode: 'number' }).notNull().default(0),
    results: jsonb('results').$type<AttemptResults>().notNull().default(emptyJsonObject),
    /** Submitted by the server when the deadline passed, with the answers saved by then. */
    autoSubmitted: boolean('auto_submitted').notNull().default(false),
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
    // Overdue open attempts, for the auto-submit sweep.
    index('quiz_submissions_open_deadline_at_idx')
      .on(t.deadlineAt)
      .where(sql`submitted_at IS NULL AND deadline_at IS NOT NULL`),
    check('quiz_submissions_attempt_number_check', sql`${t.attemptNumber} >= 1`),
    nonNegative('quiz_submissions_answers_sequence_check', t.answersSequence),
    check(
      'quiz_submissions_deadline_at_check',
      sql`${t.deadlineAt} IS NULL OR ${t.deadlineAt} > ${t.startedAt}`,
    ),
    jsonbTypeCheck('quiz_submissions_question_order_array_check', t.questionOrder, 'array'),
    jsonbTypeCheck('quiz_submissions_results_object_check', t.results, 'object'),
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
 * One row per question of a submitted attempt: the narrow copy of `quiz_submissions.results` that the
 * item statistics aggregate (decoding 20 jsonb fields for each of 10,000 attempts cost more than the
 * whole budget). Written in the same statement as the attempt's results, at submission and by manual
 * grading; `results` stays the attempt view's source. `correct` NULL: awaiting review, or a survey.
 * `quiz_id` and `question_id` are the submission's own (copied, not referenced: a foreign-key check
 * per row would cost every submit 20 more lookups, and a quiz or question with attempts cannot be
 * deleted anyway).
 */
export const quizItemResults = pgTable(
  'quiz_item_results',
  {
    submissionId: uuid('submission_id').notNull(),
    quizId: uuid('quiz_id').notNull(),
    questionId: uuid('question_id').notNull(),
    // float8, not numeric(8,2) like the scores: the statistics aggregate them as float8, and casting
    // 200,000 numerics per call cost ~17 ms per column. The values are cents (roundPoints) either way.
    points: doublePrecision('points').notNull(),
    maxPoints: doublePrecision('max_points').notNull(),
    correct: boolean('correct'),
  },
  (t) => [
    primaryKey({ name: 'quiz_item_results_pkey', columns: [t.submissionId, t.questionId] }),
    foreignKey({
      name: 'quiz_item_results_submission_id_fk',
      columns: [t.submissionId],
      foreignColumns: [quizSubmissions.id],
    }).onDelete('cascade'),
    // The per-quiz statistics read one quiz's rows.
    index('quiz_item_results_quiz_id_idx').on(t.quizId),
    nonNegative('quiz_item_results_points_check', t.points),
    nonNegative('quiz_item_results_max_points_check', t.maxPoints),
    check('quiz_item_results_points_max_check', sql`${t.points} <= ${t.maxPoints}`),
  ],
);

/**
 * Assignments belong to a course and optionally sit in a lesson. `max_attempts` NULL = unlimited.
 * Late submissions (after due_at) are accepted only when allow_late: each started day late takes
 * late_penalty_percent off, up to late_penalty_max_percent. Files: allowed_file_types (checked by
 * content, not only the name) and max_file_size_bytes each. `is_required` with `passing_score`
 * (percent of max_points): the course's completion rule needs a graded submission that passes.
 * `due_reminder_sent_at`: the 24-hour reminder went out (cleared when due_at changes).
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
    latePenaltyMaxPercent: integer('late_penalty_max_percent').notNull().default(100),
    maxAttempts: integer('max_attempts').default(1),
    /** Lower-case extensions without the dot ("pdf", "zip"); empty = any. */
    allowedFileTypes: text('allowed_file_types').array().notNull().default(emptyTextArray),
    maxFileSizeBytes: integer('max_file_size_bytes').notNull().default(10_485_760),
    isRequired: boolean('is_required').notNull().default(false),
    passingScore: integer('passing_score').notNull().default(70),
    dueReminderSentAt: timestamptz('due_reminder_sent_at'),
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
    rangeCheck('assignments_late_penalty_max_percent_check', t.latePenaltyMaxPercent, 0, 100),
    rangeCheck('assignments_max_file_size_bytes_check', t.maxFileSizeBytes, 1, 1_073_741_824),
    rangeCheck('assignments_passing_score_check', t.passingScore, 0, 100),
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
 * `grade` is the grader's score; the counted score is grade × (1 − penalty_percent / 100), the late
 * penalty fixed when it was submitted. `grade_version` rises with every grading: a grader sends the
 * version they saw (If-Match) so two graders cannot silently overwrite each other.
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
    penaltyPercent: numeric('penalty_percent', { precision: 5, scale: 2, mode: 'number' })
      .notNull()
      .default(0),
    grade: numeric('grade', { precision: 8, scale: 2, mode: 'number' }),
    gradeVersion: integer('grade_version').notNull().default(0),
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
    rangeCheck('assignment_submissions_penalty_percent_check', t.penaltyPercent, 0, 100),
    nonNegative('assignment_submissions_grade_version_check', t.gradeVersion),
    check(
      'assignment_submissions_graded_check',
      sql`${t.gradingStatus} <> 'graded' OR ${t.grade} IS NOT NULL`,
    ),
    jsonbTypeCheck('assignment_submissions_attachments_array_check', t.attachments, 'array'),
  ],
);

/** A rubric's criteria, in order, for one assignment. */
export const rubricCriteria = pgTable(
  'rubric_criteria',
  {
    id: id(),
    assignmentId: uuid('assignment_id').notNull(),
    title: text('title').notNull(),
    description: text('description'),
    position: integer('position').notNull(),
    ...timestamps,
  },
  (t) => [
    foreignKey({
      name: 'rubric_criteria_assignment_id_fk',
      columns: [t.assignmentId],
      foreignColumns: [assignments.id],
    }).onDelete('cascade'),
    unique('rubric_criteria_assignment_id_position_unique').on(t.assignmentId, t.position),
    nonNegative('rubric_criteria_position_check', t.position),
    check('rubric_criteria_title_length_check', sql`length(${t.title}) BETWEEN 1 AND 200`),
  ],
);

/** The levels a criterion can be scored at ("Excellent — 10 points"), in order. */
export const rubricLevels = pgTable(
  'rubric_levels',
  {
    id: id(),
    criterionId: uuid('criterion_id').notNull(),
    title: text('title').notNull(),
    description: text('description'),
    points: numeric('points', { precision: 8, scale: 2, mode: 'number' }).notNull(),
    position: integer('position').notNull(),
    ...timestamps,
  },
  (t) => [
    foreignKey({
      name: 'rubric_levels_criterion_id_fk',
      columns: [t.criterionId],
      foreignColumns: [rubricCriteria.id],
    }).onDelete('cascade'),
    unique('rubric_levels_criterion_id_position_unique').on(t.criterionId, t.position),
    nonNegative('rubric_levels_points_check', t.points),
    nonNegative('rubric_levels_position_check', t.position),
    check('rubric_levels_title_length_check', sql`length(${t.title}) BETWEEN 1 AND 200`),
  ],
);

/** The level a grader chose per criterion for one submission (its points fill the grade). */
export const rubricAssessments = pgTable(
  'rubric_assessments',
  {
    submissionId: uuid('submission_id').notNull(),
    criterionId: uuid('criterion_id').notNull(),
    levelId: uuid('level_id').notNull(),
    points: numeric('points', { precision: 8, scale: 2, mode: 'number' }).notNull(),
    comment: text('comment'),
    ...timestamps,
  },
  (t) => [
    primaryKey({ name: 'rubric_assessments_pkey', columns: [t.submissionId, t.criterionId] }),
    foreignKey({
      name: 'rubric_assessments_submission_id_fk',
      columns: [t.submissionId],
      foreignColumns: [assignmentSubmissions.id],
    }).onDelete('cascade'),
    foreignKey({
      name: 'rubric_assessments_criterion_id_fk',
      columns: [t.criterionId],
      foreignColumns: [rubricCriteria.id],
    }).onDelete('cascade'),
    foreignKey({
      name: 'rubric_assessments_level_id_fk',
      columns: [t.levelId],
      foreignColumns: [rubricLevels.id],
    }).onDelete('cascade'),
    index('rubric_assessments_criterion_id_idx').on(t.criterionId),
    index('rubric_assessments_level_id_idx').on(t.levelId),
    nonNegative('rubric_assessments_points_check', t.points),
  ],
);

/**
 * Grade history: every grading or re-grading of an assignment submission or a quiz attempt, with who,
 * when, and the score and status before and after. Exactly one of the two submission columns is set.
 */
export const gradeChanges = pgTable(
  'grade_changes',
  {
    id: id(),
    assignmentSubmissionId: uuid('assignment_submission_id'),
    quizSubmissionId: uuid('quiz_submission_id'),
    graderId: uuid('grader_id'),
    oldGrade: numeric('old_grade', { precision: 8, scale: 2, mode: 'number' }),
    newGrade: numeric('new_grade', { precision: 8, scale: 2, mode: 'number' }),
    oldStatus: text('old_status'),
    newStatus: text('new_status').notNull(),
    feedback: text('feedback'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [
    foreignKey({
      name: 'grade_changes_assignment_submission_id_fk',
      columns: [t.assignmentSubmissionId],
      foreignColumns: [assignmentSubmissions.id],
    }).onDelete('cascade'),
    foreignKey({
      name: 'grade_changes_quiz_submission_id_fk',
      columns: [t.quizSubmissionId],
      foreignColumns: [quizSubmissions.id],
    }).onDelete('cascade'),
    foreignKey({
      name: 'grade_changes_grader_id_fk',
      columns: [t.graderId],
      foreignColumns: [users.id],
    }).onDelete('set null'),
    index('grade_changes_assignment_submission_id_idx').on(t.assignmentSubmissionId, t.createdAt),
    index('grade_changes_quiz_submission_id_idx').on(t.quizSubmissionId, t.createdAt),
    index('grade_changes_grader_id_idx').on(t.graderId),
    check(
      'grade_changes_one_submission_check',
      sql`num_nonnulls(${t.assignmentSubmissionId}, ${t.quizSubmissionId}) = 1`,
    ),
    nonNegative('grade_changes_old_grade_check', t.oldGrade),
    nonNegative('grade_changes_new_grade_check', t.newGrade),
  ],
);

/**
 * A user's calendar feed secret (GET /me/calendar.ics?token=…): only its sha256 is stored; rotating
 * replaces it, so the old URL stops working at once.
 */
export const calendarFeedTokens = pgTable(
  'calendar_feed_tokens',
  {
    userId: uuid('user_id').primaryKey(),
    tokenHash: text('token_hash').notNull(),
    ...timestamps,
  },
  (t) => [
    foreignKey({
      name: 'calendar_feed_tokens_user_id_fk',
      columns: [t.userId],
      foreignColumns: [users.id],
    }).onDelete('cascade'),
    unique('calendar_feed_tokens_token_hash_unique').on(t.tokenHash),
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
export type RubricCriterion = typeof rubricCriteria.$inferSelect;
export type RubricLevel = typeof rubricLevels.$inferSelect;
export type RubricAssessment = typeof rubricAssessments.$inferSelect;
export type GradeChange = typeof gradeChanges.$inferSelect;
export type CalendarFeedToken = typeof calendarFeedTokens.$inferSelect;
