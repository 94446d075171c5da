import { authoring, type MatrixContext, type RouteAuthorization } from '../security/authorization-rows.js';

/**
 * Assignments: authoring by the course's instructor and admins (`authoring`: students 403, another
 * instructor 403 on a published course); reading by them and enrolled students (published only);
 * submissions for their student and the course's staff (404 for anyone else); grading by the staff.
 * Every assignment resource lives in `enrolledCourse` (published), where `student` is enrolled.
 */

const assignmentParams = ({ world, resource }: MatrixContext) => ({
  params: {
    id:
      resource === 'unpublishedAssignment' ? world.assignments.unpublishedId : world.assignments.publishedId,
  },
});
const submissionParams = ({ world }: MatrixContext) => ({ params: { id: world.assignments.submissionId } });

/** Reading what enrolled students may see once published. */
const readable = {
  anonymous: 401,
  student: { publishedAssignment: 200, unpublishedAssignment: 404 },
  otherStudent: { publishedAssignment: 403, unpublishedAssignment: 404 },
  instructor: 200,
  otherInstructor: { publishedAssignment: 403, unpublishedAssignment: 404 },
  admin: 200,
} as const;

/** A submission exists for its student and the course's staff only. */
const ownSubmission = {
  anonymous: 401,
  student: 200,
  otherStudent: 404,
  instructor: 200,
  otherInstructor: 404,
  admin: 200,
} as const;

/** Grading and its history: the course's staff; its student 403, another student 404. */
const grading = (ok: number) =>
  ({
    anonymous: 401,
    student: 403,
    otherStudent: 404,
    instructor: ok,
    otherInstructor: 403,
    admin: ok,
  }) as const;

/** Authoring an assignment of the (published) enrolled course: another instructor sees it, may not change it. */
const staffOnly = (ok: number) =>
  ({
    anonymous: 401,
    student: 403,
    otherStudent: 403,
    instructor: ok,
    otherInstructor: 403,
    admin: ok,
  }) as const;

const BOTH = ['publishedAssignment', 'unpublishedAssignment'] as const;

export const ASSIGNMENTS_AUTHORIZATION_ROWS: Record<string, RouteAuthorization> = {
  'POST /api/v1/courses/{id}/assignments': {
    resources: ['draftCourse', 'publishedCourse'],
    request: ({ world, resource }) => ({
      params: {
        id: resource === 'draftCourse' ? world.courses.draftCourse.id : world.courses.publishedCourse.id,
      },
      body: { title: 'Matrix assignment' },
    }),
    expected: authoring(201),
  },
  'GET /api/v1/courses/{id}/assignments': {
    resources: ['draftCourse', 'publishedCourse', 'enrolledCourse'],
    request: ({ world, resource }) => ({
      params: {
        id: world.courses[resource as 'draftCourse' | 'publishedCourse' | 'enrolledCourse'].id,
      },
    }),
    expected: {
      anonymous: 401,
      student: { draftCourse: 404, publishedCourse: 403, enrolledCourse: 200 },
      otherStudent: { draftCourse: 404, publishedCourse: 403, enrolledCourse: 403 },
      instructor: 200,
      otherInstructor: { draftCourse: 404, publishedCourse: 403, enrolledCourse: 403 },
      admin: 200,
    },
  },
  'GET /api/v1/assignments/{id}': { resources: BOTH, request: assignmentParams, expected: readable },
  'PATCH /api/v1/assignments/{id}': {
    resources: BOTH,
    request: (context) => ({ ...assignmentParams(context), body: { title: 'Renamed by the matrix' } }),
    expected: staffOnly(200),
  },
  // The unpublished one has no submissions (the published one's would make it 409).
  'DELETE /api/v1/assignments/{id}': {
    resources: ['unpublishedAssignment'],
    request: assignmentParams,
    expected: staffOnly(204),
  },
  'POST /api/v1/assignments/{id}/publish': {
    resources: BOTH,
    request: assignmentParams,
    expected: staffOnly(200),
  },
  'POST /api/v1/assignments/{id}/unpublish': {
    resources: BOTH,
    request: assignmentParams,
    expected: staffOnly(200),
  },
  'PUT /api/v1/assignments/{id}/rubric': {
    resources: ['publishedAssignment'],
    request: (context) => ({
      ...assignmentParams(context),
      body: { criteria: [{ title: 'Matrix', levels: [{ title: 'All', points: 5 }] }] },
    }),
    expected: staffOnly(200),
  },
  'GET /api/v1/assignments/{id}/rubric': {
    resources: ['publishedAssignment'],
    request: assignmentParams,
    expected: readable,
  },
  'DELETE /api/v1/assignments/{id}/rubric': {
    resources: ['publishedAssignment'],
    request: assignmentParams,
    expected: staffOnly(204),
  },
  'POST /api/v1/assignments/{id}/submissions': {
    resources: ['publishedAssignment'],
    request: (context) => ({ ...assignmentParams(context), body: { content: 'Matrix submission' } }),
    expected: {
      anonymous: 401,
      student: 201,
      otherStudent: 403,
      // Staff grade; they do not submit.
      instructor: 403,
      otherInstructor: 403,
      admin: 403,
    },
  },
  'GET /api/v1/assignments/{id}/submissions': {
    resources: ['publishedAssignment'],
    request: assignmentParams,
    expected: readable,
  },
  'GET /api/v1/assignment-submissions/{id}': {
    resources: ['studentSubmission'],
    request: submissionParams,
    expected: ownSubmission,
  },
  'GET /api/v1/assignment-submissions/{id}/files/{index}': {
    resources: ['studentSubmission'],
    request: ({ world }) => ({ params: { id: world.assignments.submissionId, index: '0' } }),
    expected: ownSubmission,
  },
  'POST /api/v1/assignment-submissions/{id}/grade': {
    resources: ['studentSubmission'],
    request: (context) => ({ ...submissionParams(context), body: { score: 7, status: 'graded' } }),
    expected: grading(200),
  },
  'POST /api/v1/assignments/{id}/grades/release': {
    resources: BOTH,
    request: assignmentParams,
    expected: staffOnly(200),
  },
  'GET /api/v1/assignment-submissions/{id}/grade-history': {
    resources: ['studentSubmission'],
    request: submissionParams,
    expected: grading(200),
  },
};
