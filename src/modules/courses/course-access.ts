import type { Course } from '../../infrastructure/database/schema/index.js';
import { type Actor, isAdmin, requireRole } from '../../shared/actor.js';
import { AppError } from '../../shared/errors.js';

/**
 * Who may author a course: its instructor and admins. Everyone else is told as little as possible:
 * a course they cannot see in the catalog (draft, archived) does not exist for them (404, so drafts
 * do not leak); a published course they can see exists but is not theirs to change (403).
 */

export function courseNotFound(): AppError {
  return new AppError('not_found', 'No such course.');
}

/** Write endpoints need the instructor or admin role (students get 403 whatever the course). */
export function requireAuthorRole(actor: Actor): void {
  requireRole(actor, 'instructor', 'admin');
}

export function isCourseAuthor(actor: Actor, course: Pick<Course, 'instructorId'>): boolean {
  return isAdmin(actor) || course.instructorId === actor.id;
}

/** For writes: 404 unless the actor could see the course publicly, then 403 unless they author it. */
export function authorizeCourseWrite(actor: Actor, course: Pick<Course, 'instructorId' | 'status'>): void {
  if (isCourseAuthor(actor, course)) return;
  if (course.status === 'published') {
    throw new AppError('forbidden', 'Only the course’s instructor or an admin can change this course.');
  }
  throw courseNotFound();
}

/** The authoring view (drafts, lesson content of every lesson) exists only for the course's authors. */
export function authorizeAuthoringView(actor: Actor, course: Pick<Course, 'instructorId'>): void {
  if (!isCourseAuthor(actor, course)) throw courseNotFound();
}
