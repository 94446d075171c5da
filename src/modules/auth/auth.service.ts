import { eq, sql } from 'drizzle-orm';
import type { Actor } from '../../http/actor.js';
import { AppError, type FieldError } from '../../http/errors.js';
import type { Database } from '../../infrastructure/database/client.js';
import { refreshTokens, users } from '../../infrastructure/database/schema/index.js';
import type { RateLimiter } from '../../infrastructure/rate-limiter.js';
import type { AccessTokens } from '../../infrastructure/security/access-tokens.js';
import { generateOpaqueToken, hashOpaqueToken } from '../../infrastructure/security/opaque-tokens.js';
import { hashPassword, verifyPassword } from '../../infrastructure/security/password.js';
import { checkDisplayName } from '../users/display-name.js';
import type { UserInvalidation } from '../users/user-cache.js';
import { userColumns } from '../users/user-view.js';
import { validationError } from '../users/validation-error.js';
import { normalizeEmail } from './email-address.js';
import type { LoginThrottleService } from './login-throttle.js';
import { passwordPolicyErrors } from './password-policy.js';
import {
  type ClientInfo,
  issueRefreshToken,
  nextTokenVersion,
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
  /** Told after every committed change to a user's row (the auth guard and /me cache it). */
  userCache: UserInvalidation;
}

export interface RegisterInput {
  email: string;
  password: string;
  name: string;
}

const sessionUserColumns = {
  ...userColumns(users),
  tokenVersion: users.tokenVersion,
};

export function createAuthService(deps: AuthServiceDeps) {
  const { db, accessTokens, rateLimiter, loginThrottle, refreshTokenTtlDays, userCache } = deps;
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
      if (errors.length > 0 || 'error' in checkedName) throw validationError(errors);
      const { name } = checkedName;

      const passwordHash = await hashPassword(input.password);
      return db.transaction(async (tx) => {
        // ON CONFLICT instead of a read first: two simultaneous registrations cannot both win.
        const [user] = await tx
          .insert(users)
          .values({ email, passwordHash, name, role: 'student', lastLoginAt: sql`now()` })
          .onConflictDoNothing({ target: users.email })
          .returning(sessionUserColumns);
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
        await loginThrottle.failed(email, client.ipAddress ?? '');
        throw new AppError('unauthorized', INVALID_CREDENTIALS);
      }
      await loginThrottle.succeeded(email, client.ipAddress ?? '');

      const pair = await db.transaction(async (tx) => {
        const [signedIn] = await tx
          .update(users)
          .set({ lastLoginAt: sql`now()` })
          .where(eq(users.id, user.id))
          .returning(sessionUserColumns);
        const refresh = await issueRefreshToken(tx, {
          userId: user.id,
          ttlDays: refreshTokenTtlDays,
          client,
        });
        return tokenPair(accessTokens, signedIn ?? user, refresh);
      });
      // /me shows the last sign-in time.
      await userCache.userChanged(user.id);
      return pair;
    },

    /**
     * Rotates a refresh token: the presented one is marked used and the next one of its family is
     * issued, in one transaction holding the presented row's lock, so two concurrent refreshes with
     * the same token cannot both succeed. A used or revoked token presented again revokes its family.
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
          })
          .from(refreshTokens)
          .where(eq(refreshTokens.tokenHash, tokenHash))
          .for('update');
        if (!presented) return { kind: 'invalid' } as const;
        if (presented.usedAt !== null || presented.revokedAt !== null) {
          await revokeRefreshTokenFamily(tx, presented.familyId, 'reuse_detected');
          return { kind: 'reused' } as const;
        }
        if (presented.expiresAt.getTime() <= Date.now()) return { kind: 'invalid' } as const;

        const [user] = await tx.select(sessionUserColumns).from(users).where(eq(users.id, presented.userId));
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
      await db.transaction(async (tx) => {
        await tx.update(users).set({ tokenVersion: nextTokenVersion() }).where(eq(users.id, actor.id));
        await revokeUserRefreshTokens(tx, actor.id, 'logout_all');
      });
      await userCache.userChanged(actor.id);
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
      if (errors.length > 0) throw validationError(errors);

      const passwordHash = await hashPassword(input.newPassword);
      const pair = await db.transaction(async (tx) => {
        const [updated] = await tx
          .update(users)
          .set({ passwordHash, tokenVersion: nextTokenVersion() })
          .where(eq(users.id, actor.id))
          .returning(sessionUserColumns);
        if (!updated) throw new AppError('unauthorized', 'The access token has been revoked.');
        await revokeUserRefreshTokens(tx, actor.id, 'password_changed');
        const refresh = await issueRefreshToken(tx, {
          userId: actor.id,
          ttlDays: refreshTokenTtlDays,
          client,
        });
        return tokenPair(accessTokens, updated, refresh);
      });
      await userCache.userChanged(actor.id);
      return pair;
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
