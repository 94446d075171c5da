/**
 * Who may do what with a quiz. Course staff (the course's instructor, admins) author and see
 * everything, correct answers included. Learners (an enrollment that is active or completed and not
 * past its expiry, the lesson rule of the progress module) see published quizzes of published courses,
 * never their answers, and take them. Everyone else is told as little as possible: a quiz they could
 * not see in any case (a draft quiz, a draft course) does not exist (404); a published one of a
 * published course is 403 (`not_enrolled` for reads, `forbidden` for authoring).
 */
import type { CourseStatus, EnrollmentStatus, Quiz } from '../../infrastructure/database/schema/index.js';
import { type Actor, isAdmin, requireRole } from '../../shared/actor.js';
import { AppError } from '../../shared/errors.js';

export interface CourseFacts {
  courseId: string;
  instructorId: string;
  courseStatus: CourseStatus;
  enrollmentId: string | null;
  enrollmentStatus: EnrollmentStatus | null;
  /** The enrollment's expires_at has passed (even before the expiry sweep marks it). */
  expired: boolean;
}

export interface QuizFacts extends CourseFacts {
  quiz: Quiz;
  /** quizzes.updated_at as text, to the microsecond: the version of the quiz and its questions. */
  quizVersion: string;
}

export const quizNotFound = () => new AppError('not_found', 'No such quiz.');
export const courseNotFound = () => new AppError('not_found', 'No such course.');
export const questionNotFound = () => new AppError('not_found', 'No such question.');
export const attemptNotFound = () =>
  new AppError('not_found', 'No such attempt, or not one the caller may see (its student and course staff).');

export function isCourseStaff(actor: Actor, facts: Pick<CourseFacts, 'instructorId'>): boolean {
  return isAdmin(actor) || facts.instructorId === actor.id;
}

export function isLearner(facts: Pick<CourseFacts, 'enrollmentStatus' | 'expired'>): boolean {
  return (facts.enrollmentStatus === 'active' || facts.enrollmentStatus === 'completed') && !facts.expired;
}

function notEnrolled(facts: CourseFacts): AppError {
  return new AppError('not_enrolled', 'Enroll in this course to see and take its quizzes.', {
    courseId: facts.courseId,
    enrollmentStatus: facts.expired ? 'expired' : facts.enrollmentStatus,
  });
}

/** Authoring: instructors and admins only (403 for students); then the course's staff only. */
export function authorizeQuizWrite(actor: Actor, facts: QuizFacts): void {
  requireRole(actor, 'instructor', 'admin');
  if (isCourseStaff(actor, facts)) return;
  if (facts.courseStatus === 'published' && facts.quiz.isPublished) {
    throw new AppError('forbidden', 'Only the course’s instructor or an admin can change its quizzes.');
  }
  throw quizNotFound();
}

/** Creating a quiz in a course: as authorizeQuizWrite, with the course's visibility deciding 403/404. */
export function authorizeCourseQuizWrite(actor: Actor, facts: CourseFacts): void {
  requireRole(actor, 'instructor', 'admin');
  if (isCourseStaff(actor, facts)) return;
  if (facts.courseStatus === 'published') {
    throw new AppError('forbidden', 'Only the course’s instructor or an admin can add quizzes to it.');
  }
  throw courseNotFound();
}

/** Reading a quiz: staff, or a learner when both the quiz and its course are published. */
export function authorizeQuizRead(actor: Actor, facts: QuizFacts): 'staff' | 'learner' {
  if (isCourseStaff(actor, facts)) return 'staff';
  if (facts.courseStatus !== 'published' || !facts.quiz.isPublished) throw quizNotFound();
  if (!isLearner(facts)) throw notEnrolled(facts);
  return 'learner';
}

/** Listing a course's quizzes: staff see all, learners the published ones. */
export function authorizeQuizList(actor: Actor, facts: CourseFacts): 'staff' | 'learner' {
  if (isCourseStaff(actor, facts)) return 'staff';
  if (facts.courseStatus !== 'published') throw courseNotFound();
  if (!isLearner(facts)) throw notEnrolled(facts);
  return 'learner';
}

/** Starting an attempt: a learner of the quiz (staff preview the quiz through its authoring view). */
export function authorizeAttemptStart(actor: Actor, facts: QuizFacts): void {
  if (authorizeQuizRead(actor, facts) === 'staff') {
    throw new AppError('forbidden', 'Course staff do not take the course’s quizzes; enrolled students do.');
  }
}
