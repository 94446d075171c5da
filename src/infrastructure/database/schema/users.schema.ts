import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  unique,
  uuid,
} from 'drizzle-orm/pg-core';
import { emptyJsonObject, id, jsonbTypeCheck, nonNegative, timestamps, timestamptz } from './columns.js';
import { roleEnum } from './enums.schema.js';

/**
 * Accounts. `email` is stored lower-cased (CHECK) and unique, so look-ups are `email = lower($1)`.
 * Users are normally deactivated (`is_active = false`, `deactivated_at`), not deleted: deleting a user
 * cascades to their learning data but is refused while money rows (payments, subscriptions) or
 * authored courses reference them.
 */
export const users = pgTable(
  'users',
  {
    id: id(),
    email: text('email').notNull(),
    passwordHash: text('password_hash').notNull(),
    name: text('name').notNull(),
    role: roleEnum('role').notNull().default('student'),
    isActive: boolean('is_active').notNull().default(true),
    deactivatedAt: timestamptz('deactivated_at'),
    emailVerifiedAt: timestamptz('email_verified_at'),
    /** Bumped to invalidate every access token issued before (logout everywhere, password change). */
    tokenVersion: integer('token_version').notNull().default(0),
    lastLoginAt: timestamptz('last_login_at'),
    ...timestamps,
  },
  (t) => [
    unique('users_email_unique').on(t.email),
    index('users_role_created_at_idx').on(t.role, t.createdAt),
    check('users_email_lowercase_check', sql`${t.email} = lower(${t.email})`),
    check('users_email_format_check', sql`position('@' in ${t.email}) > 1`),
    check('users_name_not_blank_check', sql`length(btrim(${t.name})) > 0`),
    nonNegative('users_token_version_check', t.tokenVersion),
  ],
);

/** Network name (twitter, linkedin, github, youtube, ...) → profile URL. */
export type SocialLinks = Record<string, string>;

/** One optional profile row per user (1:1, created lazily). */
export const userProfiles = pgTable(
  'user_profiles',
  {
    id: id(),
    userId: uuid('user_id').notNull(),
    bio: text('bio'),
    avatarUrl: text('avatar_url'),
    headline: text('headline'),
    /** IANA time zone name, used for due dates and streaks. */
    timezone: text('timezone').notNull().default('UTC'),
    /** BCP 47 language tag. */
    locale: text('locale').notNull().default('en'),
    websiteUrl: text('website_url'),
    socialLinks: jsonb('social_links').$type<SocialLinks>().notNull().default(emptyJsonObject),
    ...timestamps,
  },
  (t) => [
    foreignKey({
      name: 'user_profiles_user_id_fk',
      columns: [t.userId],
      foreignColumns: [users.id],
    }).onDelete('cascade'),
    unique('user_profiles_user_id_unique').on(t.userId),
    jsonbTypeCheck('user_profiles_social_links_object_check', t.socialLinks, 'object'),
  ],
);

export type User = typeof users.$inferSelect;
export type NewUser = typeof users.$inferInsert;
export type UserProfile = typeof userProfiles.$inferSelect;
export type NewUserProfile = typeof userProfiles.$inferInsert;
