import { COURSES, courseOf, type RouteAuthorization } from '../security/authorization-rows.js';

/**
 * The learner's side: only an active or completed enrollment opens a course (`student` in
 * `enrolledCourse`); a course the caller can see but is not enrolled in is 403 `not_enrolled`, one they
 * cannot see (another instructor's draft) 404. Authors are not learners: 403 on their own courses.
 */
const learner: RouteAuthorization['expected'] = {
  anonymous: 401,
  student: { draftCourse: 404, publishedCourse: 403, enrolledCourse: 200 },
  otherStudent: { draftCourse: 404, publishedCourse: 403, enrolledCourse: 403 },
  instructor: 403,
  otherInstructor: { draftCourse: 404, publishedCourse: 403, enrolledCourse: 403 },
  admin: 403,
};
const LEARNER_COURSES = [...COURSES, 'enrolledCourse'] as const;

export const PROGRESS_AUTHORIZATION_ROWS: Record<string, RouteAuthorization> = {
  'GET /api/v1/me/courses/{id}': {
    resources: LEARNER_COURSES,
    request: ({ world, resource }) => ({ params: { id: courseOf(world, resource).id } }),
    expected: learner,
  },
  'PUT /api/v1/me/lessons/{lessonId}/progress': {
    resources: LEARNER_COURSES,
    request: ({ world, resource }) => ({
      params: { lessonId: courseOf(world, resource).lessonId },
      body: { status: 'in_progress', positionSeconds: 30, timeSpentSeconds: 30 },
    }),
    expected: learner,
  },
};
