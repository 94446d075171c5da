import type { Cache } from './cache.js';
import { createGenerations } from './generations.js';
import { LocalCache } from './local-cache.js';

/** A computed view: the response bytes, and the moment after which it must not be served (or null). */
export interface ViewEntry {
  payload: string;
  validUntil: Date | null;
}

/** Where a view sits: the two generations it depends on, and its own key among their views. */
export interface ViewKey {
  /** The shared state it shows (e.g. a course's outline): many views depend on it. */
  shared: string;
  /** The reader's own state it shows (e.g. a learner's progress). */
  own: string;
  /** This view among those stamped with the same two generations (e.g. one page of a list). */
  view: string;
}

/**
 * Response bytes kept per instance and stamped with two generations (generations.ts), e.g. a
 * learner's course view: the course's generation, replaced after every committed course change, and
 * the learner's, replaced after each of their writes. Both are read from the shared cache (Redis when
 * configured, so a replacement on one instance reaches all) before the database, so a view computed
 * before a write commits is never served after it. A view is never kept past `ttlSeconds`, which
 * bounds only what no invalidation reaches (a change made outside the application, an invalidation
 * lost while the shared cache was down), nor past its entry's `validUntil`.
 */
export interface StampedViews {
  /** The view's bytes, from this instance's copy while both generations are current, else from `load`. */
  get(key: ViewKey, load: () => Promise<ViewEntry>): Promise<Buffer>;
  /** After a committed change of the shared state `shared`. */
  sharedChanged(shared: string): Promise<void>;
  /** After a committed change of the reader's own state `own`. */
  ownChanged(own: string): Promise<void>;
}

export interface StampedViewsOptions {
  /** Names the two sets of generations in the shared cache. */
  groups: { shared: string; own: string };
  ttlSeconds: number;
  limits: { maxEntries: number; maxBytes: number };
}

export function createStampedViews(cache: Cache, options: StampedViewsOptions): StampedViews {
  const shared = createGenerations(cache, options.groups.shared);
  const own = createGenerations(cache, options.groups.own);
  const copies = new LocalCache<Buffer>(options.limits);

  return {
    async get(key, load) {
      const [sharedNow, ownNow] = await Promise.all([shared.current(key.shared), own.current(key.own)]);
      if (sharedNow !== undefined && ownNow !== undefined) {
        const copy = copies.get(key.view, `${sharedNow}/${ownNow}`);
        if (copy !== undefined) return copy;
      }
      // Taken before the read: a write committing meanwhile replaces one and this copy is never served.
      const [sharedGeneration, ownGeneration] = await Promise.all([
        sharedNow ?? shared.begin(key.shared),
        ownNow ?? own.begin(key.own),
      ]);
      const entry = await load();
      const payload = Buffer.from(entry.payload);
      const expiresAt = Math.min(
        Date.now() + options.ttlSeconds * 1000,
        entry.validUntil?.getTime() ?? Number.POSITIVE_INFINITY,
      );
      copies.set(key.view, payload, `${sharedGeneration}/${ownGeneration}`, expiresAt, payload.length);
      return payload;
    },
    sharedChanged: (key) => shared.bump(key),
    ownChanged: (key) => own.bump(key),
  };
}
