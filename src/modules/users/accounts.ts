import { eq, type SQL, sql } from 'drizzle-orm';
import { users } from '../../infrastructure/database/schema/index.js';
import type { DomainEvents } from '../../infrastructure/events/domain-events.js';
import type { TransactionEvents } from '../../infrastructure/events/unit-of-work.js';
import type { Transaction } from '../../shared/transaction.js';
import { type UserRow, userColumns } from './user-view.js';

/** A user as sessions need them: the client view plus the token version access tokens carry. */
export const sessionUserColumns = { ...userColumns(users), tokenVersion: users.tokenVersion };
export type SessionUser = UserRow & { tokenVersion: number };

/**
 * `users.token_version + 1`, for the `set` of an update: every access token issued before stops
 * working on its next request (the guard compares the token's `tv` with this column).
 */
export function nextTokenVersion(): SQL<number> {
  return sql<number>`${users.tokenVersion} + 1`;
}

/**
 * The writes of the `users` row that sign-up, sign-in and passwords need (the auth module), made by
 * the module that owns the row. Each runs in the caller's transaction and publishes `user.changed`
 * on its events, so the cached auth state and `/me` are invalidated once it has committed.
 */
export interface Accounts {
  /** A new student account, signed in now; undefined when the email address is already registered. */
  create(
    tx: Transaction,
    events: TransactionEvents<DomainEvents>,
    input: { email: string; passwordHash: string; name: string },
  ): Promise<SessionUser | undefined>;
  /** Stamps the last sign-in time (shown by `/me`); undefined when there is no such user. */
  recordSignIn(
    tx: Transaction,
    events: TransactionEvents<DomainEvents>,
    userId: string,
  ): Promise<SessionUser | undefined>;
  /**
   * A new password; every access token issued before stops working (token version bumped).
   * `emailVerified`: the change proves the address works (a reset link was followed).
   */
  setPassword(
    tx: Transaction,
    events: TransactionEvents<DomainEvents>,
    userId: string,
    change: { passwordHash: string; emailVerified?: boolean },
  ): Promise<SessionUser | undefined>;
  /** Every access token issued so far stops working (sign out everywhere). */
  bumpTokenVersion(tx: Transaction, events: TransactionEvents<DomainEvents>, userId: string): Promise<void>;
}

export function createAccounts(): Accounts {
  return {
    async create(tx, events, input) {
      // ON CONFLICT instead of a read first: two simultaneous registrations cannot both win.
      const [user] = await tx
        .insert(users)
        .values({ ...input, role: 'student', lastLoginAt: sql`now()` })
        .onConflictDoNothing({ target: users.email })
        .returning(sessionUserColumns);
      if (user) events.publish('user.changed', { userId: user.id });
      return user;
    },

    async recordSignIn(tx, events, userId) {
      const [user] = await tx
        .update(users)
        .set({ lastLoginAt: sql`now()` })
        .where(eq(users.id, userId))
        .returning(sessionUserColumns);
      events.publish('user.changed', { userId });
      return user;
    },

    async setPassword(tx, events, userId, change) {
      const [user] = await tx
        .update(users)
        .set({
          passwordHash: change.passwordHash,
          tokenVersion: nextTokenVersion(),
          ...(change.emailVerified === true
            ? { emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, now())` }
            : {}),
        })
        .where(eq(users.id, userId))
        .returning(sessionUserColumns);
      events.publish('user.changed', { userId });
      return user;
    },

    async bumpTokenVersion(tx, events, userId) {
      await tx.update(users).set({ tokenVersion: nextTokenVersion() }).where(eq(users.id, userId));
      events.publish('user.changed', { userId });
    },
  };
}
