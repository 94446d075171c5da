import { authoring, courseParams, type RouteAuthorization } from '../security/authorization-rows.js';

const COURSES = ['draftCourse', 'publishedCourse', 'enrolledCourse'] as const;

/**
 * The gradebook is the course's staff's (students 403; another instructor 404 on a draft, 403 on a
 * published course); a student's own grades need an entitled enrollment (else 403 `not_enrolled`,
 * 404 for a draft they cannot see; the course's authors are not enrolled, so 403 too).
 */
export const GRADEBOOK_AUTHORIZATION_ROWS: Record<string, RouteAuthorization> = {
  'GET /api/v1/courses/{id}/gradebook': {
    resources: COURSES,
    request: (context) => ({ params: courseParams(context) }),
    expected: {
      ...authoring(200),
      otherInstructor: { draftCourse: 404, publishedCourse: 403, enrolledCourse: 403 },
    },
  },
  'GET /api/v1/me/courses/{id}/grades': {
    resources: COURSES,
    request: (context) => ({ params: courseParams(context) }),
    expected: {
      anonymous: 401,
      student: { draftCourse: 404, publishedCourse: 403, enrolledCourse: 200 },
      otherStudent: { draftCourse: 404, publishedCourse: 403, enrolledCourse: 403 },
      instructor: 403,
      otherInstructor: { draftCourse: 404, publishedCourse: 403, enrolledCourse: 403 },
      admin: 403,
    },
  },
};
