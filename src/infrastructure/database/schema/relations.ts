import { relations } from 'drizzle-orm';
import { analyticsEvents, courseAnalytics, studentAnalytics } from './analytics.schema.js';
import {
  assignmentSubmissions,
  assignments,
  questions,
  quizSubmissions,
  quizzes,
} from './assessments.schema.js';
import { announcements, discussionPosts, discussionThreads, messages } from './communication.schema.js';
import { courseModules, courses, lessons } from './courses.schema.js';
import { certificates, enrollments, lessonProgress } from './enrollments.schema.js';
import { notifications } from './notifications.schema.js';
import { payments, refunds, subscriptions } from './payments.schema.js';
import { userProfiles, users } from './users.schema.js';

/**
 * Relations for Drizzle's relational query API (`db.query.courses.findFirst({ with: { modules: ... } })`).
 * Where two relations join the same pair of tables, `relationName` pairs each `one` with its `many`.
 */

// Users
export const usersRelations = relations(users, ({ one, many }) => ({
  profile: one(userProfiles),
  taughtCourses: many(courses),
  enrollments: many(enrollments),
  lessonProgress: many(lessonProgress),
  certificates: many(certificates),
  quizSubmissions: many(quizSubmissions, { relationName: 'quizSubmissionStudent' }),
  gradedQuizSubmissions: many(quizSubmissions, { relationName: 'quizSubmissionGrader' }),
  assignmentSubmissions: many(assignmentSubmissions, { relationName: 'assignmentSubmissionStudent' }),
  gradedAssignmentSubmissions: many(assignmentSubmissions, { relationName: 'assignmentSubmissionGrader' }),
  sentMessages: many(messages, { relationName: 'messageSender' }),
  receivedMessages: many(messages, { relationName: 'messageRecipient' }),
  discussionThreads: many(discussionThreads),
  discussionPosts: many(discussionPosts),
  announcements: many(announcements),
  notifications: many(notifications),
  studentAnalytics: many(studentAnalytics),
  analyticsEvents: many(analyticsEvents),
  payments: many(payments),
  subscriptions: many(subscriptions),
  requestedRefunds: many(refunds),
}));

export const userProfilesRelations = relations(userProfiles, ({ one }) => ({
  user: one(users, { fields: [userProfiles.userId], references: [users.id] }),
}));

// Courses
export const coursesRelations = relations(courses, ({ one, many }) => ({
  instructor: one(users, { fields: [courses.instructorId], references: [users.id] }),
  modules: many(courseModules),
  lessons: many(lessons),
  enrollments: many(enrollments),
  certificates: many(certificates),
  quizzes: many(quizzes),
  assignments: many(assignments),
  discussionThreads: many(discussionThreads),
  announcements: many(announcements),
  dailyAnalytics: many(courseAnalytics),
  studentAnalytics: many(studentAnalytics),
  analyticsEvents: many(analyticsEvents),
  payments: many(payments),
}));

export const courseModulesRelations = relations(courseModules, ({ one, many }) => ({
  course: one(courses, { fields: [courseModules.courseId], references: [courses.id] }),
  lessons: many(lessons),
}));

export const lessonsRelations = relations(lessons, ({ one, many }) => ({
  module: one(courseModules, { fields: [lessons.moduleId], references: [courseModules.id] }),
  course: one(courses, { fields: [lessons.courseId], references: [courses.id] }),
  progress: many(lessonProgress),
  quizzes: many(quizzes),
  assignments: many(assignments),
  discussionThreads: many(discussionThreads),
}));

// Enrollments
export const enrollmentsRelations = relations(enrollments, ({ one, many }) => ({
  user: one(users, { fields: [enrollments.userId], references: [users.id] }),
  course: one(courses, { fields: [enrollments.courseId], references: [courses.id] }),
  payment: one(payments, { fields: [enrollments.paymentId], references: [payments.id] }),
  lessonProgress: many(lessonProgress),
  certificate: one(certificates),
  quizSubmissions: many(quizSubmissions),
}));

export const lessonProgressRelations = relations(lessonProgress, ({ one }) => ({
  user: one(users, { fields: [lessonProgress.userId], references: [users.id] }),
  lesson: one(lessons, { fields: [lessonProgress.lessonId], references: [lessons.id] }),
  enrollment: one(enrollments, { fields: [lessonProgress.enrollmentId], references: [enrollments.id] }),
}));

export const certificatesRelations = relations(certificates, ({ one }) => ({
  enrollment: one(enrollments, { fields: [certificates.enrollmentId], references: [enrollments.id] }),
  user: one(users, { fields: [certificates.userId], references: [users.id] }),
  course: one(courses, { fields: [certificates.courseId], references: [courses.id] }),
}));

// Assessments
export const quizzesRelations = relations(quizzes, ({ one, many }) => ({
  course: one(courses, { fields: [quizzes.courseId], references: [courses.id] }),
  lesson: one(lessons, { fields: [quizzes.lessonId], references: [lessons.id] }),
  questions: many(questions),
  submissions: many(quizSubmissions),
}));

