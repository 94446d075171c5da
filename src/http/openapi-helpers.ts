import type { TSchema } from 'typebox';

/** Shared OpenAPI bits of the authoring routes: the tag and the bearer-token requirement. */
export const COURSES_TAG = 'courses';
export const authenticated = { tags: [COURSES_TAG], security: [{ bearerAuth: [] }] };

const ETAG_HEADER = {
  type: 'string',
  description: 'The course version, quoted (e.g. `"4"`): send it back in If-Match when editing.',
};

/**
 * A success response documented with its headers (OpenAPI `responses.<status>.headers`). The schema
 * keeps its static type, so handlers stay type-checked; the serializer ignores the extra keywords.
 */
export function withHeaders<T extends TSchema>(
  schema: T,
  description: string,
  headers: { etag?: boolean; location?: boolean },
): T {
  return {
    ...schema,
    description,
    headers: {
      ...(headers.etag ? { ETag: ETAG_HEADER } : {}),
      ...(headers.location ? { Location: { type: 'string', description: 'URL of the new course.' } } : {}),
    },
  } as T;
}
