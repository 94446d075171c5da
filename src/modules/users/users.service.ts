/**
 * Accounts for the signed-in user and for admins. The users module owns the `users` and
 * `user_profiles` tables: it is the only one writing them (the auth module's writes go through
 * accounts.ts), and every write publishes `user.changed`, so no writer can forget to invalidate the
 * user cache.
 */
import { and, desc, eq, ilike, like, or, type SQL, sql } from 'drizzle-orm';
import type { Database } from '../../infrastructure/database/client/client.js';
import { type Role, userProfiles, users } from '../../infrastructure/database/schema/index.js';
import type { DomainEventBus } from '../../infrastructure/events/domain-events.js';
import { unitOfWork } from '../../infrastructure/events/unit-of-work.js';
import { type Actor, requireRole } from '../../shared/actor.js';
import { AppError } from '../../shared/errors.js';
import { decodeTimestampIdCursor, microsecondKey, olderThan, toPage } from '../../shared/keyset.js';
import type { Transaction } from '../../shared/transaction.js';
import { validationFailed } from '../../shared/validation.js';
import { nextTokenVersion } from './accounts.js';
import { checkDisplayName } from './display-name.js';
import { profileColumns } from './profiles.service.js';
import type { UserCache } from './user-cache.js';
import { type ProfileView, toProfileView, toUserView, type UserView, userColumns } from './user-view.js';

export interface ListUsersFilter {
  limit: number;
  cursor?: string;
  role?: Role;
  isActive?: boolean;
  q?: string;
}

/** `created_at` with its microseconds, the cursor's timestamp (newest first, then id). */
const createdAtKey = microsecondKey(users.createdAt);

