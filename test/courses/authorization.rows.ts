import {
  authoring,
  COURSES,
  courseOf,
  courseParams,
  everyone,
  lessonParams,
  moduleParams,
  type RouteAuthorization,
  stateChange,
} from '../security/authorization-rows.js';

/** Course authoring. */
export const COURSES_AUTHORIZATION_ROWS: Record<string, RouteAuthorization> = {
  'POST /api/v1/courses': {
    resources: ['forCaller', 'forInstructor'],
    request: ({ world, resource }) => ({
      body: {
        title: 'A course from the matrix',
        description: 'Created to check who may create courses.',
        ...(resource === 'forInstructor' ? { instructorId: world.users.instructor.id } : {}),
      },
    }),
    expected: {
      anonymous: 401,
      student: 403,
      otherStudent: 403,
      instructor: 201,
      otherInstructor: { forCaller: 201, forInstructor: 403 },
      admin: 201,
    },
  },
  'GET /api/v1/instructor/courses': {
    resources: ['forCaller', 'forInstructor'],
    request: ({ world, resource }) => ({
      query:
        resource === 'forInstructor'
          ? { instructorId: world.users.instructor.id }
          : ({} as Record<string, string>),
    }),
    expected: {
      anonymous: 401,
      student: 403,
      otherStudent: 403,
      instructor: 200,
      otherInstructor: { forCaller: 200, forInstructor: 403 },
      admin: 200,
    },
  },
  'GET /api/v1/courses/{id}/authoring': {
    resources: COURSES,
    request: (context) => ({ params: courseParams(context) }),
    // Everyone but the authors: 404 whatever the status (the authoring view does not exist for them).
    expected: { ...everyone(404), anonymous: 401, instructor: 200, admin: 200 },
  },
  'PATCH /api/v1/courses/{id}': {
    resources: COURSES,
    request: (context) => ({
      params: courseParams(context),
      headers: { 'if-match': `"${courseOf(context.world, context.resource).version}"` },
      body: { title: 'Renamed by the matrix' },
    }),
    expected: authoring(200),
  },
  'DELETE /api/v1/courses/{id}': {
    ...stateChange(),
    // Published courses are archived, not deleted.
    expected: authoring({ draftCourse: 204, publishedCourse: 409 }),
  },
  'POST /api/v1/courses/{id}/publish': {
    ...stateChange(),
    expected: authoring({ draftCourse: 200, publishedCourse: 409 }),
  },
  'POST /api/v1/courses/{id}/archive': {
    ...stateChange(),
    expected: authoring({ draftCourse: 409, publishedCourse: 200 }),
  },
  'POST /api/v1/courses/{id}/unpublish': {
    ...stateChange(),
    expected: authoring({ draftCourse: 409, publishedCourse: 200 }),
  },
  'POST /api/v1/courses/{id}/modules': {
    resources: COURSES,
    request: (context) => ({ params: courseParams(context), body: { title: 'A module from the matrix' } }),
    expected: authoring(201),
  },
  'PUT /api/v1/courses/{id}/modules/order': {
    resources: COURSES,
    request: (context) => ({
      params: courseParams(context),
      body: { moduleIds: [courseOf(context.world, context.resource).moduleId] },
    }),
    expected: authoring(200),
  },
  'PATCH /api/v1/courses/{id}/modules/{moduleId}': {
    resources: COURSES,
    request: (context) => ({ params: moduleParams(context), body: { title: 'Renamed module' } }),
    expected: authoring(200),
  },
  'DELETE /api/v1/courses/{id}/modules/{moduleId}': {
    resources: COURSES,
    request: (context) => ({ params: moduleParams(context) }),
    // The published course's only module: deleting it would leave students no lesson.
    expected: authoring({ draftCourse: 204, publishedCourse: 409 }),
  },
  'POST /api/v1/courses/{id}/modules/{moduleId}/lessons': {
    resources: COURSES,
    request: (context) => ({
      params: moduleParams(context),
      body: { title: 'A lesson from the matrix', type: 'text', content: { body: 'Read this.' } },
    }),
    expected: authoring(201),
  },
  'PUT /api/v1/courses/{id}/modules/{moduleId}/lessons/order': {
    resources: COURSES,
    request: (context) => {
      const course = courseOf(context.world, context.resource);
      return {
        params: moduleParams(context),
        body: { lessonIds: [course.previewLessonId, course.lessonId] },
      };
    },
    expected: authoring(200),
  },
  'PATCH /api/v1/courses/{id}/lessons/{lessonId}': {
    resources: COURSES,
    request: (context) => ({ params: lessonParams(context), body: { title: 'Renamed lesson' } }),
    expected: authoring(200),
  },
  'DELETE /api/v1/courses/{id}/lessons/{lessonId}': {
    resources: COURSES,
    request: (context) => ({ params: lessonParams(context) }),
    expected: authoring(204),
  },
};