export const questionsRelations = relations(questions, ({ one }) => ({
  quiz: one(quizzes, { fields: [questions.quizId], references: [quizzes.id] }),
}));

export const quizSubmissionsRelations = relations(quizSubmissions, ({ one }) => ({
  quiz: one(quizzes, { fields: [quizSubmissions.quizId], references: [quizzes.id] }),
  user: one(users, {
    fields: [quizSubmissions.userId],
    references: [users.id],
    relationName: 'quizSubmissionStudent',
  }),
  enrollment: one(enrollments, { fields: [quizSubmissions.enrollmentId], references: [enrollments.id] }),
  grader: one(users, {
    fields: [quizSubmissions.graderId],
    references: [users.id],
    relationName: 'quizSubmissionGrader',
  }),
}));

export const assignmentsRelations = relations(assignments, ({ one, many }) => ({
  course: one(courses, { fields: [assignments.courseId], references: [courses.id] }),
  lesson: one(lessons, { fields: [assignments.lessonId], references: [lessons.id] }),
  submissions: many(assignmentSubmissions),
}));

export const assignmentSubmissionsRelations = relations(assignmentSubmissions, ({ one }) => ({
  assignment: one(assignments, {
    fields: [assignmentSubmissions.assignmentId],
    references: [assignments.id],
  }),
  student: one(users, {
    fields: [assignmentSubmissions.studentId],
    references: [users.id],
    relationName: 'assignmentSubmissionStudent',
  }),
  grader: one(users, {
    fields: [assignmentSubmissions.graderId],
    references: [users.id],
    relationName: 'assignmentSubmissionGrader',
  }),
}));

// Communication
export const messagesRelations = relations(messages, ({ one, many }) => ({
  sender: one(users, { fields: [messages.senderId], references: [users.id], relationName: 'messageSender' }),
  recipient: one(users, {
    fields: [messages.recipientId],
    references: [users.id],
    relationName: 'messageRecipient',
  }),
  parent: one(messages, {
    fields: [messages.parentMessageId],
    references: [messages.id],
    relationName: 'messageReplies',
  }),
  replies: many(messages, { relationName: 'messageReplies' }),
}));

export const discussionThreadsRelations = relations(discussionThreads, ({ one, many }) => ({
  course: one(courses, { fields: [discussionThreads.courseId], references: [courses.id] }),
  author: one(users, { fields: [discussionThreads.authorId], references: [users.id] }),
  lesson: one(lessons, { fields: [discussionThreads.lessonId], references: [lessons.id] }),
  posts: many(discussionPosts),
}));

export const discussionPostsRelations = relations(discussionPosts, ({ one, many }) => ({
  thread: one(discussionThreads, { fields: [discussionPosts.threadId], references: [discussionThreads.id] }),
  author: one(users, { fields: [discussionPosts.authorId], references: [users.id] }),
  parent: one(discussionPosts, {
    fields: [discussionPosts.parentPostId],
    references: [discussionPosts.id],
    relationName: 'discussionPostReplies',
  }),
  replies: many(discussionPosts, { relationName: 'discussionPostReplies' }),
}));

export const announcementsRelations = relations(announcements, ({ one }) => ({
  course: one(courses, { fields: [announcements.courseId], references: [courses.id] }),
  author: one(users, { fields: [announcements.authorId], references: [users.id] }),
}));

// Notifications
export const notificationsRelations = relations(notifications, ({ one }) => ({
  user: one(users, { fields: [notifications.userId], references: [users.id] }),
}));

// Analytics
export const courseAnalyticsRelations = relations(courseAnalytics, ({ one }) => ({
  course: one(courses, { fields: [courseAnalytics.courseId], references: [courses.id] }),
}));

export const studentAnalyticsRelations = relations(studentAnalytics, ({ one }) => ({
  user: one(users, { fields: [studentAnalytics.userId], references: [users.id] }),
  course: one(courses, { fields: [studentAnalytics.courseId], references: [courses.id] }),
}));

export const analyticsEventsRelations = relations(analyticsEvents, ({ one }) => ({
  user: one(users, { fields: [analyticsEvents.userId], references: [users.id] }),
  course: one(courses, { fields: [analyticsEvents.courseId], references: [courses.id] }),
}));

// Payments
export const paymentsRelations = relations(payments, ({ one, many }) => ({
  user: one(users, { fields: [payments.userId], references: [users.id] }),
  course: one(courses, { fields: [payments.courseId], references: [courses.id] }),
  subscription: one(subscriptions, { fields: [payments.subscriptionId], references: [subscriptions.id] }),
  refunds: many(refunds),
  enrollments: many(enrollments),
}));

export const subscriptionsRelations = relations(subscriptions, ({ one, many }) => ({
  user: one(users, { fields: [subscriptions.userId], references: [users.id] }),
  payments: many(payments),
}));

export const refundsRelations = relations(refunds, ({ one }) => ({
  payment: one(payments, { fields: [refunds.paymentId], references: [payments.id] }),
  requestedBy: one(users, { fields: [refunds.requestedById], references: [users.id] }),
}));
