import { Redis } from 'ioredis';

/**
 * The shared Redis connection (cache, rate limits, live fan-out). Commands fail fast while Redis is
 * down (no offline queue, one retry) so that callers can fall back instead of hanging a request.
 */
export function createRedis(url: string): Redis {
  const redis = new Redis(url, {
    lazyConnect: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    commandTimeout: 1_000,
    // Keep reconnecting in the background, at most every 2 s.
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
  // Reported through failing commands (and their fallbacks); an unhandled 'error' would crash.
  redis.on('error', () => {});
  return redis;
}
