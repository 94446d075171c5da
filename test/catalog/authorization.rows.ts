import {
  courseParams,
  everyone,
  lessonParams,
  type RouteAuthorization,
} from '../security/authorization-rows.js';

/** Public catalog: drafts exist only for their instructor and admins; lesson bodies need the instructor, an admin or an enrollment, except preview lessons. */
export const CATALOG_AUTHORIZATION_ROWS: Record<string, RouteAuthorization> = {
  // instructor, an admin or an enrollment, except preview lessons.
  'GET /api/v1/courses': { expected: everyone(200) },
  'GET /api/v1/courses/{id}': {
    resources: ['draftCourse', 'publishedCourse', 'enrolledCourse'],
    request: (context) => ({ params: courseParams(context) }),
    expected: {
      ...everyone({ draftCourse: 404, publishedCourse: 200, enrolledCourse: 200 }),
      instructor: 200,
      admin: 200,
    },
  },
  'GET /api/v1/courses/{id}/lessons/{lessonId}': {
    resources: ['draftCourse', 'publishedCourse', 'enrolledCourse', 'previewLesson'],
    request: (context) => ({ params: lessonParams(context) }),
    expected: {
      anonymous: { draftCourse: 404, publishedCourse: 401, enrolledCourse: 401, previewLesson: 200 },
      student: { draftCourse: 404, publishedCourse: 403, enrolledCourse: 200, previewLesson: 200 },
      otherStudent: { draftCourse: 404, publishedCourse: 403, enrolledCourse: 403, previewLesson: 200 },
      instructor: 200,
      otherInstructor: { draftCourse: 404, publishedCourse: 403, enrolledCourse: 403, previewLesson: 200 },
      admin: 200,
    },
  },
};
