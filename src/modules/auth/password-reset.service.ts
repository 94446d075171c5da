import { and, eq, isNull, sql } from 'drizzle-orm';
import { AppError } from '../../http/errors.js';
import { clientKey } from '../../http/rate-limit.js';
import type { Database } from '../../infrastructure/database/client.js';
import { passwordResetTokens, users } from '../../infrastructure/database/schema/index.js';
import type { Mailer, MailMessage } from '../../infrastructure/mail/mailer.js';
import type { RateLimiter } from '../../infrastructure/rate-limiter.js';
import { generateOpaqueToken, hashOpaqueToken } from '../../infrastructure/security/opaque-tokens.js';
import { hashPassword } from '../../infrastructure/security/password.js';
import type { UserInvalidation } from '../users/user-cache.js';
import { validationError } from '../users/validation-error.js';
import { accountLimitKey, normalizeEmail } from './email-address.js';
import type { LoginThrottleService } from './login-throttle.js';
import { passwordPolicyErrors } from './password-policy.js';
import { type ClientInfo, nextTokenVersion, revokeUserRefreshTokens } from './sessions.js';

/**
 * Reset emails per email address and client address, and per email address from all client addresses,
 * per hour. Beyond the second, a client address that has not asked for this email address within the
 * hour still gets one email sent, so that nobody can use up the owner's quota. More requests still
 * answer 202, they just send nothing.
 */
export const RESET_EMAIL_LIMIT = { perAddress: 3, perAccount: 10, windowSeconds: 60 * 60 };

export interface PasswordResetDeps {
  db: Database;
  mailer: Mailer;
  rateLimiter: RateLimiter;
  /** Told after a reset, so that other people's guesses stop throttling the owner's sign-ins. */
  loginThrottle: Pick<LoginThrottleService, 'accountRecovered'>;
  /** Front-end base URL; the email links to `${publicAppUrl}/reset-password?token=...`. */
  publicAppUrl: string;
  ttlMinutes: number;
  /** Told after a reset has committed (token version bumped: the user's cached state is stale). */
  userCache: UserInvalidation;
  /** Told when a request could not be completed after its response (never with the email: it holds the token). */
  onBackgroundError?: (error: unknown) => void;
}

