import { eq } from 'drizzle-orm';
import type { Database } from '../../infrastructure/database/client/client.js';
import { userProfiles, users } from '../../infrastructure/database/schema/index.js';
import type { DomainEventBus } from '../../infrastructure/events/domain-events.js';
import type { Actor } from '../../shared/actor.js';
import { AppError } from '../../shared/errors.js';
import { validationFailed } from '../../shared/validation.js';
import { normaliseProfileChanges, type ProfileChanges } from './profile-validation.js';
import { type ProfileView, type PublicProfileView, toProfileView } from './user-view.js';

export const profileColumns = {
  headline: userProfiles.headline,
  bio: userProfiles.bio,
  avatarUrl: userProfiles.avatarUrl,
  websiteUrl: userProfiles.websiteUrl,
  socialLinks: userProfiles.socialLinks,
  timezone: userProfiles.timezone,
  locale: userProfiles.locale,
};

/**
 * Profiles are created on first save; until then everyone sees the column defaults. `/me` shows the
 * profile, so a saved change publishes `user.changed` (the user's cached view is dropped).
 */
export function createProfilesService(db: Database, events: DomainEventBus) {
  return {
    async getOwn(actor: Actor): Promise<ProfileView> {
      const [row] = await db
        .select(profileColumns)
        .from(userProfiles)
        .where(eq(userProfiles.userId, actor.id));
      return toProfileView(row);
    },

    /** Changes only the fields given; validates all of them first, so a bad one writes nothing. */
    async updateOwn(actor: Actor, input: ProfileChanges): Promise<ProfileView> {
      const { changes, errors } = normaliseProfileChanges(input);
      if (errors.length > 0) throw validationFailed(errors);
      const [row] = await db
        .insert(userProfiles)
        .values({ userId: actor.id, ...changes })
        .onConflictDoUpdate({ target: userProfiles.userId, set: { ...changes, updatedAt: new Date() } })
        .returning(profileColumns);
      await events.publish('user.changed', { userId: actor.id });
      return toProfileView(row);
    },

    /** Anyone, signed in or not, may read an active user's public profile; others do not exist. */
    async getPublic(userId: string): Promise<PublicProfileView> {
      const [row] = await db
        .select({ userId: users.id, name: users.name, isActive: users.isActive, profile: profileColumns })
        .from(users)
        .leftJoin(userProfiles, eq(userProfiles.userId, users.id))
        .where(eq(users.id, userId));
      if (!row?.isActive) throw new AppError('not_found', 'No user with this id.');
      const profile = toProfileView(row.profile);
      return {
        userId: row.userId,
        name: row.name,
        headline: profile.headline,
        bio: profile.bio,
        avatarUrl: profile.avatarUrl,
        websiteUrl: profile.websiteUrl,
        socialLinks: profile.socialLinks,
      };
    },
  };
}

export type ProfilesService = ReturnType<typeof createProfilesService>;
