import type { NotificationType } from '../database/schema/index.js';
import type { EventBus } from './event-bus.js';

/**
 * Every domain event of the application and its payload. Payloads carry ids (subscribers read what
 * they need), except where the event is itself the request (a password reset names the address).
 * Adding an event: one entry here, published by the module that owns the change.
 */
export interface DomainEvents {
  /** A course's fields, status, modules, lessons or their order changed, or it was deleted. */
  'course.changed': { courseId: string };
  /** A user's row or profile changed (role, state, token version, password, name, last sign-in, profile). */
  'user.changed': { userId: string };
  /** A user's public name changed (also published with `user.changed`). */
  'user.renamed': { userId: string };
  /**
   * A learner was enrolled in a course: a new enrollment, or (`reactivated`) a dropped or expired one
   * made active again with its progress. `enrolledBy`: who did it when not the learner (instructor,
   * admin, the requester of a bulk enrolment), else null.
   */
  'enrollment.created': {
    enrollmentId: string;
    userId: string;
    courseId: string;
    enrolledBy: string | null;
    reactivated: boolean;
  };
  /** An active enrollment was dropped, by the learner or (`droppedBy` another user) removed by staff. */
  'enrollment.dropped': { enrollmentId: string; userId: string; courseId: string; droppedBy: string };
  /**
   * Active enrollments whose access window passed were marked expired (one event per sweep batch);
   * `courseIds`: their courses, each once.
   */
  'enrollments.expired': { enrollmentIds: string[]; courseIds: string[] };
  /** `courses.enrollment_count` of this course changed (once per transaction; the catalog shows it). */
  'course.enrollment-count.changed': { courseId: string };
  /** A bulk enrolment was accepted (202): its rows are waiting to be processed. */
  'bulk-enrollment.requested': { operationId: string };
  /** Someone asked for a password reset email for this (normalised) address, within its quota. */
  'password-reset.requested': { email: string; ipAddress?: string | undefined };
  /** An in-app notification was written (live delivery and email digests subscribe). */
  'notification.created': { notificationId: string; userId: string; type: NotificationType };
  /**
   * An enrollment became `completed` (exactly once per enrollment: the completion rule's conditional
   * update). `completedAt` is the ISO time recorded on the enrollment.
   */
  'enrollment.completed': { enrollmentId: string; userId: string; courseId: string; completedAt: string };
  /** A learner's progress on a lesson of the course was recorded (time, position, status). */
  'lesson-progress.recorded': { userId: string; courseId: string; lessonId: string };
  /**
   * A quiz attempt got (or changed) its score: submitted and auto-graded, auto-submitted at its
   * deadline, or graded by hand. The completion rule and the gradebook react.
   */
  'quiz-attempt.graded': {
    attemptId: string;
    quizId: string;
    userId: string;
    courseId: string;
    /** The quiz counts for completion (is_required) as graded. */
    required: boolean;
  };
  /**
   * A quiz's settings or questions were written (created, edited, published or unpublished, deleted;
   * questions added, edited, reordered, deleted). The gradebook reacts (its columns and points).
   */
  'quiz.changed': { quizId: string; courseId: string };
  /**
   * An assignment was written (created, edited, published or unpublished, deleted). The gradebook
   * reacts (its columns, points, due dates).
   */
  'assignment.changed': { assignmentId: string; courseId: string };
  /** A student handed in an attempt at an assignment (not graded yet). The gradebook reacts. */
  'assignment-submission.submitted': {
    submissionId: string;
    assignmentId: string;
    userId: string;
    courseId: string;
  };
  /** An assignment submission was graded or re-graded. The completion rule and the gradebook react. */
  'assignment-submission.graded': {
    submissionId: string;
    assignmentId: string;
    userId: string;
    courseId: string;
    /** The assignment counts for completion (is_required) as graded. */
    required: boolean;
  };
}

export type DomainEventBus = EventBus<DomainEvents>;