type ConfirmFailure = 'reset_token_invalid' | 'reset_token_used' | 'reset_token_expired';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function createPasswordResetService(deps: PasswordResetDeps) {
  const { db, mailer, rateLimiter, ttlMinutes } = deps;
  const appUrl = deps.publicAppUrl.replace(/\/+$/, '');
  const pending = new Set<Promise<void>>();

  const failures: Record<ConfirmFailure, string> = {
    reset_token_invalid: 'This password reset link is not valid. Ask for a new one.',
    reset_token_used:
      'This password reset link was already used or replaced by a newer one. Ask for a new one.',
    reset_token_expired: `This password reset link has expired (links are valid for ${ttlMinutes} minutes). Ask for a new one.`,
  };

  function resetEmail(to: string, name: string, token: string): MailMessage {
    const link = `${appUrl}/reset-password?token=${encodeURIComponent(token)}`;
    return {
      to,
      subject: 'Reset your Learning Platform password',
      text: [
        `Hello ${name},`,
        '',
        `Someone, hopefully you, asked to reset the password of your account. Open this link within ${ttlMinutes} minutes to choose a new one:`,
        '',
        link,
        '',
        'The link works once. If you did not ask for this, ignore this email: your password stays as it is.',
      ].join('\n'),
      html: [
        `<p>Hello ${escapeHtml(name)},</p>`,
        `<p>Someone, hopefully you, asked to reset the password of your account. Open this link within ${ttlMinutes} minutes to choose a new one:</p>`,
        `<p><a href="${escapeHtml(link)}">Choose a new password</a></p>`,
        '<p>The link works once. If you did not ask for this, ignore this email: your password stays as it is.</p>',
      ].join('\n'),
    };
  }

  /**
   * Runs `work` after the response has gone out. Everything that depends on whether the address
   * belongs to an account happens here, so the response's content and timing cannot reveal it.
   */
  function afterResponse(work: () => Promise<void>): void {
    const task = new Promise<void>((resolve) => setImmediate(resolve))
      .then(work)
      .catch((error: unknown) => deps.onBackgroundError?.(error))
      .finally(() => pending.delete(task));
    pending.add(task);
  }

  async function issueAndSend(email: string, client: ClientInfo): Promise<void> {
    const [user] = await db
      .select({ id: users.id, name: users.name })
      .from(users)
      .where(and(eq(users.email, email), eq(users.isActive, true)));
    if (!user) return;
    const token = generateOpaqueToken();
    await db.transaction(async (tx) => {
      // A new link replaces the earlier ones.
      await tx
        .update(passwordResetTokens)
        .set({ usedAt: sql`now()` })
        .where(and(eq(passwordResetTokens.userId, user.id), isNull(passwordResetTokens.usedAt)));
      await tx.insert(passwordResetTokens).values({
        userId: user.id,
        tokenHash: hashOpaqueToken(token),
        expiresAt: new Date(Date.now() + ttlMinutes * 60_000),
        requestedIp: client.ipAddress,
      });
    });
    await mailer.send(resetEmail(email, user.name, token));
  }

  return {
    /**
     * Accepts a reset request. Before answering it only counts the request against the address's
     * quota (the same work for every address); looking the account up, issuing the single-use token
     * and emailing the link happen after the response.
     */
    async request(rawEmail: string, client: ClientInfo): Promise<void> {
      const email = normalizeEmail(rawEmail);
      const [fromAddress, forAccount] = await Promise.all([
        rateLimiter.hit(
          accountLimitKey('reset-emails-address', `${email}\n${clientKey(client.ipAddress ?? '')}`),
          RESET_EMAIL_LIMIT.perAddress,
          RESET_EMAIL_LIMIT.windowSeconds,
        ),
        rateLimiter.hit(
          accountLimitKey('reset-emails', email),
          RESET_EMAIL_LIMIT.perAccount,
          RESET_EMAIL_LIMIT.windowSeconds,
        ),
      ]);
      const send = fromAddress.allowed && (forAccount.allowed || fromAddress.count <= 1);
      if (send) afterResponse(() => issueAndSend(email, client));
    },

    /**
     * Sets a new password with a token from a reset email. The token and every other outstanding
     * one of the user are spent; every session ends (token version bumped, refresh tokens revoked).
     */
    async confirm(input: { token: string; newPassword: string }, client?: ClientInfo): Promise<void> {
      const policyErrors = passwordPolicyErrors(input.newPassword, '/body/newPassword');
      if (policyErrors.length > 0) throw validationError(policyErrors);
      const passwordHash = await hashPassword(input.newPassword);

      const outcome = await db.transaction(async (tx) => {
        const [presented] = await tx
          .select({
            userId: passwordResetTokens.userId,
            expiresAt: passwordResetTokens.expiresAt,
            usedAt: passwordResetTokens.usedAt,
          })
          .from(passwordResetTokens)
          .where(eq(passwordResetTokens.tokenHash, hashOpaqueToken(input.token)))
          .for('update');
        if (!presented) return { kind: 'failed', failure: 'reset_token_invalid' } as const;
        if (presented.usedAt !== null) return { kind: 'failed', failure: 'reset_token_used' } as const;
        if (presented.expiresAt.getTime() <= Date.now())
          return { kind: 'failed', failure: 'reset_token_expired' } as const;

        const [user] = await tx
          .select({ email: users.email, isActive: users.isActive })
          .from(users)
          .where(eq(users.id, presented.userId));
        if (!user?.isActive) return { kind: 'failed', failure: 'reset_token_invalid' } as const;
        const emailErrors = passwordPolicyErrors(input.newPassword, '/body/newPassword', {
          email: user.email,
        });
        if (emailErrors.length > 0) throw validationError(emailErrors);

        await tx
          .update(users)
          // Following the emailed link proves the address works.
          .set({
            passwordHash,
            tokenVersion: nextTokenVersion(),
            emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, now())`,
          })
          .where(eq(users.id, presented.userId));
        await tx
          .update(passwordResetTokens)
          .set({ usedAt: sql`now()` })
          .where(and(eq(passwordResetTokens.userId, presented.userId), isNull(passwordResetTokens.usedAt)));
        await revokeUserRefreshTokens(tx, presented.userId, 'password_reset');
        return { kind: 'reset', userId: presented.userId, email: user.email } as const;
      });

      if (outcome.kind === 'failed') {
        throw new AppError('bad_request', failures[outcome.failure], {
          reason: outcome.failure,
          errors: [{ field: '/body/token', message: failures[outcome.failure] }],
        });
      }
      await deps.userCache.userChanged(outcome.userId);
      // The owner proved control of the mailbox: a lockout from someone else's guesses ends here.
      await deps.loginThrottle.accountRecovered(outcome.email, client?.ipAddress);
    },

    /** Waits for requests still being completed after their response (graceful shutdown). */
    async drain(): Promise<void> {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}

export type PasswordResetService = ReturnType<typeof createPasswordResetService>;
