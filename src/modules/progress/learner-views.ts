import type { Cache } from '../../infrastructure/cache/cache.js';
import { createGenerations } from '../../infrastructure/cache/generations.js';
import { LocalCache } from '../../infrastructure/cache/local-cache.js';

/**
 * How long an instance keeps a learner's course view without seeing an invalidation. Every write of
 * this module and every course change invalidates at once; this bounds only what nothing invalidates
 * (a change made outside the application, an invalidation lost while the shared cache was down).
 */
export const LEARNER_VIEW_TTL_SECONDS = 10;

const LOCAL_LIMITS = { maxEntries: 50_000, maxBytes: 32 * 1024 * 1024 };

/** A computed view: the response bytes, and until when the enrollment grants access (its expiry). */
export interface LearnerViewEntry {
  payload: string;
  accessEndsAt: Date | null;
}

/**
 * The learner's course view (`GET /me/courses/:id`), kept per learner and course as the bytes sent,
 * so that reading it costs no query. It depends on the course's outline and on the learner's
 * enrollment and progress, so an entry is stamped with two generations (src/infrastructure/cache/
 * generations.ts): the course's, replaced after every committed course change (after the recount of
 * its enrollments, see content-changes.ts), and the learner's in that course, replaced after each
 * progress write and enrollment change. Both are read (in the shared cache: Redis when configured, so
 * every instance sees a replacement) before the database, so a view computed before a write commits
 * is never served after it. An entry is never served past the enrollment's expiry.
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
  const courses = createGenerations(cache, 'progress:course-generation');
  const learners = createGenerations(cache, 'progress:learner-generation');
  const copies = new LocalCache<Buffer>(LOCAL_LIMITS);
  const learnerKey = (userId: string, courseId: string) => `${userId}:${courseId}`;

  return {
    async get(userId, courseId, load) {
      const key = learnerKey(userId, courseId);
      const [course, learner] = await Promise.all([courses.current(courseId), learners.current(key)]);
      if (course !== undefined && learner !== undefined) {
        const copy = copies.get(key, `${course}/${learner}`);
        if (copy !== undefined) return copy;
      }
      // Taken before the read: a write committing meanwhile replaces one and this copy is never served.
      const [courseGeneration, learnerGeneration] = await Promise.all([
        course ?? courses.begin(courseId),
        learner ?? learners.begin(key),
      ]);
      const entry = await load();
      const payload = Buffer.from(entry.payload);
      const expiresAt = Math.min(
        Date.now() + ttlSeconds * 1000,
        entry.accessEndsAt?.getTime() ?? Number.POSITIVE_INFINITY,
      );
      copies.set(key, payload, `${courseGeneration}/${learnerGeneration}`, expiresAt, payload.length);
      return payload;
    },

    async learnerChanged(userId, courseId) {
      const key = learnerKey(userId, courseId);
      await learners.bump(key);
      copies.delete(key);
    },

    async courseChanged(courseId) {
      await courses.bump(courseId);
    },
  };
}
