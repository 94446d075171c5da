import {
  authoring,
  COURSES,
  courseParams,
  type RouteAuthorization,
  signedIn,
} from '../security/authorization-rows.js';

/**
 * Enrolment: anyone signed in may enrol themself in a published free course (drafts do not exist);
 * an enrollment exists for its learner, the course's instructor and admins only.
 */
const ownEnrollment = {
  anonymous: 401,
  student: 200,
  otherStudent: 404,
  instructor: 200,
  otherInstructor: 404,
  admin: 200,
} as const;

export const ENROLLMENTS_AUTHORIZATION_ROWS: Record<string, RouteAuthorization> = {
  'POST /api/v1/courses/{id}/enrollments': {
    resources: ['draftCourse', 'publishedCourse', 'enrolledCourse', 'forOtherStudent'],
    request: (context) =>
      context.resource === 'forOtherStudent'
        ? {
            params: { id: context.world.courses.publishedCourse.id },
            body: { userId: context.world.users.otherStudent.id },
          }
        : { params: courseParams(context), body: {} },
    expected: {
      anonymous: 401,
      student: { draftCourse: 404, publishedCourse: 201, enrolledCourse: 200, forOtherStudent: 403 },
      otherStudent: { draftCourse: 404, publishedCourse: 201, enrolledCourse: 201, forOtherStudent: 201 },
      instructor: { draftCourse: 404, publishedCourse: 201, enrolledCourse: 201, forOtherStudent: 201 },
      otherInstructor: { draftCourse: 404, publishedCourse: 201, enrolledCourse: 201, forOtherStudent: 403 },
      admin: { draftCourse: 404, publishedCourse: 201, enrolledCourse: 201, forOtherStudent: 201 },
    },
  },
  'GET /api/v1/me/enrollments': { expected: signedIn(200) },
  'GET /api/v1/enrollments/{id}': {
    resources: ['studentEnrollment'],
    request: ({ world }) => ({ params: { id: world.enrollmentId } }),
    expected: ownEnrollment,
  },
  'POST /api/v1/enrollments/{id}/drop': {
    resources: ['studentEnrollment'],
    request: ({ world }) => ({ params: { id: world.enrollmentId } }),
    expected: ownEnrollment,
  },
  'GET /api/v1/courses/{id}/prerequisites': {
    resources: COURSES,
    request: (context) => ({ params: courseParams(context) }),
    expected: authoring(200),
  },
  'PUT /api/v1/courses/{id}/prerequisites': {
    resources: COURSES,
    request: (context) => ({ params: courseParams(context), body: { prerequisiteCourseIds: [] } }),
    expected: authoring(200),
  },
};
