import type { Redis } from 'ioredis';

/** One key's window after counting an event. */
export interface WindowCount {
  /** Events in the current window, this one included. */
  current: number;
  /** Milliseconds until the window resets. */
  ttlMs: number;
}

/**
 * Fixed-window counters, the one implementation behind every limit (per client address on each
 * request, and per account for sign-ins and reset emails): the first event of a key opens its
 * window. The in-process store answers synchronously, so the per-request limiter adds no promise to
 * the hot path; Redis (shared by every instance) asynchronously, with `undefined` when unavailable
 * (callers fail open: an outage of the limiter must not become an outage of the API).
 */
export type FixedWindowStore =
  | {
      sync: true;
      incr(key: string, windowMs: number): WindowCount;
      peek(key: string): WindowCount | undefined;
      reset(key: string): void;
    }
  | {
      sync: false;
      incr(key: string, windowMs: number): Promise<WindowCount | undefined>;
      peek(key: string): Promise<WindowCount | undefined>;
      reset(key: string): Promise<void>;
    };

/** In-process counters kept at most (expired ones go first, then the oldest). */
const MAX_LOCAL_KEYS = 100_000;

export function memoryWindows(now: () => number = Date.now): FixedWindowStore {
  const windows = new Map<string, { current: number; endsAt: number }>();
  return {
    sync: true,
    incr(key, windowMs) {
      const time = now();
      let window = windows.get(key);
      if (window === undefined || window.endsAt <= time) {
        if (window === undefined && windows.size >= MAX_LOCAL_KEYS) {
          for (const [k, w] of windows) if (w.endsAt <= time) windows.delete(k);
          if (windows.size >= MAX_LOCAL_KEYS) windows.delete(windows.keys().next().value as string);
        }
        window = { current: 0, endsAt: time + windowMs };
        windows.set(key, window);
      }
      window.current += 1;
      return { current: window.current, ttlMs: window.endsAt - time };
    },
    peek(key) {
      const window = windows.get(key);
      const time = now();
      if (window === undefined || window.endsAt <= time) return undefined;
      return { current: window.current, ttlMs: window.endsAt - time };
    },
    reset(key) {
      windows.delete(key);
    },
  };
}

// INCR, and PEXPIRE when the window opens: one round trip, atomic, shared by every instance.
const INCREMENT_SCRIPT = `
local current = redis.call('INCR', KEYS[1])
local ttl = tonumber(ARGV[1])
if current == 1 then
  redis.call('PEXPIRE', KEYS[1], ttl)
else
  ttl = redis.call('PTTL', KEYS[1])
end
return {current, ttl}`;

type WindowRedis = Redis & { lpFixedWindow(key: string, windowMs: number): Promise<[number, number]> };

export function redisWindows(redis: Redis, prefix = ''): FixedWindowStore {
  const client = redis as WindowRedis;
  if (typeof client.lpFixedWindow !== 'function') {
    redis.defineCommand('lpFixedWindow', { numberOfKeys: 1, lua: INCREMENT_SCRIPT });
  }
  return {
    sync: false,
    incr: (key, windowMs) =>
      client.lpFixedWindow(prefix + key, windowMs).then(
        ([current, ttlMs]) => ({ current, ttlMs }),
        () => undefined,
      ),
    async peek(key) {
      try {
        const [[, value], [, ttlMs]] = (await redis
          .multi()
          .get(prefix + key)
          .pttl(prefix + key)
          .exec()) as [[null, string | null], [null, number]];
        return value === null || ttlMs <= 0 ? undefined : { current: Number(value), ttlMs };
      } catch {
        return undefined;
      }
    },
    async reset(key) {
      await redis.del(prefix + key).catch(() => {});
    },
  };
}

export function createFixedWindows(redis: Redis | undefined): FixedWindowStore {
  return redis ? redisWindows(redis) : memoryWindows();
}
