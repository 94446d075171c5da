import { describe, expect, it } from 'vitest';
import {
  authorizeAuthoringView,
  authorizeCourseWrite,
  courseNotFound,
  isCourseAuthor,
  requireAuthorRole,
} from '../../src/modules/courses/course-access.js';
import { type Actor, isAdmin, requireRole } from '../../src/shared/actor.js';
import { AppError } from '../../src/shared/errors.js';

/**
 * The authorization rules of course authoring as plain functions: who authors a course, and what
 * everyone else is told (404 for what they cannot see, 403 for a published course that is not theirs).
 * The HTTP tests (courses, lifecycle, modules, lessons) check the same rules through the routes.
 */

const owner: Actor = { id: '00000000-0000-4000-8000-000000000001', role: 'instructor' };
const otherInstructor: Actor = { id: '00000000-0000-4000-8000-000000000002', role: 'instructor' };
const admin: Actor = { id: '00000000-0000-4000-8000-000000000003', role: 'admin' };
const student: Actor = { id: '00000000-0000-4000-8000-000000000004', role: 'student' };

function thrown(work: () => void): { code: string; detail: string | undefined } | undefined {
  try {
    work();
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return { code: (error as AppError).code, detail: (error as AppError).detail };
  }
}

describe('roles', () => {
  it('requireRole refuses other roles with a 403 naming the roles needed', () => {
    expect(thrown(() => requireRole(admin, 'admin'))).toBeUndefined();
    expect(thrown(() => requireRole(student, 'instructor', 'admin'))).toEqual({
      code: 'forbidden',
      detail: 'This action needs the instructor or admin role.',
    });
    expect(thrown(() => requireAuthorRole(student))?.code).toBe('forbidden');
    expect(thrown(() => requireAuthorRole(owner))).toBeUndefined();
  });

  it('isAdmin is true for admins only, and false for no actor at all', () => {
    expect(isAdmin(admin)).toBe(true);
    expect(isAdmin(owner)).toBe(false);
    expect(isAdmin(null)).toBe(false);
    expect(isAdmin(undefined)).toBe(false);
  });
});

describe('course authorship', () => {
  const course = (status: 'draft' | 'published' | 'archived') => ({ instructorId: owner.id, status });

  it('the instructor and admins author a course, nobody else', () => {
    expect(isCourseAuthor(owner, course('draft'))).toBe(true);
    expect(isCourseAuthor(admin, course('draft'))).toBe(true);
    expect(isCourseAuthor(otherInstructor, course('published'))).toBe(false);
    expect(isCourseAuthor(student, course('published'))).toBe(false);
  });

  it('writes: authors pass; others get 403 on a published course and 404 on a draft or archived one', () => {
    for (const status of ['draft', 'published', 'archived'] as const) {
      expect(thrown(() => authorizeCourseWrite(owner, course(status)))).toBeUndefined();
      expect(thrown(() => authorizeCourseWrite(admin, course(status)))).toBeUndefined();
    }
    expect(thrown(() => authorizeCourseWrite(otherInstructor, course('published')))).toEqual({
      code: 'forbidden',
      detail: 'Only the course’s instructor or an admin can change this course.',
    });
    const notFound = { code: 'not_found', detail: 'No such course.' };
    expect(thrown(() => authorizeCourseWrite(otherInstructor, course('draft')))).toEqual(notFound);
    expect(thrown(() => authorizeCourseWrite(otherInstructor, course('archived')))).toEqual(notFound);
    expect({ code: courseNotFound().code, detail: courseNotFound().detail }).toEqual(notFound);
  });

  it('the authoring view exists only for authors: 404 for everyone else, published or not', () => {
    expect(thrown(() => authorizeAuthoringView(owner, course('draft')))).toBeUndefined();
    expect(thrown(() => authorizeAuthoringView(admin, course('published')))).toBeUndefined();
    expect(thrown(() => authorizeAuthoringView(otherInstructor, course('published')))?.code).toBe(
      'not_found',
    );
  });
});
