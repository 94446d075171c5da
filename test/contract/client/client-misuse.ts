import createClient from 'openapi-fetch';
import type { paths } from './generated/api.js';

/**
 * Calls the generated types must refuse. Each line carries `@ts-expect-error`: if the types stopped
 * catching the mistake (e.g. an operation's body became `any`), the directive itself is reported as
 * unused and typed-client.test.ts fails. Never run, only type-checked.
 */
export async function misuse(baseUrl: string) {
  const client = createClient<paths>({ baseUrl });
  // @ts-expect-error sign-in needs a password
  await client.POST('/api/v1/auth/login', { body: { email: 'someone@example.test' } });
  // @ts-expect-error the catalog has no `page` parameter (keyset pagination: `cursor`)
  await client.GET('/api/v1/courses', { params: { query: { page: 2 } } });
  // @ts-expect-error a course's title is a string
  await client.POST('/api/v1/courses', { body: { title: 42 } });
  // @ts-expect-error no such path
  await client.GET('/api/v1/enrolments');
}
