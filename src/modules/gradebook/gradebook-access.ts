/**
 * Who sees which grades, with the answers the rest of the API gives: the gradebook is for the
 * course's instructor and admins (students 403 whatever the course; a course the caller cannot see,
 * unknown or another instructor's draft or archived course, 404; another instructor's published
 * course 403, as the roster answers). A student's own grades need an enrollment that grants access
 * (active or completed, not expired), as the learner routes do: a course they cannot see is 404,
 * one they can see but do not learn in is 403 `not_enrolled`.
 */
import { type Actor, isAdmin } from '../../shared/actor.js';
import { AppError } from '../../shared/errors.js';
import type { GradebookCourseRow, GradebookStaffFacts } from './gradebook.queries.js';

const noSuchCourse = () => new AppError('not_found', 'No such course.');

export function authorizeGradebook<C extends GradebookStaffFacts>(actor: Actor, course: C | undefined): C {
  if (actor.role !== 'instructor' && actor.role !== 'admin') {
    throw new AppError('forbidden', 'The gradebook needs the instructor or admin role.');
  }
  if (!course) throw noSuchCourse();
  if (isAdmin(actor) || course.instructor_id === actor.id) return course;
  if (course.status === 'published') {
    throw new AppError('forbidden', 'Only the course’s instructor or an admin can see its gradebook.');
  }
  throw noSuchCourse();
}

export function authorizeOwnGrades(actor: Actor, course: GradebookCourseRow | undefined): GradebookCourseRow {
  if (!course) throw noSuchCourse();
  const entitled =
    (course.enrollment_status === 'active' || course.enrollment_status === 'completed') &&
    course.expired !== true;
  if (entitled) return course;
  const author = isAdmin(actor) || course.instructor_id === actor.id;
  if (course.status !== 'published' && !author) throw noSuchCourse();
  const extras = { courseId: course.id, enrollmentStatus: course.enrollment_status };
  if (course.enrollment_status === 'expired' || (course.enrollment_status !== null && course.expired)) {
    throw new AppError('not_enrolled', 'Your access to this course has expired.', {
      ...extras,
      enrollmentStatus: 'expired',
    });
  }
  throw new AppError('not_enrolled', 'Enroll in this course to see your grades in it.', extras);
}
