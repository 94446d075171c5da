import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import type { App } from '../../../src/app.js';
import type { SignedInUser } from './users.js';

/**
 * HTTP-level course helpers: courses, modules and lessons made through the authoring API (in-process,
 * app.inject), for tests that need the real code path. Each asserts the API's success status.
 */

let sequence = 0;

export interface CourseBody {
  id: string;
  slug: string;
  title: string;
  status: string;
  version: number;
  [key: string]: unknown;
}

/** The fields of a valid course body besides its title. */
export const VALID_COURSE_FIELDS = {
  description: 'A course about things.',
  difficulty: 'beginner',
  priceCents: 0,
  currency: 'USD',
};

/** The body of a valid lesson besides its title. */
export const VALID_LESSON_FIELDS = { type: 'text', content: { body: 'Read this.' } };

async function createCourse(
  app: App,
  author: SignedInUser,
  overrides: Record<string, unknown> = {},
): Promise<CourseBody> {
  sequence += 1;
  const response = await app.inject({
    method: 'POST',
    url: '/api/v1/courses',
    headers: author.headers,
    payload: {
      title: `Course ${sequence} ${randomBytes(3).toString('hex')}`,
      ...VALID_COURSE_FIELDS,
      ...overrides,
    },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as CourseBody;
}

async function addModule(
  app: App,
  author: SignedInUser,
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

async function addLesson(
  app: App,
  author: SignedInUser,
  courseId: string,
  moduleId: string,
  payload: Record<string, unknown> = {},
): Promise<{ id: string; position: number; moduleId: string; courseVersion: number }> {
  sequence += 1;
  const response = await app.inject({
    method: 'POST',
    url: `/api/v1/courses/${courseId}/modules/${moduleId}/lessons`,
    headers: author.headers,
    payload: { title: `Lesson ${sequence}`, ...VALID_LESSON_FIELDS, ...payload },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json();
}

/** A course with one module holding one lesson: ready to publish. */
async function createPublishableCourse(
  app: App,
  author: SignedInUser,
  overrides: Record<string, unknown> = {},
) {
  const course = await createCourse(app, author, overrides);
  const module = await addModule(app, author, course.id);
  const lesson = await addLesson(app, author, course.id, module.id);
  return { course, module, lesson };
}

async function publishCourse(app: App, author: SignedInUser, courseId: string): Promise<CourseBody> {
  const response = await app.inject({
    method: 'POST',
    url: `/api/v1/courses/${courseId}/publish`,
    headers: author.headers,
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as CourseBody;
}

async function createPublishedCourse(
  app: App,
  author: SignedInUser,
  overrides: Record<string, unknown> = {},
) {
  const created = await createPublishableCourse(app, author, overrides);
  const course = await publishCourse(app, author, created.course.id);
  return { ...created, course };
}

/** The authoring API, called in-process: `api.createCourse(app, author, body)`. */
export const api = {
  createCourse,
  addModule,
  addLesson,
  createPublishableCourse,
  publishCourse,
  createPublishedCourse,
};
