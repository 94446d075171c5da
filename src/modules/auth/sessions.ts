import { randomUUID } from 'node:crypto';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { refreshTokens } from '../../infrastructure/database/schema/index.js';
import type { AccessTokens } from '../../infrastructure/security/access-tokens.js';
import { generateOpaqueToken, hashOpaqueToken } from '../../infrastructure/security/opaque-tokens.js';
import type { Executor } from '../../shared/transaction.js';
import { type SessionUser, toUserView, type UserView } from '../users/index.js';

/** Why refresh tokens were revoked (`refresh_tokens.revoked_reason`). */
export type RevokeReason =
  | 'logout'
  | 'logout_all'
  | 'reuse_detected'
  | 'password_changed'
  | 'password_reset'
  | 'deactivated';

/**
 * Why refreshing with a revoked token that was never used fails, by why it was revoked: that holder
 * was signed out, it is no sign of a copied token. (A used token presented again is reuse instead.)
 * Undefined for the other reasons, which get the generic refusal.
 */
export function revokedRefreshTokenDetail(reason: string | null): string | undefined {
  switch (reason as RevokeReason | null) {
    case 'logout':
    case 'logout_all':
      return 'This session was signed out; sign in again.';
    case 'password_changed':
    case 'password_reset':
      return 'This session was signed out because the account password changed; sign in again.';
    case 'reuse_detected':
      return 'This session was signed out because one of its refresh tokens was used twice; sign in again.';
    // Stryker disable next-line ConditionalExpression: equivalent, falling off the switch returns undefined too
    default:
      return undefined;
  }
}

/** Where a session was started from, kept with its refresh tokens for the account's owner and support. */
export interface ClientInfo {
  ipAddress?: string | undefined;
  userAgent?: string | undefined;
}

const USER_AGENT_MAX_LENGTH = 512;

export interface IssuedRefreshToken {
  token: string;
  expiresAt: Date;
}

/** What the login, register, refresh and change-password endpoints answer. */
export interface TokenPair {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  refreshToken: string;
  refreshTokenExpiresAt: string;
  user: UserView;
}

/**
 * Stores a new refresh token (its hash only) and returns the token itself, which exists nowhere
 * else. Without `familyId` it starts a new family (a new sign-in).
 */
export async function issueRefreshToken(
  db: Executor,
  input: { userId: string; familyId?: string; ttlDays: number; client: ClientInfo },
): Promise<IssuedRefreshToken> {
  const token = generateOpaqueToken();
  const expiresAt = new Date(Date.now() + input.ttlDays * 86_400_000);
  await db.insert(refreshTokens).values({
    userId: input.userId,
    familyId: input.familyId ?? randomUUID(),
    tokenHash: hashOpaqueToken(token),
    expiresAt,
    userAgent: input.client.userAgent?.slice(0, USER_AGENT_MAX_LENGTH),
    ipAddress: input.client.ipAddress,
  });
  return { token, expiresAt };
}

/** Revokes every not yet revoked token of one family (one sign-in on one device). */
export async function revokeRefreshTokenFamily(
  db: Executor,
  familyId: string,
  reason: RevokeReason,
): Promise<void> {
  await db
    .update(refreshTokens)
    .set({ revokedAt: sql`now()`, revokedReason: reason })
    .where(and(eq(refreshTokens.familyId, familyId), isNull(refreshTokens.revokedAt)));
}

/**
 * Revokes every usable refresh token of a user (all devices). Used tokens are left alone: presenting
 * one again is reuse and revokes its family anyway.
 */
export async function revokeUserRefreshTokens(
  db: Executor,
  userId: string,
  reason: RevokeReason,
): Promise<void> {
  await db
    .update(refreshTokens)
    .set({ revokedAt: sql`now()`, revokedReason: reason })
    .where(
      and(eq(refreshTokens.userId, userId), isNull(refreshTokens.revokedAt), isNull(refreshTokens.usedAt)),
    );
}

export function tokenPair(
  accessTokens: AccessTokens,
  user: SessionUser,
  refresh: IssuedRefreshToken,
): TokenPair {
  return {
    accessToken: accessTokens.sign({ sub: user.id, role: user.role, tv: user.tokenVersion }),
    // Stryker disable next-line StringLiteral: equivalent over HTTP, the response schema's const writes "Bearer"
    tokenType: 'Bearer',
    expiresIn: accessTokens.ttlSeconds,
    refreshToken: refresh.token,
    refreshTokenExpiresAt: refresh.expiresAt.toISOString(),
    user: toUserView(user),
  };
}
