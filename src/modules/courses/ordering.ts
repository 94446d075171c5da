import { inArray, sql } from 'drizzle-orm';
import type { courseModules, lessons } from '../../infrastructure/database/schema/index.js';
import type { Transaction } from '../../shared/transaction.js';

/**
 * Positions are 0-based and dense within their parent (modules in a course, lessons in a module),
 * guarded by NOT DEFERRABLE unique constraints, which PostgreSQL checks row by row. Shifting rows in
 * place (`position = position + 1`) can therefore collide with a row not yet moved; instead every
 * renumbering runs in two steps inside the caller's transaction: the rows that move are first parked
 * at `position + POSITION_OFFSET` (the CHECK only requires position >= 0), then set to their final
 * positions. Callers hold the course row lock, so no other write renumbers the same rows meanwhile.
 */
export const POSITION_OFFSET = 1_000_000;

/**
 * A position no row ever has outside a running renumbering (parents hold far fewer children than
 * this): where a new or moved row waits until `renumber` gives it its place.
 */
export const PARKING_POSITION = POSITION_OFFSET - 1;

/** Upper bounds that keep every real position below PARKING_POSITION (and outlines sane). */
export const MAX_MODULES_PER_COURSE = 200;
export const MAX_LESSONS_PER_MODULE = 500;

type OrderedTable = typeof courseModules | typeof lessons;

export interface Positioned {
  id: string;
  position: number;
}

/**
 * Gives the rows of one parent the positions 0..n-1 in the order of `orderedIds`. `current` is every
 * row of that parent with its position now (including rows parked at PARKING_POSITION). Only rows
 * whose position changes are written; two statements whatever the number of rows.
 */
export async function renumber(
  tx: Transaction,
  table: OrderedTable,
  current: Positioned[],
  orderedIds: string[],
): Promise<void> {
  const positionNow = new Map(current.map((row) => [row.id, row.position]));
  const moves = orderedIds.flatMap((id, position) =>
    positionNow.get(id) === position ? [] : [{ id, position }],
  );
  if (moves.length === 0) return;

  await tx
    .update(table)
    .set({ position: sql`${table.position} + ${POSITION_OFFSET}` })
    .where(
      inArray(
        table.id,
        moves.map((move) => move.id),
      ),
    );
  const finalPositions = sql.join(
    moves.map((move) => sql`(${move.id}::uuid, ${move.position}::integer)`),
    sql`, `,
  );
  await tx.execute(sql`
    UPDATE ${table} SET position = target.position, updated_at = now()
    FROM (VALUES ${finalPositions}) AS target (id, position)
    WHERE ${table.id} = target.id`);
}

/** `ids` with `id` inserted at `index` (clamped to the end). */
export function insertAt(ids: string[], id: string, index: number): string[] {
  const result = [...ids];
  result.splice(Math.min(index, result.length), 0, id);
  return result;
}

/**
 * Where a new row goes among its siblings: `index` is its final position (validated by the caller);
 * an appended row can be inserted there directly, any other one is inserted parked and then moved
 * into place by `placeInserted`.
 */
export function insertPosition(siblingCount: number, index: number): number {
  return index === siblingCount ? index : PARKING_POSITION;
}

/** After inserting a row at `insertPosition(...)`: shifts the siblings to make room at `index`. */
export async function placeInserted(
  tx: Transaction,
  table: OrderedTable,
  siblings: Positioned[],
  insertedId: string,
  index: number,
): Promise<void> {
  if (index === siblings.length) return;
  await renumber(
    tx,
    table,
    [...siblings, { id: insertedId, position: PARKING_POSITION }],
    insertAt(
      siblings.map((row) => row.id),
      insertedId,
      index,
    ),
  );
}
