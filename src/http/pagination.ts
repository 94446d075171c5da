import { type TSchema, Type } from 'typebox';
import { Compile } from 'typebox/compile';
import { AppError } from '../shared/errors.js';

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

/** Cursors are the sort key of the last row, base64url-encoded JSON: opaque to clients, checked on the way back. */
export function encodeCursor(position: unknown): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

/** Decodes a cursor and checks it has the shape `schema` describes; anything else is 400, never 500. */
export function cursorDecoder<T extends TSchema>(schema: T) {
  const validator = Compile(schema);
  return (cursor: string | undefined): Type.Static<T> | undefined => {
    if (cursor === undefined) return undefined;
    let value: unknown;
    try {
      value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    } catch {
      value = undefined;
    }
    if (!validator.Check(value)) {
      throw new AppError('bad_request', 'The cursor is not valid; start again without one.', {
        errors: [{ field: '/querystring/cursor', message: 'is not a cursor this endpoint issued' }],
      });
    }
    return value as Type.Static<T>;
  };
}

/**
 * Keyset pagination helper: fetch `limit + 1` rows; if the extra one is there, there is a next page
 * and its cursor is the sort key of the last row returned.
 */
export function toPage<Row, Item>(
  rows: Row[],
  limit: number,
  toItem: (row: Row) => Item,
  cursorOf: (row: Row) => unknown,
): { data: Item[]; nextCursor: string | null } {
  const hasMore = rows.length > limit;
  const pageRows = hasMore ? rows.slice(0, limit) : rows;
  const last = pageRows.at(-1);
  return {
    data: pageRows.map(toItem),
    nextCursor: hasMore && last !== undefined ? encodeCursor(cursorOf(last)) : null,
  };
}
