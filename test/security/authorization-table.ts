import { randomBytes } from 'node:crypto';
import type { App } from '../../src/app.js';
import type { Database } from '../../src/infrastructure/database/client/client.js';
import { passwordResetTokens } from '../../src/infrastructure/database/schema/index.js';
import { generateOpaqueToken, hashOpaqueToken } from '../../src/infrastructure/security/opaque-tokens.js';
import { loginAs } from '../helpers/factories.js';
import type { Caller, World, WorldCourse } from './security-world.js';

/**
 * Who may call what: the expected answer for every route of /openapi.json, every caller and, where
 * the route acts on something somebody owns, every kind of resource. Requests are valid (bodies,
 * If-Match), so authorization alone decides. A route missing here fails the matrix test: declare new
 * routes when you add them.
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
  | 'forInstructor';

export interface MatrixContext {
  app: App;
  /** The app's database, for rows a request needs that no endpoint creates (a reset token). */
  db: Database;
  world: World;
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

const COURSES = ['draftCourse', 'publishedCourse'] as const;
const NEW_PASSWORD = 'an entirely new passphrase for the matrix';

function courseOf(world: World, resource: ResourceName): WorldCourse {
  if (resource === 'draftCourse' || resource === 'enrolledCourse') return world.courses[resource];
  return world.courses.publishedCourse;
}

const courseParams = ({ world, resource }: MatrixContext) => ({ id: courseOf(world, resource).id });
const moduleParams = ({ world, resource }: MatrixContext) => {
  const course = courseOf(world, resource);
  return { id: course.id, moduleId: course.moduleId };
};
const lessonParams = ({ world, resource }: MatrixContext) => {
  const course = courseOf(world, resource);
  return { id: course.id, lessonId: resource === 'previewLesson' ? course.previewLessonId : course.lessonId };
};
const accountParams = ({ world, resource }: MatrixContext) => ({
  id: resource === 'adminAccount' ? world.users.admin.id : world.users.student.id,
});

const everyone = (
  expected: Expected | Partial<Record<ResourceName, Expected>>,
): RouteAuthorization['expected'] => ({
  anonymous: expected,
  student: expected,
  otherStudent: expected,
  instructor: expected,
  otherInstructor: expected,
  admin: expected,
});
const signedIn = (expected: Expected): RouteAuthorization['expected'] => ({
  ...everyone(expected),
  anonymous: 401,
});
const adminOnly = (admin: RouteAuthorization['expected']['admin']): RouteAuthorization['expected'] => ({
  ...everyone(403),
  anonymous: 401,
  admin,
});

/**
 * Course authoring: students are refused whatever the course (403, so it does not reveal drafts);
 * another instructor cannot see drafts (404) and may not change published courses (403).
 */
const authoring = (
  owner: Expected | Partial<Record<ResourceName, Expected>>,
): RouteAuthorization['expected'] => ({
  anonymous: 401,
  student: 403,
  otherStudent: 403,
  instructor: owner,
  otherInstructor: { draftCourse: 404, publishedCourse: 403 },
  admin: owner,
});

const stateChange = (): Pick<RouteAuthorization, 'resources' | 'request'> => ({
  resources: COURSES,
  request: (context) => ({ params: courseParams(context) }),
});

export const AUTHORIZATION_TABLE: Record<string, RouteAuthorization> = {
  // ---------------------------------------------------------------------------------------------
  // Operations
  'GET /metrics': { expected: everyone(200) },
  'GET /health/live': { expected: everyone(200) },
  'GET /health/ready': { expected: everyone(200) },

  // ---------------------------------------------------------------------------------------------
  // Auth: a bearer token changes nothing on the routes that do not need one.
  'POST /api/v1/auth/register': {
    request: () => ({
      body: {
        email: `matrix-${randomBytes(6).toString('hex')}@example.test`,
        password: 'a perfectly fine passphrase',
        name: 'Matrix Registrant',
      },
    }),
    expected: everyone(201),
  },
  'POST /api/v1/auth/login': {
    request: ({ world }) => ({
      body: { email: world.users.student.email, password: world.users.student.password },
    }),
    expected: everyone(200),
  },
  'POST /api/v1/auth/refresh': {
    request: async ({ app, world }) => ({
      body: { refreshToken: (await loginAs(app, world.users.student)).refreshToken },
    }),
    expected: everyone(200),
  },
  'POST /api/v1/auth/logout': {
    request: async ({ app, world }) => ({
      body: { refreshToken: (await loginAs(app, world.users.student)).refreshToken },
    }),
    expected: everyone(204),
  },
  'POST /api/v1/auth/logout-all': { expected: signedIn(204) },
  'POST /api/v1/auth/change-password': {
    request: ({ world, caller }) => ({
      body: {
        currentPassword: world.users[caller === 'anonymous' ? 'student' : caller].password,
        newPassword: NEW_PASSWORD,
      },
    }),
    expected: signedIn(200),
  },
  'POST /api/v1/auth/password-reset': {
    request: ({ world }) => ({ body: { email: world.users.student.email } }),
    expected: everyone(202),
  },
  'POST /api/v1/auth/password-reset/confirm': {
    request: async ({ db, world }) => {
      const token = generateOpaqueToken();
      await db.insert(passwordResetTokens).values({
        userId: world.users.student.id,
        tokenHash: hashOpaqueToken(token),
        expiresAt: new Date(Date.now() + 10 * 60_000),
      });
      return { body: { token, newPassword: NEW_PASSWORD } };
    },
    expected: everyone(204),
  },

  // ---------------------------------------------------------------------------------------------
  // The signed-in user: always their own account, whoever they are.
  'GET /api/v1/me': { expected: signedIn(200) },
  'PATCH /api/v1/me': {
    request: () => ({ body: { name: 'Renamed by the matrix' } }),
    expected: signedIn(200),
  },
  'GET /api/v1/me/profile': { expected: signedIn(200) },
  'PATCH /api/v1/me/profile': {
    request: () => ({ body: { headline: 'Set by the matrix', websiteUrl: 'https://example.com' } }),
    expected: signedIn(200),
  },
  'GET /api/v1/users/{id}/profile': {
    resources: ['studentAccount', 'adminAccount'],
    request: (context) => ({ params: accountParams(context) }),
    expected: everyone(200),
  },

  // ---------------------------------------------------------------------------------------------
  // User administration: admins only; an admin cannot demote or deactivate themselves.
  'GET /api/v1/users': { expected: adminOnly(200) },
  'GET /api/v1/users/{id}': {
    resources: ['studentAccount'],
    request: (context) => ({ params: accountParams(context) }),
    expected: adminOnly(200),
  },
  'PATCH /api/v1/users/{id}/role': {
    resources: ['studentAccount', 'adminAccount'],
    request: (context) => ({
      params: accountParams(context),
      body: { role: context.resource === 'adminAccount' ? 'student' : 'instructor' },
    }),
    expected: adminOnly({ studentAccount: 200, adminAccount: 409 }),
  },
  'POST /api/v1/users/{id}/deactivate': {
    resources: ['studentAccount', 'adminAccount'],
    request: (context) => ({ params: accountParams(context) }),
    expected: adminOnly({ studentAccount: 200, adminAccount: 409 }),
  },
  'POST /api/v1/users/{id}/reactivate': {
    resources: ['studentAccount', 'adminAccount'],
    request: (context) => ({ params: accountParams(context) }),
    expected: adminOnly(200),
  },

  // ---------------------------------------------------------------------------------------------
  // Public catalog: drafts exist only for their instructor and admins; lesson bodies need the
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

  // ---------------------------------------------------------------------------------------------
  // Course authoring.
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
