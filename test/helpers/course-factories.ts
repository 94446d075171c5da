import { randomBytes } from 'node:crypto';
import { asc, eq, sql } from 'drizzle-orm';
import { expect } from 'vitest';
import type { App } from '../../src/app.js';
import type { Database } from '../../src/infrastructure/database/client/client.js';
import {
  assignments,
  courseModules,
  courses,
  enrollments,
  lessons,
  quizzes,
  type Role,
  users,
} from '../../src/infrastructure/database/schema/index.js';
import { createAccessTokens } from '../../src/infrastructure/security/access-tokens.js';
import { hashPassword } from '../../src/infrastructure/security/password.js';
import type { TestApp } from './test-app.js';

/**
 * Course-authoring test data. Users go straight into the database (one argon2id hash per test file)
 * and get access tokens minted the way the login endpoint does; courses, modules and lessons are
 * created through the authoring API so tests exercise the real code paths.
 */

let passwordHash: Promise<string> | undefined;
let sequence = 0;

export interface Author {
  id: string;
  role: Role;
  token: string;
  /** `{ authorization: 'Bearer …' }` for app.inject. */
  headers: { authorization: string };
}

export async function createAuthor(testApp: Pick<TestApp, 'db' | 'config'>, role: Role): Promise<Author> {
  passwordHash ??= hashPassword('course factories passphrase');
  sequence += 1;
  const [user] = await testApp.db
    .insert(users)
    .values({
      email: `${role}-${sequence}-${randomBytes(4).toString('hex')}@courses.test`,
      passwordHash: await passwordHash,
      name: `Course ${role} ${sequence}`,
      role,
    })
    .returning({ id: users.id, role: users.role, tokenVersion: users.tokenVersion });
  if (!user) throw new Error('createAuthor: insert returned no row');
  const token = createAccessTokens(testApp.config.jwtSecret, testApp.config.accessTokenTtlSeconds).sign({
    sub: user.id,
    role: user.role,
    tv: user.tokenVersion,
  });
  return { id: user.id, role: user.role, token, headers: { authorization: `Bearer ${token}` } };
}

export interface AuthoringCast {
  /** Owns the courses under test. */
  instructor: Author;
  otherInstructor: Author;
  student: Author;
  admin: Author;
}

/** The four callers every authoring test needs: the owner, another instructor, a student, an admin. */
export async function createAuthoringCast(testApp: Pick<TestApp, 'db' | 'config'>): Promise<AuthoringCast> {
  const [instructor, otherInstructor, student, admin] = await Promise.all([
    createAuthor(testApp, 'instructor'),
    createAuthor(testApp, 'instructor'),
    createAuthor(testApp, 'student'),
    createAuthor(testApp, 'admin'),
  ]);
  return { instructor, otherInstructor, student, admin };
}

export interface CourseBody {
  id: string;
  slug: string;
  title: string;
  status: string;
  version: number;
  [key: string]: unknown;
}

const VALID_COURSE = {
  description: 'A course about things.',
  difficulty: 'beginner',
  priceCents: 0,
  currency: 'USD',
};

export async function createCourse(
  app: App,
  author: Author,
  overrides: Record<string, unknown> = {},
): Promise<CourseBody> {
  sequence += 1;
  const response = await app.inject({
    method: 'POST',
    url: '/api/v1/courses',
    headers: author.headers,
    payload: { title: `Course ${sequence} ${randomBytes(3).toString('hex')}`, ...VALID_COURSE, ...overrides },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as CourseBody;
}

export async function addModule(
  app: App,
  author: Author,
  courseId: string,
  payload: Record<string, unknown> = {},
): Promise<{ id: string; position: number; courseVersion: number }> {
  sequence += 1;
  const response = await app.inject({
    method: 'POST',
    url: `/api/v1/courses/${courseId}/modules`,
    headers: author.headers,
    payload: { title: `Module ${sequence}`, ...payload },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json();
}

export async function addLesson(
  app: App,
  author: Author,
  courseId: string,
  moduleId: string,
  payload: Record<string, unknown> = {},
): Promise<{ id: string; position: number; moduleId: string; courseVersion: number }> {
  sequence += 1;
  const response = await app.inject({
    method: 'POST',
    url: `/api/v1/courses/${courseId}/modules/${moduleId}/lessons`,
    headers: author.headers,
    payload: { title: `Lesson ${sequence}`, type: 'text', content: { body: 'Read this.' }, ...payload },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json();
}

/** A course with one module holding one lesson: ready to publish. */
export async function createPublishableCourse(
  app: App,
  author: Author,
  overrides: Record<string, unknown> = {},
) {
  const course = await createCourse(app, author, overrides);
  const module = await addModule(app, author, course.id);
  const lesson = await addLesson(app, author, course.id, module.id);
  return { course, module, lesson };
}

export async function publishCourse(app: App, author: Author, courseId: string): Promise<CourseBody> {
  const response = await app.inject({
    method: 'POST',
    url: `/api/v1/courses/${courseId}/publish`,
    headers: author.headers,
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as CourseBody;
}

export async function createPublishedCourse(
  app: App,
  author: Author,
  overrides: Record<string, unknown> = {},
) {
  const created = await createPublishableCourse(app, author, overrides);
  const course = await publishCourse(app, author, created.course.id);
  return { ...created, course };
}

export async function enrollStudent(db: Database, userId: string, courseId: string): Promise<void> {
  await db.insert(enrollments).values({ userId, courseId });
}

export async function insertQuiz(db: Database, courseId: string): Promise<string> {
  const [quiz] = await db.insert(quizzes).values({ courseId, title: 'Checkpoint quiz' }).returning();
  if (!quiz) throw new Error('insertQuiz: no row');
  return quiz.id;
}

export async function insertAssignment(db: Database, courseId: string): Promise<string> {
  const [assignment] = await db.insert(assignments).values({ courseId, title: 'Homework' }).returning();
  if (!assignment) throw new Error('insertAssignment: no row');
  return assignment.id;
}

/** Module positions of a course in order, straight from the database. */
export async function modulePositions(db: Database, courseId: string) {
  return db
    .select({ id: courseModules.id, position: courseModules.position })
    .from(courseModules)
    .where(eq(courseModules.courseId, courseId))
    .orderBy(asc(courseModules.position));
}

/** Lesson positions of a module in order, straight from the database. */
export async function lessonPositions(db: Database, moduleId: string) {
  return db
    .select({ id: lessons.id, position: lessons.position })
    .from(lessons)
    .where(eq(lessons.moduleId, moduleId))
    .orderBy(asc(lessons.position));
}

export async function countRows(db: Database, table: typeof courses | typeof courseModules | typeof lessons) {
  const [row] = await db.select({ count: sql<number>`count(*)::int` }).from(table);
  return row?.count ?? 0;
}

export async function courseRow(db: Database, courseId: string) {
  const [row] = await db.select().from(courses).where(eq(courses.id, courseId));
  return row;
}

/** Every element of `ids` in a random order (Fisher–Yates). */
export function shuffled<T>(ids: readonly T[]): T[] {
  const result = [...ids];
  for (let i = result.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [result[i], result[j]] = [result[j] as T, result[i] as T];
  }
  return result;
}
