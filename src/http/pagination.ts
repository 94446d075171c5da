import { type TSchema, Type } from 'typebox';

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

/** `?limit=&cursor=` for every list endpoint (spread into a querystring schema). */
export const PaginationQuery = {
  limit: Type.Integer({
    minimum: 1,
    maximum: MAX_PAGE_SIZE,
    default: DEFAULT_PAGE_SIZE,
    description: 'Page size.',
  }),
  cursor: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 1024,
      pattern: '^[A-Za-z0-9_-]+$',
      description: 'Opaque cursor from the previous page’s `nextCursor`.',
    }),
  ),
};

/** `{ data, nextCursor }`: nextCursor is null on the last page. */
export function PageSchema<T extends TSchema>(item: T, name: string) {
  return Type.Object(
    { data: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) },
    { additionalProperties: false, title: name },
  );
}
