import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Database } from '../../infrastructure/database/client/client.js';
import { passwordResetTokens, users } from '../../infrastructure/database/schema/index.js';
import type { DomainEventBus } from '../../infrastructure/events/domain-events.js';
import { unitOfWork } from '../../infrastructure/events/unit-of-work.js';
import type { RateLimiter } from '../../infrastructure/rate-limiter.js';
import { hashOpaqueToken } from '../../infrastructure/security/opaque-tokens.js';
import { hashPassword } from '../../infrastructure/security/password.js';
import { clientKey } from '../../shared/client-address.js';
import { AppError } from '../../shared/errors.js';
import { validationFailed } from '../../shared/validation.js';
import type { Accounts } from '../users/index.js';
import { accountLimitKey, normalizeEmail } from './email-address.js';
import type { LoginThrottleService } from './login-throttle.js';
import { passwordPolicyErrors } from './password-policy.js';
import { type ClientInfo, revokeUserRefreshTokens } from './sessions.js';

/**
 * Reset emails per email address and client address, and per email address from all client addresses,
 * per hour. Beyond the second, a client address that has not asked for this email address within the
 * hour still gets one email sent, so that nobody can use up the owner's quota. More requests still
 * answer 202, they just send nothing.
 */
export const RESET_EMAIL_LIMIT = { perAddress: 3, perAccount: 10, windowSeconds: 60 * 60 };

export interface PasswordResetDeps {
  db: Database;
  rateLimiter: RateLimiter;
  /** Told after a reset, so that other people's guesses stop throttling the owner's sign-ins. */
  loginThrottle: Pick<LoginThrottleService, 'accountRecovered'>;
  /** Link lifetime, named in the expiry message. */
  ttlMinutes: number;
  /** The users module's writes of the `users` row (the new password; publishes `user.changed`). */
  accounts: Accounts;
  /** Accepted requests publish `password-reset.requested`; the email is sent by its subscriber. */
  events: DomainEventBus;
}

type ConfirmFailure = 'reset_token_invalid' | 'reset_token_used' | 'reset_token_expired';

export function createPasswordResetService(deps: PasswordResetDeps) {
  const { db, rateLimiter, ttlMinutes, accounts, events } = deps;

  const failures: Record<ConfirmFailure, string> = {
    reset_token_invalid: 'This password reset link is not valid. Ask for a new one.',
    reset_token_used:
      'This password reset link was already used or replaced by a newer one. Ask for a new one.',
    reset_token_expired: `This password reset link has expired (links are valid for ${ttlMinutes} minutes). Ask for a new one.`,
  };

  return {
    /**
     * Accepts a reset request. Before answering it only counts the request against the address's
     * quota (the same work for every address) and publishes `password-reset.requested`; its
     * subscriber (reset-emails.ts, detached) looks the account up, issues the single-use token and
     * emails the link after the response, so the response's content and timing cannot reveal whether
     * the address belongs to an account.
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
      if (fromAddress.allowed && (forAccount.allowed || fromAddress.count <= 1)) {
        await events.publish('password-reset.requested', { email, ipAddress: client.ipAddress });
      }
    },

    /**
     * Sets a new password with a token from a reset email. The token and every other outstanding
     * one of the user are spent; every session ends (token version bumped, refresh tokens revoked).
     */
    async confirm(input: { token: string; newPassword: string }, client?: ClientInfo): Promise<void> {
      const policyErrors = passwordPolicyErrors(input.newPassword, '/body/newPassword');
      if (policyErrors.length > 0) throw validationFailed(policyErrors);
      const passwordHash = await hashPassword(input.newPassword);

      const outcome = await unitOfWork(db, events, async (tx, changes) => {
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
        if (emailErrors.length > 0) throw validationFailed(emailErrors);

        // Following the emailed link proves the address works.
        await accounts.setPassword(tx, changes, presented.userId, { passwordHash, emailVerified: true });
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
      // The owner proved control of the mailbox: a lockout from someone else's guesses ends here.
      await deps.loginThrottle.accountRecovered(outcome.email, client?.ipAddress);
    },
  };
}

export type PasswordResetService = ReturnType<typeof createPasswordResetService>;
