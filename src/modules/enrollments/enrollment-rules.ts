/**
 * Who may enrol whom in what, and who may see an enrollment. They throw the AppError a client sees.
 * Drafts do not exist for enrolment (404 for everyone: no enrollment can point at one); archived
 * courses take no new enrollments; a paid course needs a payment when learners enrol themselves,
 * while its instructor or an admin may give someone a seat; prerequisites hold for everyone.
 */
import { type Actor, isAdmin } from '../../shared/actor.js';
import { AppError } from '../../shared/errors.js';
import type { Executor } from '../../shared/transaction.js';
import { validationFailed } from '../../shared/validation.js';
import { type EnrolmentCourse, findActiveUser, findMissingPrerequisites } from './enrollments.queries.js';

export const noSuchCourse = () => new AppError('not_found', 'No such published course.');
export const noSuchEnrollment = () => new AppError('not_found', 'No such enrollment.');

export function isCourseStaff(actor: Actor, course: { instructorId: string }): boolean {
  return isAdmin(actor) || course.instructorId === actor.id;
}

/** The course exists for enrolment (not a draft); enrolling someone else needs the course's staff. */
export async function checkWhoEnrols(
  db: Executor,
  actor: Actor,
  course: EnrolmentCourse | undefined,
  userId: string,
): Promise<EnrolmentCourse> {
  if (!course || course.status === 'draft') throw noSuchCourse();
  if (userId !== actor.id) {
    if (!isCourseStaff(actor, course)) {
      throw new AppError('forbidden', 'Only the course’s instructor or an admin can enrol another user.');
    }
    if (!(await findActiveUser(db, userId))) {
      throw validationFailed([{ field: '/body/userId', message: 'is not an active user' }]);
    }
  }
  return course;
}

/** For a new or reactivated enrollment: open course, paid or not, prerequisites completed. */
export async function checkCourseAdmits(
  db: Executor,
  course: EnrolmentCourse,
  userId: string,
  options: { paidFor: boolean; grantedByStaff: boolean },
): Promise<void> {
  if (course.status === 'archived') {
    throw new AppError('course_archived', 'This course is archived and takes no new enrollments.');
  }
  if (course.priceCents > 0 && !options.paidFor && !options.grantedByStaff) {
    throw new AppError('payment_required', 'This course is paid: buy it to enrol.', {
      priceCents: course.priceCents,
    });
  }
  const missing = await findMissingPrerequisites(db, userId, course.id);
  if (missing.length > 0) {
    throw new AppError(
      'prerequisites_not_met',
      `Complete ${missing.map((course) => `“${course.title}”`).join(', ')} before enrolling in this course.`,
      { prerequisites: missing },
    );
  }
}

/** An enrollment exists for its learner, the course's instructor and admins; for anyone else, not. */
export function authorizeEnrollmentRead(
  actor: Actor,
  enrollment: { userId: string; courseInstructorId: string },
): void {
  if (enrollment.userId === actor.id) return;
  if (isCourseStaff(actor, { instructorId: enrollment.courseInstructorId })) return;
  throw noSuchEnrollment();
}

/**
 * Staff routes of a course (its roster, bulk enrolment), with the authoring routes' answers: students
 * 403 whatever the course; a course the caller cannot see (unknown, a draft or archived course of
 * someone else's; with `draftsExist: false`, any draft) 404; another instructor's published course 403.
 */
export function authorizeCourseStaff<C extends { instructorId: string; status: EnrolmentCourse['status'] }>(
  actor: Actor,
  course: C | undefined,
  options: { draftsExist: boolean; action: string },
): C {
  if (actor.role !== 'instructor' && actor.role !== 'admin') {
    throw new AppError('forbidden', 'This action needs the instructor or admin role.');
  }
  if (!course || (course.status === 'draft' && !options.draftsExist)) {
    throw new AppError('not_found', 'No such course.');
  }
  if (isCourseStaff(actor, course)) return course;
  if (course.status === 'published') {
    throw new AppError('forbidden', `Only the course’s instructor or an admin can ${options.action}.`);
  }
  throw new AppError('not_found', 'No such course.');
}
