import { expect } from 'vitest';
import { jsonOf, send } from './reliability-http.js';

/**
 * Data the reliability suites need, made through the HTTP API of a spawned server (so the same
 * code paths run as in production): sessions, and a published course to read from the catalog.
 */

export interface HttpSession {
  accessToken: string;
  refreshToken: string;
  userId: string;
}

export const bearerHeader = (token: string) => ({ authorization: `Bearer ${token}` });

/** Signs in; `clientAddress` becomes the client's address when the server trusts X-Forwarded-For. */
export async function loginOver(
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
export async function publishCourseOver(
  port: number,
  instructorToken: string,
  title: string,
): Promise<PublishedCourse> {
  const headers = bearerHeader(instructorToken);
  const expectStatus = async (path: string, body: unknown, status: number) => {
    const outcome = await send(port, { method: 'POST', path, body, headers });
    expect(outcome.kind === 'response' && outcome.status, JSON.stringify(outcome)).toBe(status);
    return jsonOf<{ id: string; slug: string; title: string; version: number }>(outcome);
  };
  const course = await expectStatus(
    '/api/v1/courses',
    {
      title,
      description: 'Kept alive through faults.',
      difficulty: 'beginner',
      priceCents: 0,
      currency: 'USD',
    },
    201,
  );
  const module = await expectStatus(`/api/v1/courses/${course.id}/modules`, { title: 'Module one' }, 201);
  await expectStatus(
    `/api/v1/courses/${course.id}/modules/${module.id}/lessons`,
    { title: 'Lesson one', type: 'text', content: { body: 'Read this.' }, isPreview: true },
    201,
  );
  const published = await expectStatus(`/api/v1/courses/${course.id}/publish`, undefined, 200);
  return { id: published.id, slug: published.slug, title: published.title, version: published.version };
}
