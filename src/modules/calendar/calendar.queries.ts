/**
 * The calendar feed's SQL: the user's one feed token (only its sha256 is stored; a rotation replaces
 * it in place, so the old URL stops working with the same statement) and, for a token, its owner's
 * dated items in one statement: published assignments with a due date and published quizzes with an
 * availability window, of the courses the owner is actively enrolled in.
 */
import { sql } from 'drizzle-orm';
import type { Executor } from '../../shared/transaction.js';

/** Creates or replaces the user's feed token hash. */
export async function upsertFeedToken(db: Executor, userId: string, tokenHash: string): Promise<void> {
  await db.execute(sql`
    INSERT INTO calendar_feed_tokens (user_id, token_hash) VALUES (${userId}::uuid, ${tokenHash})
    ON CONFLICT (user_id) DO UPDATE SET token_hash = EXCLUDED.token_hash, updated_at = now()`);
}

/** Deletes the user's feed token; whether there was one. */
export async function deleteFeedToken(db: Executor, userId: string): Promise<boolean> {
  const result = await db.execute(sql`DELETE FROM calendar_feed_tokens WHERE user_id = ${userId}::uuid`);
  return (result.rowCount ?? 0) > 0;
}

/** Timestamps as the driver returns them to raw queries (text), or as Dates. */
type Timestamp = string | Date;

export type FeedItemRow = {
  kind: 'assignment' | 'quiz';
  id: string;
  title: string;
  starts_at: Timestamp | null;
  ends_at: Timestamp | null;
  course_title: string;
  course_slug: string;
  updated_at: Timestamp;
};

/**
 * The feed of the token with this hash: undefined for no such token; else its items (possibly none).
 * Assignments: `starts_at` = due date. Quizzes: `starts_at` = available_from, `ends_at` = available_until.
 */
export async function selectFeedItems(db: Executor, tokenHash: string): Promise<FeedItemRow[] | undefined> {
  const result = await db.execute<
    { user_id: string } & { [K in keyof FeedItemRow]: FeedItemRow[K] | null }
  >(sql`
    WITH owner AS (SELECT t.user_id FROM calendar_feed_tokens AS t WHERE t.token_hash = ${tokenHash}),
    learning AS (
      SELECT c.id, c.title, c.slug
        FROM owner
        JOIN enrollments AS e ON e.user_id = owner.user_id
        JOIN courses AS c ON c.id = e.course_id
       WHERE e.status = 'active' AND (e.expires_at IS NULL OR e.expires_at > now())
    ),
    items AS (
      SELECT 'assignment' AS kind, a.id, a.title, a.due_at AS starts_at, NULL::timestamptz AS ends_at,
             learning.title AS course_title, learning.slug AS course_slug, a.updated_at
        FROM learning JOIN assignments AS a ON a.course_id = learning.id
       WHERE a.is_published AND a.due_at IS NOT NULL
      UNION ALL
      SELECT 'quiz', q.id, q.title, q.available_from, q.available_until, learning.title, learning.slug, q.updated_at
        FROM learning JOIN quizzes AS q ON q.course_id = learning.id
       WHERE q.is_published AND (q.available_from IS NOT NULL OR q.available_until IS NOT NULL)
    )
    SELECT owner.user_id, items.*
      FROM owner LEFT JOIN items ON true
     ORDER BY coalesce(items.starts_at, items.ends_at), items.id`);
  if (result.rows.length === 0) return undefined;
  return result.rows.filter((row) => row.id !== null) as FeedItemRow[];
}
