import type { Redis } from 'ioredis';

export interface LimitResult {
  allowed: boolean;
  /** Seconds until the window resets (for Retry-After). */
  retryAfterSeconds: number;
}

/**
 * Counts events per key in fixed windows, for limits keyed on something other than the client IP
 * (failed logins per account, reset emails per address). Redis when configured, shared by all
 * instances; in-process otherwise. Fails open if Redis is down.
 */
export interface RateLimiter {
  hit(key: string, limit: number, windowSeconds: number): Promise<LimitResult>;
  reset(key: string): Promise<void>;
}

export function createMemoryRateLimiter(now: () => number = Date.now): RateLimiter {
  const windows = new Map<string, { count: number; resetAt: number }>();
  return {
    async hit(key, limit, windowSeconds) {
      const time = now();
      let window = windows.get(key);
      if (!window || window.resetAt <= time) {
        window = { count: 0, resetAt: time + windowSeconds * 1000 };
        windows.set(key, window);
        if (windows.size > 100_000) {
          for (const [k, w] of windows) if (w.resetAt <= time) windows.delete(k);
        }
      }
      window.count++;
      return { allowed: window.count <= limit, retryAfterSeconds: Math.ceil((window.resetAt - time) / 1000) };
    },
    async reset(key) {
      windows.delete(key);
    },
  };
}

export function createRedisRateLimiter(redis: Redis, prefix = 'lp:limit:'): RateLimiter {
  return {
    async hit(key, limit, windowSeconds) {
      try {
        const fullKey = prefix + key;
        const [[, count], , [, ttl]] = (await redis
          .multi()
          .incr(fullKey)
          .expire(fullKey, windowSeconds, 'NX')
          .ttl(fullKey)
          .exec()) as [[null, number], [null, number], [null, number]];
        return { allowed: count <= limit, retryAfterSeconds: Math.max(1, ttl) };
      } catch {
        return { allowed: true, retryAfterSeconds: 0 };
      }
    },
    async reset(key) {
      await redis.del(prefix + key).catch(() => {});
    },
  };
}
