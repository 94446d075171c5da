import { randomUUID } from 'node:crypto';
import { and, eq, isNull, type SQL, sql } from 'drizzle-orm';
import { refreshTokens, users } from '../../infrastructure/database/schema/index.js';
import type { AccessTokens } from '../../infrastructure/security/access-tokens.js';
import { generateOpaqueToken, hashOpaqueToken } from '../../infrastructure/security/opaque-tokens.js';
import type { Executor } from '../../shared/transaction.js';
import { toUserView, type UserRow, type UserView } from '../users/index.js';

/** Why refresh tokens were revoked (`refresh_tokens.revoked_reason`). */
export type RevokeReason =
  | 'logout'
  | 'logout_all'
  | 'reuse_detected'
  | 'password_changed'
  | 'password_reset'
  | 'deactivated';

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
 * `users.token_version + 1`, for the `set` of an update: every access token issued before stops
 * working on its next request (the guard compares the token's `tv` with this column).
 */
export function nextTokenVersion(): SQL<number> {
  return sql<number>`${users.tokenVersion} + 1`;
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
  user: UserRow & { tokenVersion: number },
  refresh: IssuedRefreshToken,
): TokenPair {
  return {
    accessToken: accessTokens.sign({ sub: user.id, role: user.role, tv: user.tokenVersion }),
    tokenType: 'Bearer',
    expiresIn: accessTokens.ttlSeconds,
    refreshToken: refresh.token,
    refreshTokenExpiresAt: refresh.expiresAt.toISOString(),
    user: toUserView(user),
  };
}
