import type { App } from '../../src/app.js';
import type { Database } from '../../src/infrastructure/database/client/client.js';
import type { Caller, CastCourse, SecurityCast } from './security-cast.js';

/**
 * The vocabulary of the authorization rows: who may call what, as the expected answer for a route,
 * every caller and, where the route acts on something somebody owns, every kind of resource.
 * Requests are valid (bodies, If-Match), so authorization alone decides. Each module declares its
 * rows in `authorization.rows.ts` next to its tests; authorization-table.ts collects them.
 *
 * Callers: `instructor` owns every course of the world (a draft, a published one, and a published one
 * `student` is enrolled in); `otherInstructor` owns none; `otherStudent` is enrolled nowhere.
 */

/** An exact status, or a status class. */
export type Expected = number | '2xx' | '4xx';

export type ResourceName =
  /** The route acts on nothing but the caller (or nothing at all). */
  | 'none'
  | 'draftCourse'
  | 'publishedCourse'
  | 'enrolledCourse'
  /** The preview lesson of the published course. */
  | 'previewLesson'
  /** The account of `student`; for `student` their own, for everyone else someone else's. */
  | 'studentAccount'
  /** The account of `admin`: for `admin` their own. */
  | 'adminAccount'
  /** POST /courses without `instructorId` (for the caller) or with `instructor`'s id. */
  | 'forCaller'
  | 'forInstructor'
  /** A notification of `student`'s. */
  | 'studentNotification'
  /** `student`'s enrollment in `enrolledCourse`. */
  | 'studentEnrollment'
  /** POST enrollments of the published course with `otherStudent`'s id as `userId`. */
  | 'forOtherStudent'
  /** A bulk enrolment `instructor` requested in the published course. */
  | 'bulkOperation'
  /** `student`'s certificate (of their enrollment in `enrolledCourse`). */
  | 'studentCertificate'
  /** The published assignment of `enrolledCourse` (with a rubric and `student`'s submission). */
  | 'publishedAssignment'
  /** An unpublished assignment of `enrolledCourse`, without submissions. */
  | 'unpublishedAssignment'
  /** `student`'s submission (text and one stored file) to the published assignment. */
  | 'studentSubmission'
  /** The published quiz of `enrolledCourse` (and its question). */
  | 'enrolledQuiz'
  /** `student`'s open attempt at that quiz. */
  | 'studentQuizAttempt';

export interface MatrixContext {
  app: App;
  /** The app's database, for rows a request needs that no endpoint creates (a reset token). */
  db: Database;
  world: SecurityCast;
  caller: Caller;
  resource: ResourceName;
}

export interface MatrixRequest {
  /** Path parameters by OpenAPI name (`{id}`, `{moduleId}`, ...). */
  params?: Record<string, string>;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface RouteAuthorization {
  /** One check per caller and resource; default `['none']`. */
  resources?: readonly ResourceName[];
  /** A valid request for the resource (fresh world for every check of a route that writes). */
  request?: (context: MatrixContext) => MatrixRequest | Promise<MatrixRequest>;
  /** Per caller: one outcome for every resource, or one per resource. */
  expected: Record<Caller, Expected | Partial<Record<ResourceName, Expected>>>;
}

export const COURSES = ['draftCourse', 'publishedCourse'] as const;
export const NEW_PASSWORD = 'an entirely new passphrase for the matrix';

export function courseOf(world: SecurityCast, resource: ResourceName): CastCourse {
  if (resource === 'draftCourse' || resource === 'enrolledCourse') return world.courses[resource];
  return world.courses.publishedCourse;
}

export const courseParams = ({ world, resource }: MatrixContext) => ({ id: courseOf(world, resource).id });
export const moduleParams = ({ world, resource }: MatrixContext) => {
  const course = courseOf(world, resource);
  return { id: course.id, moduleId: course.moduleId };
};
export const lessonParams = ({ world, resource }: MatrixContext) => {
  const course = courseOf(world, resource);
  return { id: course.id, lessonId: resource === 'previewLesson' ? course.previewLessonId : course.lessonId };
};
export const accountParams = ({ world, resource }: MatrixContext) => ({
  id: resource === 'adminAccount' ? world.users.admin.id : world.users.student.id,
});

export const everyone = (
  expected: Expected | Partial<Record<ResourceName, Expected>>,
): RouteAuthorization['expected'] => ({
  anonymous: expected,
  student: expected,
  otherStudent: expected,
  instructor: expected,
  otherInstructor: expected,
  admin: expected,
});
export const signedIn = (expected: Expected): RouteAuthorization['expected'] => ({
  ...everyone(expected),
  anonymous: 401,
});
export const adminOnly = (
  admin: RouteAuthorization['expected']['admin'],
): RouteAuthorization['expected'] => ({
  ...everyone(403),
  anonymous: 401,
  admin,
});

/**
 * Course authoring: students are refused whatever the course (403, so it does not reveal drafts);
 * another instructor cannot see drafts (404) and may not change published courses (403).
 */
export const authoring = (
  owner: Expected | Partial<Record<ResourceName, Expected>>,
): RouteAuthorization['expected'] => ({
  anonymous: 401,
  student: 403,
  otherStudent: 403,
  instructor: owner,
  otherInstructor: { draftCourse: 404, publishedCourse: 403 },
  admin: owner,
});

export const stateChange = (): Pick<RouteAuthorization, 'resources' | 'request'> => ({
  resources: COURSES,
  request: (context) => ({ params: courseParams(context) }),
});

/** The expectation for one check, or undefined when the table has none. */
export function expectedOutcome(
  entry: RouteAuthorization,
  caller: Caller,
  resource: ResourceName,
): Expected | undefined {
  const expected = entry.expected[caller];
  if (typeof expected === 'number' || typeof expected === 'string') return expected;
  return expected[resource];
}

export function matches(expected: Expected, status: number): boolean {
  if (expected === '2xx') return status >= 200 && status < 300;
  if (expected === '4xx') return status >= 400 && status < 500;
  return status === expected;
}
