import { randomUUID } from 'node:crypto';
import type { Cache } from './cache.js';

// A generation must outlive every entry stamped with it; a lost one only causes misses.
const GENERATION_TTL_SECONDS = 7 * 24 * 3600;

/**
 * Generation stamps in the shared cache, the basis of cache invalidation that is safe against the
 * read/invalidate race: a reader takes the current generation BEFORE reading the database and stamps
 * what it stores with it; a writer, after its commit, replaces the generation with a fresh random
 * one. An entry is served only while its stamp equals the current generation, so data read before
 * a write committed can never be served after that write's `bump`, even if it was stored later.
 * Generations live in the shared cache (Redis when configured), so a bump on one instance is seen
 * by every instance on its next read.
 */
export interface Generations {
  /** The current generation, or undefined when there is none or the cache is unavailable (= miss). */
  current(key: string): Promise<string | undefined>;
  /** The current generation, starting one if there is none. Call BEFORE reading the database. */
  begin(key: string): Promise<string>;
  /** Makes every entry stamped with an earlier generation stale. Call AFTER the write has committed. */
  bump(key: string): Promise<void>;
}

/** `group` names this set of generations in the shared cache (e.g. `user:generation`). */
export function createGenerations(cache: Cache, group: string): Generations {
  return {
    current: (key) => cache.getPlain(group, key),

    async begin(key) {
      const existing = await cache.getPlain(group, key);
      if (existing !== undefined) return existing;
      // Missing (first use, expired, evicted): a new one also invalidates anything stored under
      // whatever generation was lost.
      const fresh = randomUUID();
      await cache.setPlain(group, key, fresh, GENERATION_TTL_SECONDS);
      return fresh;
    },

    bump: (key) => cache.setPlain(group, key, randomUUID(), GENERATION_TTL_SECONDS),
  };
}
