import type { Redis } from 'ioredis';
import { type FixedWindowStore, memoryWindows, redisWindows, type WindowCount } from './fixed-window.js';

export interface LimitResult {
  allowed: boolean;
  /** Events counted in the window, this one included (0 when the store was unavailable). */
  count: number;
  /** Seconds until the window resets (for Retry-After). */
  retryAfterSeconds: number;
}

/**
 * Limits keyed on something other than the client address (failed sign-ins per account and address,
 * reset emails per address), counted in the same fixed windows as the per-request limiter
 * (fixed-window.ts). Fails open if Redis is down.
 */
export interface RateLimiter {
  hit(key: string, limit: number, windowSeconds: number): Promise<LimitResult>;
  /** The key's current window without counting, `undefined` when none is open. */
  peek(key: string): Promise<WindowCount | undefined>;
  reset(key: string): Promise<void>;
}

/** `prefix` keeps these keys apart from the per-request limiter's in a shared store. */
export function createRateLimiter(store: FixedWindowStore, prefix = 'lp:limit:'): RateLimiter {
  return {
    async hit(key, limit, windowSeconds) {
      const count = await store.incr(prefix + key, windowSeconds * 1000);
      if (count === undefined) return { allowed: true, count: 0, retryAfterSeconds: 0 };
      return {
        allowed: count.current <= limit,
        count: count.current,
        retryAfterSeconds: Math.max(1, Math.ceil(count.ttlMs / 1000)),
      };
    },
    async peek(key) {
      return store.peek(prefix + key);
    },
    async reset(key) {
      await store.reset(prefix + key);
    },
  };
}

export function createMemoryRateLimiter(now: () => number = Date.now): RateLimiter {
  return createRateLimiter(memoryWindows(now));
}

export function createRedisRateLimiter(redis: Redis, prefix = 'lp:limit:'): RateLimiter {
  return createRateLimiter(redisWindows(redis), prefix);
}
