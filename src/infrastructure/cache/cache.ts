/**
 * A small key-value cache with namespaces that can be invalidated as a whole: each namespace has a
 * version that is part of every key, and `invalidate` bumps it, so stale entries are never read
 * again and simply expire. Two implementations: Redis (shared by every instance) and in-process.
 * Both fail open: an unavailable cache behaves as a miss, never as an error.
 */
export interface Cache {
  get<T>(namespace: string, key: string): Promise<T | undefined>;
  set(namespace: string, key: string, value: unknown, ttlSeconds: number): Promise<void>;
  invalidate(namespace: string): Promise<void>;
  /**
   * A string under a plain key of `group`, outside namespace versioning (`invalidate` never touches
   * it), read in one round trip: for the generation stamps that cached entries are checked against
   * on every hit. (Group and key are separate so the in-process cache needs no string building.)
   */
  getPlain(group: string, key: string): Promise<string | undefined>;
  setPlain(group: string, key: string, value: string, ttlSeconds: number): Promise<void>;
}
