import { and, desc, eq, ilike, like, or, type SQL, sql } from 'drizzle-orm';
import { Type } from 'typebox';
import { type Actor, requireRole } from '../../http/actor.js';
import { AppError } from '../../http/errors.js';
import { cursorDecoder, toPage } from '../../http/pagination.js';
import type { Database } from '../../infrastructure/database/client.js';
import { type Role, userProfiles, users } from '../../infrastructure/database/schema/index.js';
import { nextTokenVersion, revokeUserRefreshTokens } from '../auth/sessions.js';
import type { InstructorRenames } from '../catalog/instructor-renames.js';
import { checkDisplayName } from './display-name.js';
import { profileColumns } from './profiles.service.js';
import type { UserCache } from './user-cache.js';
import { type ProfileView, toProfileView, toUserView, type UserView, userColumns } from './user-view.js';
import { validationError } from './validation-error.js';

export interface ListUsersFilter {
  limit: number;
  cursor?: string;
  role?: Role;
  isActive?: boolean;
  q?: string;
}

/** Newest first; the cursor is the last row's exact `created_at` (microseconds) and id. */
const decodeCursor = cursorDecoder(
  Type.Object(
    {
      c: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{6}Z$' }),
      i: Type.String({ pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' }),
    },
    { additionalProperties: false },
  ),
);

/** `created_at` as text with all six fractional digits: a JS Date would drop microseconds and skip rows. */
const createdAtKey = sql<string>`to_char(${users.createdAt} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** LIKE pattern matching values that start with `prefix` (its own % and _ taken literally). */
function prefixPattern(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

const NO_SUCH_USER = 'No user with this id.';

/** A user with their profile, as `/me` shows it. */
export type MeView = UserView & { profile: ProfileView };

export interface UsersServiceDependencies {
  db: Database;
  userCache: UserCache;
  /** The catalog shows instructors' names: told after a rename has committed. */
  catalog: InstructorRenames;
  /** A failed catalog invalidation after a committed rename (the rename stands; pages expire by TTL). */
  onCatalogError?: (error: unknown) => void;
}

/**
 * Every write here changes what the auth guard or `/me` shows, so each one calls
 * `userCache.userChanged` once it has committed (the user's next request sees the change).
 */
export function createUsersService({ db, userCache, catalog, onCatalogError }: UsersServiceDependencies) {
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
      if ('error' in checked) throw validationError([checked.error]);
      const { name } = checked;
      await db.update(users).set({ name }).where(eq(users.id, actor.id));
      await userCache.userChanged(actor.id);
      await catalog.userRenamed(actor.id).catch((error: unknown) => onCatalogError?.(error));
      return loadMe(actor);
    },

    /** Admin: every account, newest first, optionally filtered by role, state and email/name prefix. */
    async list(
      actor: Actor,
      filter: ListUsersFilter,
    ): Promise<{ data: UserView[]; nextCursor: string | null }> {
      requireRole(actor, 'admin');
      const cursor = decodeCursor(filter.cursor);
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
        conditions.push(
          sql`(${users.createdAt}, ${users.id}) < (${cursor.c}::timestamptz, ${cursor.i}::uuid)`,
        );
      }
      const rows = await db
        .select({ ...userColumns(users), createdAtKey })
        .from(users)
        .where(and(...conditions))
        .orderBy(desc(users.createdAt), desc(users.id))
        .limit(filter.limit + 1);
      return toPage(rows, filter.limit, toUserView, (row) => ({ c: row.createdAtKey, i: row.id }));
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
      await userCache.userChanged(id);
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
      const deactivated = await db.transaction(async (tx) => {
        const [row] = await tx
          .update(users)
          .set({ isActive: false, deactivatedAt: sql`now()`, tokenVersion: nextTokenVersion() })
          .where(and(eq(users.id, id), eq(users.isActive, true)))
          .returning(userColumns(users));
        if (row) await revokeUserRefreshTokens(tx, id, 'deactivated');
        return row;
      });
      // Also when already inactive: whatever this instance or another still holds is dropped.
      await userCache.userChanged(id);
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
      await userCache.userChanged(id);
      return toUserView(row);
    },
  };
}

export type UsersService = ReturnType<typeof createUsersService>;
