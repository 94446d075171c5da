import { eq, sql } from 'drizzle-orm';
import type { Cache } from '../../infrastructure/cache/cache.js';
import { createGenerations } from '../../infrastructure/cache/generations.js';
import { LocalCache } from '../../infrastructure/cache/local-cache.js';
import type { Database } from '../../infrastructure/database/client/client.js';
import { users } from '../../infrastructure/database/schema/index.js';
import type { UserAuthState, UserStateSource } from '../../shared/actor.js';

/**
 * How long an instance keeps a user's state without seeing an invalidation. Every write the
 * application makes invalidates at once (`user.changed`, see `userChanged`); this bounds only what nothing
 * invalidates: a change made outside the application (SQL by hand), or an invalidation lost while
 * the shared cache was unreachable.
 */
export const USER_CACHE_TTL_SECONDS = 10;

const LOCAL_LIMITS = { maxEntries: 50_000, maxBytes: 64 * 1024 * 1024 };

/**
 * Per user, what every authenticated request needs (role, active, token version: read by the auth
 * guard) and the `/me` response, so that the hot authenticated paths do not touch the database.
 *
 * Correctness rests on generations (src/infrastructure/cache/generations.ts): every read checks the
 * user's generation in the shared cache (Redis when configured, so one instance's invalidation is
 * seen by all), the copies each instance keeps are stamped with the generation current when their
 * database read started, and `userChanged` replaces it. So a deactivation, a role change or a bumped
 * token version takes effect on the very next request, on every instance, even if a reader that
 * loaded the old row stores it after the invalidation. If the shared cache is unreachable there is
 * no generation to match, and every request reads the database.
 *
 * `userChanged(userId)` must run AFTER COMMIT of every write that changes a user's row or profile:
 * role change, deactivate/reactivate, logout everywhere, password change or reset (token version),
 * rename, profile update, sign-in (last login time, shown by /me). It is subscribed to `user.changed`
 * (src/subscribers.ts), which the users module, the only writer of those rows, publishes for each.
 */
export interface UserCache extends UserStateSource {
  /** The `/me` response bytes, from this instance's copy while current, else from `load` (then kept). */
  me(userId: string, load: () => Promise<string>): Promise<Buffer>;
  userChanged(userId: string): Promise<void>;
}

/**
 * One primary-key read: what the guard needs to know about a user. Built once and prepared once per
 * connection: a spike of sign-ins or of exam starts is mostly misses (a copy lasts ten seconds), and
 * drizzle building the select cost more than PostgreSQL answering it.
 */
export function selectAuthState(db: Database) {
  const statement = db
    .select({ role: users.role, isActive: users.isActive, tokenVersion: users.tokenVersion })
    .from(users)
    .where(eq(users.id, sql.placeholder('userId')))
    .prepare('user-auth-state');
  return async (userId: string): Promise<UserAuthState | undefined> => {
    const [row] = await statement.execute({ userId });
    return row;
  };
}

export interface UserCacheDeps {
  db: Database;
  /** Shared by every instance when Redis is configured (the generations live there). */
  cache: Cache;
  /** How the auth state is read on a miss; default: `selectAuthState(db)`. */
  loadAuthState?: (userId: string) => Promise<UserAuthState | undefined>;
  ttlSeconds?: number;
}

export function createUserCache(deps: UserCacheDeps): UserCache {
  const loadState = deps.loadAuthState ?? selectAuthState(deps.db);
  const ttlMs = (deps.ttlSeconds ?? USER_CACHE_TTL_SECONDS) * 1000;
  const generations = createGenerations(deps.cache, 'user:generation');
  const states = new LocalCache<UserAuthState>(LOCAL_LIMITS);
  const views = new LocalCache<Buffer>(LOCAL_LIMITS);
  const expiry = () => Date.now() + ttlMs;

  return {
    async authState(userId) {
      const current = await generations.current(userId);
      if (current !== undefined) {
        const copy = states.get(userId, current);
        if (copy !== undefined) return copy;
      }
      // Taken before the read: a write committing meanwhile bumps it and this copy is never served.
      const generation = current ?? (await generations.begin(userId));
      const state = await loadState(userId);
      // Unknown users are not kept: ids come from signed tokens, and a miss costs one primary-key read.
      if (state !== undefined) states.set(userId, state, generation, expiry());
      return state;
    },

    async me(userId, load) {
      const current = await generations.current(userId);
      if (current !== undefined) {
        const copy = views.get(userId, current);
        if (copy !== undefined) return copy;
      }
      const generation = current ?? (await generations.begin(userId));
      const payload = Buffer.from(await load());
      views.set(userId, payload, generation, expiry(), payload.length);
      return payload;
    },

    async userChanged(userId) {
      await generations.bump(userId);
      states.delete(userId);
      views.delete(userId);
    },
  };
}
