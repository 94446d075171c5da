import type { User, UserProfile } from '../../infrastructure/database/schema/index.js';

/** An account as clients see it: never the password hash or the token version. */
export interface UserView {
  id: string;
  email: string;
  name: string;
  role: User['role'];
  isActive: boolean;
  emailVerifiedAt: string | null;
  lastLoginAt: string | null;
  deactivatedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** The signed-in user's own profile settings (created lazily: defaults until first saved). */
export interface ProfileView {
  headline: string | null;
  bio: string | null;
  avatarUrl: string | null;
  websiteUrl: string | null;
  socialLinks: Record<string, string>;
  timezone: string;
  locale: string;
}

/** What anyone may see about an active user: no email, no settings. */
export interface PublicProfileView {
  userId: string;
  name: string;
  headline: string | null;
  bio: string | null;
  avatarUrl: string | null;
  websiteUrl: string | null;
  socialLinks: Record<string, string>;
}

export type UserRow = Pick<
  User,
  | 'id'
  | 'email'
  | 'name'
  | 'role'
  | 'isActive'
  | 'emailVerifiedAt'
  | 'lastLoginAt'
  | 'deactivatedAt'
  | 'createdAt'
  | 'updatedAt'
>;

export type ProfileRow = Pick<
  UserProfile,
  'headline' | 'bio' | 'avatarUrl' | 'websiteUrl' | 'socialLinks' | 'timezone' | 'locale'
>;

const iso = (date: Date | null): string | null => (date === null ? null : date.toISOString());

/** Drizzle select map for `UserRow` (password hash and token version are never selected into it). */
export function userColumns<T extends Record<keyof UserRow, unknown>>(table: T): Pick<T, keyof UserRow> {
  const {
    id,
    email,
    name,
    role,
    isActive,
    emailVerifiedAt,
    lastLoginAt,
    deactivatedAt,
    createdAt,
    updatedAt,
  } = table;
  return {
    id,
    email,
    name,
    role,
    isActive,
    emailVerifiedAt,
    lastLoginAt,
    deactivatedAt,
    createdAt,
    updatedAt,
  };
}

export function toUserView(row: UserRow): UserView {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    isActive: row.isActive,
    emailVerifiedAt: iso(row.emailVerifiedAt),
    lastLoginAt: iso(row.lastLoginAt),
    deactivatedAt: iso(row.deactivatedAt),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** The defaults of the `user_profiles` columns, for users who never saved a profile. */
export const DEFAULT_PROFILE: ProfileView = {
  headline: null,
  bio: null,
  avatarUrl: null,
  websiteUrl: null,
  socialLinks: {},
  timezone: 'UTC',
  locale: 'en',
};

export function toProfileView(row: ProfileRow | null | undefined): ProfileView {
  if (!row) return { ...DEFAULT_PROFILE, socialLinks: {} };
  return {
    headline: row.headline,
    bio: row.bio,
    avatarUrl: row.avatarUrl,
    websiteUrl: row.websiteUrl,
    socialLinks: { ...row.socialLinks },
    timezone: row.timezone,
    locale: row.locale,
  };
}
