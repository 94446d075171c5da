import type { Cache } from '../../infrastructure/cache/cache.js';
import { createStampedViews, type ViewEntry } from '../../infrastructure/cache/stamped-views.js';

/** How long an instance keeps a page of "my enrollments" without seeing an invalidation. */
export const MY_ENROLLMENTS_TTL_SECONDS = 10;

const LOCAL_LIMITS = { maxEntries: 50_000, maxBytes: 32 * 1024 * 1024 };

/** Every course at once: a page lists several, and course edits are rare next to these reads. */
const ALL_COURSES = 'all';

/**
 * Pages of `GET /me/enrollments`, kept per learner and query as the bytes sent, so that the list a
 * learner's dashboard polls costs no query. A page shows the learner's enrollments (status,
 * progress, last access, next lesson) and their courses (title, slug, thumbnail, status), so it is
 * stamped with the learner's generation, replaced after each change of their enrollments or progress
 * (src/subscribers.ts), and one generation for all course content, replaced after every committed
 * course change. A page is never served past the earliest expiry among its enrollments (then its
 * statuses change without a write). See src/infrastructure/cache/stamped-views.ts.
 */
export interface MyEnrollmentsViews {
  get(userId: string, query: string, load: () => Promise<ViewEntry>): Promise<Buffer>;
  /** After a committed change of any of the learner's enrollments or of their progress. */
  learnerChanged(userId: string): Promise<void>;
  /** After a committed change of a course's fields or outline. */
  courseChanged(): Promise<void>;
}

export function createMyEnrollmentsViews(
  cache: Cache,
  ttlSeconds = MY_ENROLLMENTS_TTL_SECONDS,
): MyEnrollmentsViews {
  const views = createStampedViews(cache, {
    groups: { shared: 'enrollments:courses-generation', own: 'enrollments:learner-generation' },
    ttlSeconds,
    limits: LOCAL_LIMITS,
  });
  return {
    get: (userId, query, load) =>
      views.get({ shared: ALL_COURSES, own: userId, view: `${userId}?${query}` }, load),
    learnerChanged: (userId) => views.ownChanged(userId),
    courseChanged: () => views.sharedChanged(ALL_COURSES),
  };
}
