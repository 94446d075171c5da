import { type SQL, type SQLWrapper, sql } from 'drizzle-orm';
import { type Static, type TSchema, Type } from 'typebox';
import { Compile } from 'typebox/compile';
import { AppError } from './errors.js';
import { UUID_PATTERN } from './uuid.js';

/** Cursors are the sort key of the last row, base64url-encoded JSON: opaque to clients, checked on the way back. */
export function encodeCursor(position: unknown): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

function invalidCursor(): AppError {
  return new AppError('bad_request', 'The cursor is not valid; start again without one.', {
    errors: [{ field: '/querystring/cursor', message: 'is not a cursor this endpoint issued' }],
  });
}

/**
 * Decodes a cursor and checks it has the shape `schema` describes (and passes `isSound`, for what a
 * schema cannot say); anything else is 400, never 500.
 */
export function cursorDecoder<T extends TSchema>(
  schema: T,
  isSound: (position: Static<T>) => boolean = () => true,
) {
  const validator = Compile(schema);
  return (cursor: string | undefined): Static<T> | undefined => {
    if (cursor === undefined) return undefined;
    let value: unknown;
    try {
      value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    } catch {
      value = undefined;
    }
    if (!validator.Check(value) || !isSound(value as Static<T>)) throw invalidCursor();
    return value as Static<T>;
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

/** A timestamp as `microsecondKey` prints it: `YYYY-MM-DDTHH:MM:SS.ffffffZ`. */
export const MICROSECOND_TIMESTAMP_PATTERN = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{6}Z$';

/**
 * A timestamptz as UTC text with all six fractional digits, for a cursor: a JS Date would drop the
 * microseconds, and the next page would then repeat or skip rows created in the same millisecond.
 */
export function microsecondKey(timestamp: SQLWrapper): SQL<string> {
  return sql<string>`to_char(${timestamp} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

/**
 * Whether a key matching MICROSECOND_TIMESTAMP_PATTERN is a real instant. The pattern admits
 * impossible dates (2025-02-31, month 13, year 0), which PostgreSQL refuses with an error.
 */
export function isRealInstant(key: string): boolean {
  const instant = new Date(key);
  return (
    !Number.isNaN(instant.getTime()) &&
    instant.getUTCFullYear() >= 1 &&
    instant.toISOString().slice(0, 23) === key.slice(0, 23)
  );
}

/** The position after a row in a "newest first" list: its timestamp (`p`, see microsecondKey) and its id. */
export interface TimestampIdCursor {
  p: string;
  id: string;
}

/** TimestampIdCursor's fields as a schema, to spread into a cursor schema that adds its own (e.g. the sort). */
export const timestampIdCursorFields = {
  p: Type.String({ pattern: MICROSECOND_TIMESTAMP_PATTERN }),
  id: Type.String({ pattern: UUID_PATTERN }),
};

export const decodeTimestampIdCursor = cursorDecoder(
  Type.Object(timestampIdCursorFields, { additionalProperties: false }),
  (position) => isRealInstant(position.p),
);

/** Rows after `cursor` in `ORDER BY timestamp DESC, id DESC` (the row comparison an index on both answers). */
export function olderThan(timestamp: SQLWrapper, id: SQLWrapper, cursor: TimestampIdCursor): SQL {
  return sql`(${timestamp}, ${id}) < (${cursor.p}::timestamptz, ${cursor.id}::uuid)`;
}
