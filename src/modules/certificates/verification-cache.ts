import type { Cache } from '../../infrastructure/cache/cache.js';
import { createGenerations } from '../../infrastructure/cache/generations.js';
import { LocalCache } from '../../infrastructure/cache/local-cache.js';
import { type Representation, representationOf } from '../../shared/representation.js';

/**
 * How long an instance keeps a verification answer without seeing an invalidation. Revocation (the
 * only change a certificate's public answer can see: names and dates are frozen at issuance)
 * invalidates at once; this bounds only changes made outside the application.
 */
export const VERIFICATION_TTL_SECONDS = 300;

const LOCAL_LIMITS = { maxEntries: 50_000, maxBytes: 64 * 1024 * 1024 };

/**
 * The public verification answers, kept per code as the bytes sent and their ETag, so a verification
 * costs no query. Each entry is stamped with its code's generation (src/infrastructure/cache/
 * generations.ts), taken before the database read and replaced after a revocation commits (in the
 * shared cache: Redis when configured, so every instance sees it), so an answer computed before a
 * revocation is never served after it. Unknown codes are not kept and start no generation.
 */
export interface VerificationCache {
  /** The answer for `code`, from this instance's copy while current, else from `load` (then kept). */
  get(code: string, load: () => Promise<string | undefined>): Promise<Representation | undefined>;
  /** After a committed change of the certificate with this code (its revocation). */
  changed(code: string): Promise<void>;
}

export function createVerificationCache(
  cache: Cache,
  ttlSeconds = VERIFICATION_TTL_SECONDS,
): VerificationCache {
  const generations = createGenerations(cache, 'certificates:verify-generation');
  const copies = new LocalCache<Representation>(LOCAL_LIMITS);
  return {
    async get(code, load) {
      const current = await generations.current(code);
      if (current !== undefined) {
        const copy = copies.get(code, current);
        if (copy !== undefined) return copy;
      }
      let generation = current;
      if (generation === undefined) {
        // No generation yet: look first, so that unknown codes (anyone can send any) start none.
        if ((await load()) === undefined) return undefined;
        generation = await generations.begin(code);
      }
      // Read after the generation was taken: a revocation committing meanwhile replaces it, and this
      // copy is never served.
      const payload = await load();
      if (payload === undefined) return undefined;
      const representation = representationOf(payload);
      copies.set(
        code,
        representation,
        generation,
        Date.now() + ttlSeconds * 1000,
        representation.payload.length,
      );
      return representation;
    },

    async changed(code) {
      await generations.bump(code);
      copies.delete(code);
    },
  };
}
