/**
 * The personal calendar feed: a user creates (or rotates) a secret feed URL, shown once (only the
 * token's sha256 is stored), deletes it, and calendar apps fetch the feed with the token alone (no
 * sign-in: Google and Apple calendars cannot send one). An unknown, rotated or deleted token is a
 * plain 404, the same answer whatever the reason, so a token can be neither guessed nor probed.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Database } from '../../infrastructure/database/client/client.js';
import type { Actor } from '../../shared/actor.js';
import { AppError } from '../../shared/errors.js';
import { deleteFeedToken, selectFeedItems, upsertFeedToken } from './calendar.queries.js';
import { buildCalendar } from './calendar-events.js';

/** 32 random bytes, base64url: 43 characters. */
export const FEED_TOKEN_PATTERN = '^[A-Za-z0-9_-]{43}$';

const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');

export interface CalendarServiceDependencies {
  db: Database;
  /** Where the API is reached from outside, and where it is mounted (`/api/v1`): the feed URL. */
  publicApiUrl: string;
  apiPrefix: string;
  /** The web app, for the course links in events. */
  publicAppUrl: string;
}

export function createCalendarService(deps: CalendarServiceDependencies) {
  const { db } = deps;
  const uidDomain = new URL(deps.publicApiUrl).hostname;
  return {
    /** A fresh token replaces any earlier one (whose URL stops working at once). */
    async rotate(actor: Actor): Promise<{ url: string; token: string }> {
      const token = randomBytes(32).toString('base64url');
      await upsertFeedToken(db, actor.id, hashOf(token));
      return { url: `${deps.publicApiUrl}${deps.apiPrefix}/me/calendar.ics?token=${token}`, token };
    },

    async remove(actor: Actor): Promise<void> {
      if (!(await deleteFeedToken(db, actor.id))) {
        throw new AppError('not_found', 'You have no calendar feed.');
      }
    },

    async feed(token: string): Promise<string> {
      const items = await selectFeedItems(db, hashOf(token));
      if (items === undefined) throw new AppError('not_found', 'No such calendar feed.');
      return buildCalendar(items, { appUrl: deps.publicAppUrl, uidDomain });
    },
  };
}

export type CalendarService = ReturnType<typeof createCalendarService>;
