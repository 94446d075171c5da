/**
 * Sign-up, sign-in and sessions. The auth module writes the `refresh_tokens` and
 * `password_reset_tokens` tables; the `users` row belongs to the users module and is written only
 * through its `Accounts` (which also publishes `user.changed`).
 */
import { eq, sql } from 'drizzle-orm';
import type { Database } from '../../infrastructure/database/client/client.js';
import { refreshTokens, users } from '../../infrastructure/database/schema/index.js';
import type { DomainEventBus } from '../../infrastructure/events/domain-events.js';
import { unitOfWork } from '../../infrastructure/events/unit-of-work.js';
import type { RateLimiter } from '../../infrastructure/rate-limiter.js';
import type { AccessTokens } from '../../infrastructure/security/access-tokens.js';
import { generateOpaqueToken, hashOpaqueToken } from '../../infrastructure/security/opaque-tokens.js';
import { hashPassword, verifyPassword } from '../../infrastructure/security/password.js';
import type { Actor } from '../../shared/actor.js';
import { AppError, type FieldError } from '../../shared/errors.js';
import { validationFailed } from '../../shared/validation.js';
import { type Accounts, checkDisplayName, sessionUserColumns } from '../users/index.js';
import { normalizeEmail } from './email-address.js';
import type { LoginThrottleService } from './login-throttle.js';
import { passwordPolicyErrors } from './password-policy.js';
import {
  type ClientInfo,
  issueRefreshToken,
  revokedRefreshTokenDetail,
  revokeRefreshTokenFamily,
  revokeUserRefreshTokens,
  type TokenPair,
  tokenPair,
} from './sessions.js';

/** Wrong current passwords per user (sign-ins are throttled by login-throttle.ts). */
export const PASSWORD_CHANGE_FAILURE_LIMIT = { limit: 5, windowSeconds: 15 * 60 };

/** One message for every failed sign-in: unknown email, wrong password and deactivated account look alike. */
export const INVALID_CREDENTIALS = 'The email address or password is incorrect.';
const INVALID_REFRESH_TOKEN = 'The refresh token is invalid, expired or revoked. Sign in again.';
const REUSED_REFRESH_TOKEN =
  'This refresh token was already used. As a precaution, the session it belongs to has been signed out on every device that shared it. Sign in again.';

export interface AuthServiceDeps {
  db: Database;
  accessTokens: AccessTokens;
  rateLimiter: RateLimiter;
  loginThrottle: LoginThrottleService;
  refreshTokenTtlDays: number;
  /** The users module's writes of the `users` row (each publishes `user.changed`). */
  accounts: Accounts;
  events: DomainEventBus;
}

export interface RegisterInput {
  email: string;
  password: string;
  name: string;
}

