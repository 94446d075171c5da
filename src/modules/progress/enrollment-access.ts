/**
 * Who may learn in a course: the holder of an enrollment that is active or completed and not past
 * its expiry (even before the expiry sweep marks it expired). Dropped and expired enrollments give
 * no access to lessons or progress. Everyone else is told as little as the catalog tells them: a
 * course they cannot see (a draft, an archived course without their enrollment) does not exist
 * (404); a course they can see answers 403 `not_enrolled`, saying what to do.
 */
import type { CourseStatus, EnrollmentStatus } from '../../infrastructure/database/schema/index.js';
import { type Actor, isAdmin } from '../../shared/actor.js';
import { AppError } from '../../shared/errors.js';

export function grantsAccess(status: EnrollmentStatus | null, expired: boolean): boolean {
  return (status === 'active' || status === 'completed') && !expired;
}

export interface RefusalFacts {
  courseId: string;
  courseStatus: CourseStatus;
  instructorId: string;
  enrollmentStatus: EnrollmentStatus | null;
  expired: boolean;
}

/** Why `actor` may not learn here, as the error to send (they hold no entitled enrollment). */
export function refusal(actor: Actor, facts: RefusalFacts, notFound: () => AppError): AppError {
  const author = isAdmin(actor) || facts.instructorId === actor.id;
  if (facts.courseStatus !== 'published' && !author) return notFound();
  const extras = { courseId: facts.courseId, enrollmentStatus: facts.enrollmentStatus };
  if (facts.enrollmentStatus === 'expired' || (facts.enrollmentStatus !== null && facts.expired)) {
    return new AppError('not_enrolled', 'Your access to this course has expired.', {
      ...extras,
      enrollmentStatus: 'expired',
    });
  }
  if (facts.enrollmentStatus === 'dropped') {
    return new AppError('not_enrolled', 'You dropped this course: enroll again to continue.', extras);
  }
  return new AppError('not_enrolled', 'Enroll in this course to learn in it and record progress.', extras);
}

export const courseNotFound = () => new AppError('not_found', 'No such course.');
export const lessonNotFound = () => new AppError('not_found', 'No such lesson.');
