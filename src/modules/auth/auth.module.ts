/**
 * The auth module: sign-up, sign-in, token refresh, sign-out and password reset. It writes the
 * `refresh_tokens` and `password_reset_tokens` tables (also their hourly purge, token-purge.ts, run
 * by the job queue); the `users` row is written through the users module's accounts port, so that
 * module stays its one owner.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Config } from '../../config.js';
import type { Database } from '../../infrastructure/database/client/client.js';
import type { DomainEventBus } from '../../infrastructure/events/domain-events.js';
import type { RateLimiter } from '../../infrastructure/rate-limiter.js';
import type { AccessTokens } from '../../infrastructure/security/access-tokens.js';
import type { Accounts } from '../users/index.js';
import { authRoutes } from './auth.routes.js';
import { createAuthService } from './auth.service.js';
import { createLoginThrottle } from './login-throttle.js';
import { createPasswordResetService } from './password-reset.service.js';

/** Exactly what the auth module needs from the composition root. */
export interface AuthModuleDependencies {
  config: Pick<Config, 'refreshTokenTtlDays' | 'passwordResetTtlMinutes' | 'rateLimit' | 'loginThrottle'>;
  db: Database;
  accessTokens: AccessTokens;
  rateLimiter: RateLimiter;
  /** Writes of the `users` row, owned by the users module (sign-up, sign-in, passwords). */
  accounts: Accounts;
  /** Sign-ins and password changes publish `user.changed` (through accounts), reset requests their own event. */
  events: DomainEventBus;
}

export const authModule: FastifyPluginAsyncTypebox<AuthModuleDependencies> = async (app, deps) => {
  const { config, db, accessTokens, rateLimiter, accounts, events } = deps;
  const loginThrottle = createLoginThrottle(rateLimiter, config.loginThrottle);
  const auth = createAuthService({
    db,
    accessTokens,
    rateLimiter,
    loginThrottle,
    refreshTokenTtlDays: config.refreshTokenTtlDays,
    accounts,
    events,
  });
  const passwordResets = createPasswordResetService({
    db,
    rateLimiter,
    accounts,
    events,
    loginThrottle,
    ttlMinutes: config.passwordResetTtlMinutes,
  });
  await app.register(authRoutes, { config, auth, passwordResets });
};
