import createClient from 'openapi-fetch';
// Generated from the live /openapi.json by typed-client.test.ts (git-ignored): never edited by hand.
import type { paths } from './generated/api.js';

/**
 * What a front-end developer writes against the generated types: sign in, list the catalog, create a
 * course. typed-client.test.ts type-checks this file against types generated from the served
 * document (a change of the document that breaks these calls fails the test) and runs it against a
 * real server.
 */
export async function signInListAndCreate(baseUrl: string, credentials: { email: string; password: string }) {
  const client = createClient<paths>({ baseUrl });

  const signIn = await client.POST('/api/v1/auth/login', {
    body: { email: credentials.email, password: credentials.password },
  });
  if (signIn.error) throw new Error(`sign-in failed: ${signIn.error.code} ${signIn.error.detail ?? ''}`);
  const accessToken: string = signIn.data.accessToken;

  const catalog = await client.GET('/api/v1/courses', { params: { query: { limit: 5, sort: 'newest' } } });
  if (catalog.error) throw new Error(`listing courses failed: ${catalog.error.code}`);
  const catalogTitles: string[] = catalog.data.data.map((course) => course.title);

  const created = await client.POST('/api/v1/courses', {
    headers: { authorization: `Bearer ${accessToken}` },
    body: { title: 'Typed client course', difficulty: 'beginner', priceCents: 0 },
  });
  if (created.error)
    throw new Error(`creating a course failed: ${created.error.status} ${created.error.code}`);
  const course: { id: string; slug: string; status: string } = created.data;

  return {
    catalogTitles,
    nextCursor: catalog.data.nextCursor,
    course,
    etag: created.response.headers.get('etag'),
  };
}
