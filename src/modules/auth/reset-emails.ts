import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Database } from '../../infrastructure/database/client/client.js';
import { passwordResetTokens, users } from '../../infrastructure/database/schema/index.js';
import type { DomainEvents } from '../../infrastructure/events/domain-events.js';
import type { Mailer, MailMessage } from '../../infrastructure/mail/mailer.js';
import { generateOpaqueToken, hashOpaqueToken } from '../../infrastructure/security/opaque-tokens.js';

export interface ResetEmailDeps {
  db: Database;
  mailer: Mailer;
  /** Front-end base URL; the email links to `${publicAppUrl}/reset-password?token=...`. */
  publicAppUrl: string;
  ttlMinutes: number;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The reaction to `password-reset.requested` (subscribed detached in src/subscribers.ts, so it runs
 * after the response): if an active account uses the address, a new single-use token replaces its
 * earlier ones and the link is emailed. Nothing happens for other addresses.
 */
export function createResetEmails(deps: ResetEmailDeps) {
  const { db, mailer, ttlMinutes } = deps;
  const appUrl = deps.publicAppUrl.replace(/\/+$/, '');

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

  return {
    async send(request: DomainEvents['password-reset.requested']): Promise<void> {
      const [user] = await db
        .select({ id: users.id, name: users.name })
        .from(users)
        .where(and(eq(users.email, request.email), eq(users.isActive, true)));
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
          requestedIp: request.ipAddress,
        });
      });
      await mailer.send(resetEmail(request.email, user.name, token));
    },
  };
}
