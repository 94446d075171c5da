import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { AppError } from './errors.js';

export interface RateLimitSettings {
  globalPerMinute: number;
  /** Shared store for every instance; in-process counters when absent. */
  redis?: Redis;
}

/**
 * Per-IP limits for every route (routes tighten theirs with `config: { rateLimit: { max, timeWindow } }`).
 * Uses the IETF draft `RateLimit-*` headers. If Redis fails, requests are let through
 * (`skipOnError`): an outage of the limiter must not become an outage of the API.
 */
export async function registerRateLimit(app: FastifyInstance, settings: RateLimitSettings): Promise<void> {
  await app.register(rateLimit, {
    global: true,
    max: settings.globalPerMinute,
    timeWindow: '1 minute',
    redis: settings.redis,
    nameSpace: 'lp:rate-limit:',
    skipOnError: true,
    enableDraftSpec: true,
    errorResponseBuilder: (_request, context) =>
      new AppError(
        'rate_limited',
        `Too many requests: the limit is ${context.max} per ${context.after}. Try again later.`,
        undefined,
        { retryAfterSeconds: Math.ceil(context.ttl / 1000) },
      ),
  });
}
