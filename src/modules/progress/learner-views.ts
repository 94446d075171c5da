import type { Cache } from '../../infrastructure/cache/cache.js';
import { createStampedViews, type ViewEntry } from '../../infrastructure/cache/stamped-views.js';

/**
 * How long an instance keeps a learner's course view without seeing an invalidation. Every write of
 * this module, every enrollment change and every course change invalidates at once; this bounds only
 * what nothing invalidates (see src/infrastructure/cache/stamped-views.ts).
 */
export const LEARNER_VIEW_TTL_SECONDS = 10;

const LOCAL_LIMITS = { maxEntries: 50_000, maxBytes: 32 * 1024 * 1024 };

/** A computed view; `validUntil` is until when the enrollment grants access (its expiry). */
export type LearnerViewEntry = ViewEntry;

/**
 * The learner's course view (`GET /me/courses/:id`), kept per learner and course as the bytes sent,
 * so that reading it costs no query. It depends on the course's outline and on the learner's
 * enrollment and progress, so an entry is stamped with two generations: the course's, replaced after
 * every committed course change (after the recount of its enrollments, see content-changes.ts), and
 * the learner's in that course, replaced after each progress write and enrollment change. An entry
 * is never served past the enrollment's expiry.
 */
export interface LearnerViews {
  /** The view's bytes, from this instance's copy while current, else from `load` (then kept). */
  get(userId: string, courseId: string, load: () => Promise<LearnerViewEntry>): Promise<Buffer>;
  /** After a committed change of the learner's enrollment or progress in the course. */
  learnerChanged(userId: string, courseId: string): Promise<void>;
  /** After a committed change of the course (fields, status, outline), once its enrollments are recounted. */
  courseChanged(courseId: string): Promise<void>;
}

export function createLearnerViews(cache: Cache, ttlSeconds = LEARNER_VIEW_TTL_SECONDS): LearnerViews {
  const views = createStampedViews(cache, {
    groups: { shared: 'progress:course-generation', own: 'progress:learner-generation' },
    ttlSeconds,
    limits: LOCAL_LIMITS,
  });
  const learnerKey = (userId: string, courseId: string) => `${userId}:${courseId}`;
  return {
    get(userId, courseId, load) {
      const own = learnerKey(userId, courseId);
      return views.get({ shared: courseId, own, view: own }, load);
    },
    learnerChanged: (userId, courseId) => views.ownChanged(learnerKey(userId, courseId)),
    courseChanged: (courseId) => views.sharedChanged(courseId),
  };
}