/** LIKE pattern matching values that start with `prefix` (its own % and _ taken literally). */
function prefixPattern(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

const NO_SUCH_USER = 'No user with this id.';

/** A user with their profile, as `/me` shows it. */
export type MeView = UserView & { profile: ProfileView };

/**
 * What deactivation needs from sign-in sessions (the auth module's refresh tokens): passed in from
 * src/app.ts, so that users does not depend on auth.
 */
export interface UserSessions {
  /** Revokes every usable refresh token of the user, in the caller's transaction. */
  revokeAll(tx: Transaction, userId: string, reason: 'deactivated'): Promise<void>;
}

export interface UsersServiceDependencies {
  db: Database;
  /** Read for `/me`; invalidated through `user.changed`, which every write here publishes. */
  userCache: Pick<UserCache, 'me'>;
  events: DomainEventBus;
  sessions: UserSessions;
}

/**
 * Every write here changes what the auth guard or `/me` shows, so each one publishes `user.changed`
 * once it has committed (the user's next request sees the change); a rename also `user.renamed`.
 */
export function createUsersService({ db, userCache, events, sessions }: UsersServiceDependencies) {
  const userChanged = (userId: string) => events.publish('user.changed', { userId });

  async function findUser(id: string): Promise<UserView> {
    const [row] = await db.select(userColumns(users)).from(users).where(eq(users.id, id));
    if (!row) throw new AppError('not_found', NO_SUCH_USER);
    return toUserView(row);
  }

  /** The signed-in user with their profile (defaults until a profile is saved). */
  async function loadMe(actor: Actor): Promise<MeView> {
    const [row] = await db
      .select({ user: userColumns(users), profile: profileColumns })
      .from(users)
      .leftJoin(userProfiles, eq(userProfiles.userId, users.id))
      .where(eq(users.id, actor.id));
    if (!row) throw new AppError('unauthorized', 'The access token has been revoked.');
    return { ...toUserView(row.user), profile: toProfileView(row.profile) };
  }

  return {
    /**
     * `/me` as the bytes `serialize` (the route's response serializer) makes of it, kept per user
     * until the next change: the hot path of signed-in clients reads no database.
     */
    getMe(actor: Actor, serialize: (me: MeView) => string): Promise<Buffer> {
      return userCache.me(actor.id, async () => serialize(await loadMe(actor)));
    },

    async updateMe(actor: Actor, input: { name: string }): Promise<MeView> {
      const checked = checkDisplayName(input.name, '/body/name');
      if ('error' in checked) throw validationFailed([checked.error]);
      const { name } = checked;
      await db.update(users).set({ name }).where(eq(users.id, actor.id));
      await events.deliver([
        { name: 'user.changed', payload: { userId: actor.id } },
        // The catalog shows instructors by name.
        { name: 'user.renamed', payload: { userId: actor.id } },
      ]);
      return loadMe(actor);
    },

    /** Admin: every account, newest first, optionally filtered by role, state and email/name prefix. */
    async list(
      actor: Actor,
      filter: ListUsersFilter,
    ): Promise<{ data: UserView[]; nextCursor: string | null }> {
      requireRole(actor, 'admin');
      const cursor = decodeTimestampIdCursor(filter.cursor);
      const conditions: SQL[] = [];
      if (filter.role !== undefined) conditions.push(eq(users.role, filter.role));
      if (filter.isActive !== undefined) conditions.push(eq(users.isActive, filter.isActive));
      const q = filter.q?.trim().toLowerCase();
      if (q) {
        const pattern = prefixPattern(q);
        // Emails are stored lower-cased, so a plain LIKE matches them case-insensitively.
        conditions.push(or(like(users.email, pattern), ilike(users.name, pattern)) as SQL);
      }
      if (cursor) {
        conditions.push(olderThan(users.createdAt, users.id, cursor));
      }
      const rows = await db
        .select({ ...userColumns(users), createdAtKey })
        .from(users)
        .where(and(...conditions))
        .orderBy(desc(users.createdAt), desc(users.id))
        .limit(filter.limit + 1);
      return toPage(rows, filter.limit, toUserView, (row) => ({ p: row.createdAtKey, id: row.id }));
    },

    async get(actor: Actor, id: string): Promise<UserView> {
      requireRole(actor, 'admin');
      return findUser(id);
    },

    /** Admin: promote or demote. Takes effect on the user's next request (the guard reads the role). */
    async changeRole(actor: Actor, id: string, role: Role): Promise<UserView> {
      requireRole(actor, 'admin');
      if (id === actor.id) {
        throw new AppError('conflict', 'You cannot change your own role; another admin has to do it.');
      }
      const [row] = await db
        .update(users)
        .set({ role })
        .where(eq(users.id, id))
        .returning(userColumns(users));
      if (!row) throw new AppError('not_found', NO_SUCH_USER);
      await userChanged(id);
      return toUserView(row);
    },

    /**
     * Admin: the user can no longer sign in or refresh, and their access tokens stop working at once
     * (token version bumped, refresh tokens revoked). Deactivating an inactive user changes nothing.
     */
    async deactivate(actor: Actor, id: string): Promise<UserView> {
      requireRole(actor, 'admin');
      if (id === actor.id) {
        throw new AppError('conflict', 'You cannot deactivate your own account; another admin has to do it.');
      }
      const deactivated = await unitOfWork(db, events, async (tx, changes) => {
        const [row] = await tx
          .update(users)
          .set({ isActive: false, deactivatedAt: sql`now()`, tokenVersion: nextTokenVersion() })
          .where(and(eq(users.id, id), eq(users.isActive, true)))
          .returning(userColumns(users));
        // Stryker disable next-line ConditionalExpression: equivalent, without a row the user is unknown or already inactive, and an inactive user's sessions were revoked when it was deactivated (none can be issued since)
        if (row) await sessions.revokeAll(tx, id, 'deactivated');
        // Also when already inactive: whatever this instance or another still holds is dropped.
        changes.publish('user.changed', { userId: id });
        return row;
      });
      return deactivated ? toUserView(deactivated) : findUser(id);
    },

    /** Admin: the user may sign in again (their old sessions stay revoked). */
    async reactivate(actor: Actor, id: string): Promise<UserView> {
      requireRole(actor, 'admin');
      const [row] = await db
        .update(users)
        .set({ isActive: true, deactivatedAt: null })
        .where(eq(users.id, id))
        .returning(userColumns(users));
      if (!row) throw new AppError('not_found', NO_SUCH_USER);
      await userChanged(id);
      return toUserView(row);
    },
  };
}

export type UsersService = ReturnType<typeof createUsersService>;
