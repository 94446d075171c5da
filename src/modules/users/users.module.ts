/**
 * The users module: the signed-in user's account and profile, public profiles, and user
 * administration. It is the one owner of the `users` and `user_profiles` tables: sign-up and sign-in
 * write the `users` row through its accounts port (accounts.ts), handed to auth by the composition root.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Database } from '../../infrastructure/database/client/client.js';
import type { DomainEventBus } from '../../infrastructure/events/domain-events.js';
import { createProfilesService } from './profiles.service.js';
import type { UserCache } from './user-cache.js';
import { usersRoutes } from './users.routes.js';
import { createUsersService, type UserSessions } from './users.service.js';

/** Exactly what the users module needs from the composition root. */
export interface UsersModuleDependencies {
  db: Database;
  /** The app's one user cache (the auth guard reads it too), invalidated through `user.changed`. */
  userCache: UserCache;
  /** Every write here publishes `user.changed` (and a rename `user.renamed`). */
  events: DomainEventBus;
  /** Refresh-token revocation on deactivation (sign-in sessions belong to the auth module). */
  sessions: UserSessions;
}

export const usersModule: FastifyPluginAsyncTypebox<UsersModuleDependencies> = async (app, deps) => {
  const accounts = createUsersService(deps);
  const profiles = createProfilesService(deps.db, deps.events);
  await app.register(usersRoutes, { accounts, profiles });
};
