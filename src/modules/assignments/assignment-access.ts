/**
 * Who may do what with a course's assignments. Staff: the course's instructor and admins (author,
 * see every submission, grade). Learners: holders of an entitled enrollment (active or completed, not
 * past its expiry) read published assignments and their own submissions; submitting needs an active
 * one. Everyone else is told as little as the catalog tells them: what they cannot see (a draft
 * course, an unpublished assignment) does not exist (404); a published course they are not enrolled
 * in answers 403 `not_enrolled`; authoring by a student or by another instructor of a published
 * course is 403.
 */
import type { CourseStatus, EnrollmentStatus } from '../../infrastructure/database/schema/index.js';
import { type Actor, isAdmin, requireRole } from '../../shared/actor.js';
import { AppError } from '../../shared/errors.js';

export interface CourseAccessFacts {
  courseId: string;
  courseStatus: CourseStatus;
  instructorId: string;
  enrollmentStatus: EnrollmentStatus | null;
  /** The actor's enrollment is past its expires_at (even before the expiry sweep marks it). */
  enrollmentExpired: boolean;
}

export const assignmentNotFound = () => new AppError('not_found', 'No such assignment.');
export const courseNotFound = () => new AppError('not_found', 'No such course.');
export const submissionNotFound = () =>
  new AppError(
    'not_found',
    'No such submission, or not one the caller may see (its student, the course’s instructor and admins).',
  );

export const isStaff = (actor: Actor, facts: Pick<CourseAccessFacts, 'instructorId'>): boolean =>
  isAdmin(actor) || facts.instructorId === actor.id;

const entitled = (facts: CourseAccessFacts): boolean =>
  (facts.enrollmentStatus === 'active' || facts.enrollmentStatus === 'completed') && !facts.enrollmentExpired;

/** Creating, editing, publishing, rubrics: the course's staff only. */
export function authorizeAuthoring(actor: Actor, facts: CourseAccessFacts, notFound: () => AppError): void {
  requireRole(actor, 'instructor', 'admin');
  if (isStaff(actor, facts)) return;
  if (facts.courseStatus === 'published') {
    throw new AppError('forbidden', 'Only the course’s instructor or an admin can change its assignments.');
  }
  throw notFound();
}

/**
 * Reading a course's assignments (and one's own submissions): `staff` sees everything, a `learner`
 * only published assignments of a published course. `visible` is false for an unpublished assignment.
 */
export function authorizeReading(
  actor: Actor,
  facts: CourseAccessFacts,
  visible: boolean,
  notFound: () => AppError,
): 'staff' | 'learner' {
  if (isStaff(actor, facts)) return 'staff';
  if (facts.courseStatus !== 'published' || !visible) throw notFound();
  if (entitled(facts)) return 'learner';
  throw new AppError('not_enrolled', 'Enroll in this course to see and submit its assignments.', {
    courseId: facts.courseId,
    enrollmentStatus: facts.enrollmentExpired ? 'expired' : facts.enrollmentStatus,
  });
}

/** Submitting: a published assignment and an active enrollment (staff do not submit). */
export function authorizeSubmitting(actor: Actor, facts: CourseAccessFacts, published: boolean): void {
  if (authorizeReading(actor, facts, published, assignmentNotFound) === 'staff') {
    throw new AppError('forbidden', 'The course’s staff grade submissions; enrolled students submit them.');
  }
  if (facts.enrollmentStatus !== 'active' || facts.enrollmentExpired) {
    throw new AppError('not_enrolled', 'Only an active enrollment can submit work.', {
      courseId: facts.courseId,
      enrollmentStatus: facts.enrollmentExpired ? 'expired' : facts.enrollmentStatus,
    });
  }
}
