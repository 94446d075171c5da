import { expect } from 'vitest';
import { jsonOf, send } from '../http-client.js';
import { VALID_COURSE_FIELDS, VALID_LESSON_FIELDS } from './api.js';
import { bearer } from './tokens.js';

/**
 * HTTP-level helpers against a spawned server on `port` (the reliability suites), so the same code
 * paths run as in production: sessions, and a published course to read from the catalog.
 */

export interface HttpSession {
  accessToken: string;
  refreshToken: string;
  userId: string;
}

/** Signs in; `clientAddress` becomes the client's address when the server trusts X-Forwarded-For. */
async function login(
  port: number,
  credentials: { email: string; password: string },
  clientAddress?: string,
): Promise<HttpSession> {
  const outcome = await send(port, {
    path: '/api/v1/auth/login',
    body: { email: credentials.email, password: credentials.password },
    headers: clientAddress ? { 'x-forwarded-for': clientAddress } : {},
  });
  expect(outcome.kind === 'response' && outcome.status, JSON.stringify(outcome)).toBe(200);
  const body = jsonOf<{ accessToken: string; refreshToken: string; user: { id: string } }>(outcome);
  return { accessToken: body.accessToken, refreshToken: body.refreshToken, userId: body.user.id };
}

export interface PublishedCourse {
  id: string;
  slug: string;
  title: string;
  version: number;
}

/** Creates a course with one module and one lesson through the authoring API, and publishes it. */
async function publishCourse(port: number, instructorToken: string, title: string): Promise<PublishedCourse> {
  const headers = bearer(instructorToken);
  const expectStatus = async (path: string, body: unknown, status: number) => {
    const outcome = await send(port, { method: 'POST', path, body, headers });
    expect(outcome.kind === 'response' && outcome.status, JSON.stringify(outcome)).toBe(status);
    return jsonOf<{ id: string; slug: string; title: string; version: number }>(outcome);
  };
  const course = await expectStatus(
    '/api/v1/courses',
    { title, ...VALID_COURSE_FIELDS, description: 'Kept alive through faults.' },
    201,
  );
  const module = await expectStatus(`/api/v1/courses/${course.id}/modules`, { title: 'Module one' }, 201);
  await expectStatus(
    `/api/v1/courses/${course.id}/modules/${module.id}/lessons`,
    { title: 'Lesson one', ...VALID_LESSON_FIELDS, isPreview: true },
    201,
  );
  const published = await expectStatus(`/api/v1/courses/${course.id}/publish`, undefined, 200);
  return { id: published.id, slug: published.slug, title: published.title, version: published.version };
}

/** The API of a spawned server: `serverApi.login(port, user)`, `serverApi.publishCourse(port, token, title)`. */
export const serverApi = { login, publishCourse };
