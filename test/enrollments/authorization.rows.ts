import {
  authoring,
  COURSES,
  courseParams,
  type Expected,
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

/** Staff routes of a course: the authoring answers (students 403; another instructor's draft 404). */
const courseStaff = (owner: Expected) =>
  ({
    anonymous: 401,
    student: 403,
    otherStudent: 403,
    instructor: { draftCourse: owner, publishedCourse: owner, enrolledCourse: owner },
    otherInstructor: { draftCourse: 404, publishedCourse: 403, enrolledCourse: 403 },
    admin: { draftCourse: owner, publishedCourse: owner, enrolledCourse: owner },
  }) as const;

export const ENROLLMENTS_AUTHORIZATION_ROWS: Record<string, RouteAuthorization> = {
  'GET /api/v1/courses/{id}/enrollments': {
    resources: ['draftCourse', 'publishedCourse', 'enrolledCourse'],
    request: (context) => ({ params: courseParams(context) }),
    expected: courseStaff(200),
  },
  'POST /api/v1/courses/{id}/enrollments/bulk': {
    resources: ['draftCourse', 'publishedCourse'],
    request: (context) => ({
      params: courseParams(context),
      body: { emails: [context.world.users.otherStudent.email, 'nobody@example.test'] },
    }),
    expected: {
      ...courseStaff(202),
      // Drafts do not exist for enrolment, not even for their authors.
      instructor: { draftCourse: 404, publishedCourse: 202 },
      admin: { draftCourse: 404, publishedCourse: 202 },
    },
  },
  'GET /api/v1/bulk-operations/{id}': {
    resources: ['bulkOperation'],
    request: ({ world }) => ({ params: { id: world.bulkOperationId } }),
    expected: {
      anonymous: 401,
      student: 404,
      otherStudent: 404,
      instructor: 200,
      otherInstructor: 404,
      admin: 200,
    },
  },
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