export function createAuthService(deps: AuthServiceDeps) {
  const { db, accessTokens, rateLimiter, loginThrottle, refreshTokenTtlDays, accounts, events } = deps;
  // Unknown emails are checked against this hash so that they cost the same argon2 work as known ones.
  const dummyPasswordHash = hashPassword(generateOpaqueToken());

  async function tooManyAttempts(
    key: string,
    rule: { limit: number; windowSeconds: number },
    detail: string,
  ) {
    const result = await rateLimiter.hit(key, rule.limit, rule.windowSeconds);
    if (!result.allowed) {
      throw new AppError('rate_limited', detail, undefined, { retryAfterSeconds: result.retryAfterSeconds });
    }
  }

  return {
    /** Creates a student account and signs it in. Role is never taken from the request. */
    async register(input: RegisterInput, client: ClientInfo): Promise<TokenPair> {
      const email = normalizeEmail(input.email);
      const checkedName = checkDisplayName(input.name, '/body/name');
      const errors: FieldError[] = passwordPolicyErrors(input.password, '/body/password', { email });
      if ('error' in checkedName) errors.push(checkedName.error);
      if (errors.length > 0 || 'error' in checkedName) throw validationFailed(errors);
      const { name } = checkedName;

      const passwordHash = await hashPassword(input.password);
      return unitOfWork(db, events, async (tx, changes) => {
        const user = await accounts.create(tx, changes, { email, passwordHash, name });
        if (!user) {
          throw new AppError(
            'conflict',
            'An account with this email address already exists. Sign in instead.',
            {
              errors: [{ field: '/body/email', message: 'is already registered' }],
            },
          );
        }
        const refresh = await issueRefreshToken(tx, {
          userId: user.id,
          ttlDays: refreshTokenTtlDays,
          client,
        });
        return tokenPair(accessTokens, user, refresh);
      });
    },

    /**
     * Email + password → a new session (refresh token family). Every failure answers the same 401.
     * Throttled per account and client address (login-throttle.ts): the same steps for known and
     * unknown emails, so neither the answers nor their timing tell them apart.
     */
    async login(input: { email: string; password: string }, client: ClientInfo): Promise<TokenPair> {
      const email = normalizeEmail(input.email);
      // Stryker disable next-line StringLiteral: equivalent, the routes pass Fastify's request.ip, always a string, so the fallback is never used
      await loginThrottle.check(email, client.ipAddress ?? '');

      const [user] = await db
        .select({ ...sessionUserColumns, passwordHash: users.passwordHash })
        .from(users)
        .where(eq(users.email, email));
      const passwordMatches = await verifyPassword(
        user?.passwordHash ?? (await dummyPasswordHash),
        input.password,
      );
      if (!user || !passwordMatches || !user.isActive) {
        // Stryker disable next-line StringLiteral: equivalent, the routes pass Fastify's request.ip, always a string, so the fallback is never used
        await loginThrottle.failed(email, client.ipAddress ?? '');
        throw new AppError('unauthorized', INVALID_CREDENTIALS);
      }
      // Stryker disable next-line StringLiteral: equivalent, the routes pass Fastify's request.ip, always a string, so the fallback is never used
      await loginThrottle.succeeded(email, client.ipAddress ?? '');

      // /me shows the last sign-in time: recordSignIn publishes `user.changed`.
      return unitOfWork(db, events, async (tx, changes) => {
        const signedIn = await accounts.recordSignIn(tx, changes, user.id);
        const refresh = await issueRefreshToken(tx, {
          userId: user.id,
          ttlDays: refreshTokenTtlDays,
          client,
        });
        return tokenPair(accessTokens, signedIn ?? user, refresh);
      });
    },

    /**
     * Rotates a refresh token: the presented one is marked used and the next one of its family is
     * issued, in one transaction holding the presented row's lock, so two concurrent refreshes with
     * the same token cannot both succeed. A used token presented again revokes its family (reuse); a
     * token revoked before its use (signed out) is refused saying so.
     */
    async refresh(refreshToken: string, client: ClientInfo): Promise<TokenPair> {
      const tokenHash = hashOpaqueToken(refreshToken);
      const outcome = await db.transaction(async (tx) => {
        const [presented] = await tx
          .select({
            id: refreshTokens.id,
            userId: refreshTokens.userId,
            familyId: refreshTokens.familyId,
            expiresAt: refreshTokens.expiresAt,
            usedAt: refreshTokens.usedAt,
            revokedAt: refreshTokens.revokedAt,
            revokedReason: refreshTokens.revokedReason,
          })
          .from(refreshTokens)
          .where(eq(refreshTokens.tokenHash, tokenHash))
          .for('update');
        if (!presented) return { kind: 'invalid' } as const;
        if (presented.usedAt !== null) {
          await revokeRefreshTokenFamily(tx, presented.familyId, 'reuse_detected');
          return { kind: 'reused' } as const;
        }
        // Revoked before it was ever used: its family is already signed out, nothing to revoke.
        if (presented.revokedAt !== null)
          return { kind: 'revoked', reason: presented.revokedReason } as const;
        // Stryker disable next-line EqualityOperator: equivalent, only a refresh at the expiry's very millisecond tells `<` from `<=`
        if (presented.expiresAt.getTime() <= Date.now()) return { kind: 'invalid' } as const;

        const [user] = await tx.select(sessionUserColumns).from(users).where(eq(users.id, presented.userId));
        // Stryker disable next-line OptionalChaining: equivalent, the token row is locked and a deleted user's tokens are deleted with it (cascade), so the user is there
        if (!user?.isActive) return { kind: 'invalid' } as const;

        await tx.update(refreshTokens).set({ usedAt: sql`now()` }).where(eq(refreshTokens.id, presented.id));
        const next = await issueRefreshToken(tx, {
          userId: user.id,
          familyId: presented.familyId,
          ttlDays: refreshTokenTtlDays,
          client,
        });
        return { kind: 'rotated', pair: tokenPair(accessTokens, user, next) } as const;
      });
      // Thrown after the transaction so that a reuse revocation is committed, not rolled back.
      if (outcome.kind === 'reused') throw new AppError('unauthorized', REUSED_REFRESH_TOKEN);
      if (outcome.kind === 'invalid') throw new AppError('unauthorized', INVALID_REFRESH_TOKEN);
      if (outcome.kind === 'revoked') {
        throw new AppError(
          'unauthorized',
          revokedRefreshTokenDetail(outcome.reason) ?? INVALID_REFRESH_TOKEN,
        );
      }
      return outcome.pair;
    },

    /**
     * Signs out the device holding `refreshToken` (its whole family). Unknown and already revoked
     * tokens are accepted silently: signing out twice is not an error.
     */
    async logout(refreshToken: string): Promise<void> {
      const [presented] = await db
        .select({ familyId: refreshTokens.familyId })
        .from(refreshTokens)
        .where(eq(refreshTokens.tokenHash, hashOpaqueToken(refreshToken)));
      if (presented) await revokeRefreshTokenFamily(db, presented.familyId, 'logout');
    },

    /** Signs out every device: all refresh tokens revoked, all access tokens dead at their next use. */
    async logoutEverywhere(actor: Actor): Promise<void> {
      await unitOfWork(db, events, async (tx, changes) => {
        await accounts.bumpTokenVersion(tx, changes, actor.id);
        await revokeUserRefreshTokens(tx, actor.id, 'logout_all');
      });
    },

    /**
     * Needs the current password. Every other session ends (token version bumped, refresh tokens
     * revoked); this device gets a fresh token pair in a new family.
     */
    async changePassword(
      actor: Actor,
      input: { currentPassword: string; newPassword: string },
      client: ClientInfo,
    ): Promise<TokenPair> {
      const limitKey = `auth:password-change-failures:${actor.id}`;
      await tooManyAttempts(
        limitKey,
        PASSWORD_CHANGE_FAILURE_LIMIT,
        'Too many attempts with a wrong current password. Wait before trying again.',
      );
      const [user] = await db
        .select({ email: users.email, passwordHash: users.passwordHash })
        .from(users)
        .where(eq(users.id, actor.id));
      // Stryker disable next-line ConditionalExpression,StringLiteral: equivalent for tests, the guard has just refused a deleted user's token; only a deletion since then reaches this
      if (!user) throw new AppError('unauthorized', 'The access token has been revoked.');

      const errors: FieldError[] = [];
      if (await verifyPassword(user.passwordHash, input.currentPassword)) {
        await rateLimiter.reset(limitKey);
      } else {
        errors.push({ field: '/body/currentPassword', message: 'is not your current password' });
      }
      errors.push(...passwordPolicyErrors(input.newPassword, '/body/newPassword', { email: user.email }));
      if (errors.length === 0 && input.newPassword === input.currentPassword) {
        errors.push({ field: '/body/newPassword', message: 'must differ from the current password' });
      }
      if (errors.length > 0) throw validationFailed(errors);

      const passwordHash = await hashPassword(input.newPassword);
      return unitOfWork(db, events, async (tx, changes) => {
        const updated = await accounts.setPassword(tx, changes, actor.id, { passwordHash });
        // Stryker disable next-line ConditionalExpression,StringLiteral: equivalent for tests, as above: the user was read a moment ago
        if (!updated) throw new AppError('unauthorized', 'The access token has been revoked.');
        await revokeUserRefreshTokens(tx, actor.id, 'password_changed');
        const refresh = await issueRefreshToken(tx, {
          userId: actor.id,
          ttlDays: refreshTokenTtlDays,
          client,
        });
        return tokenPair(accessTokens, updated, refresh);
      });
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
