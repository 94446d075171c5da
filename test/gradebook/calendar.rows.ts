import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Database } from '../../src/infrastructure/database/client/client.js';
import { everyone, type RouteAuthorization, signedIn } from '../security/authorization-rows.js';

/**
 * Gives `userId` a feed (as POST /me/calendar-feed does) and returns its token: the same token for
 * the same user on every call, so checks running side by side do not rotate each other's away.
 */
export async function plantFeedToken(db: Database, userId: string): Promise<string> {
  const token = createHash('sha256').update(`matrix calendar feed ${userId}`).digest('base64url');
  const hash = createHash('sha256').update(token).digest('hex');
  await db.execute(sql`
    INSERT INTO calendar_feed_tokens (user_id, token_hash) VALUES (${userId}::uuid, ${hash})
    ON CONFLICT (user_id) DO UPDATE SET token_hash = EXCLUDED.token_hash`);
  return token;
}

/**
 * The calendar feed URL is the signed-in user's own; the feed itself is read with its token alone, so
 * whoever holds the student's token gets the student's feed (the leak check counts its answer as the
 * student's: leak-check.ts).
 */
export const CALENDAR_AUTHORIZATION_ROWS: Record<string, RouteAuthorization> = {
  'POST /api/v1/me/calendar-feed': { expected: signedIn(201) },
  'DELETE /api/v1/me/calendar-feed': {
    request: async ({ db, world, caller }) => {
      if (caller !== 'anonymous') await plantFeedToken(db, world.users[caller].id);
      return {};
    },
    expected: signedIn(204),
  },
  'GET /api/v1/me/calendar.ics': {
    request: async ({ db, world }) => ({
      query: { token: await plantFeedToken(db, world.users.student.id) },
    }),
    expected: everyone(200),
  },
};
