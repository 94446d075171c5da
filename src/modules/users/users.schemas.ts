import { Type } from 'typebox';
import { PageSchema, PaginationQuery } from '../../http/pagination.js';
import { roleEnum } from '../../infrastructure/database/schema/index.js';

export const NAME_MAX_LENGTH = 100;
export const HEADLINE_MAX_LENGTH = 160;
export const BIO_MAX_LENGTH = 5000;
export const URL_MAX_LENGTH = 2048;
export const MAX_SOCIAL_LINKS = 10;

/** Networks a profile may link to; anything else is rejected so clients can render known icons. */
export const SOCIAL_NETWORKS = [
  'github',
  'gitlab',
  'linkedin',
  'x',
  'mastodon',
  'bluesky',
  'youtube',
  'instagram',
  'facebook',
  'tiktok',
  'stackoverflow',
  'medium',
] as const;

const Timestamp = Type.String({ format: 'date-time' });
const NullableTimestamp = Type.Union([Timestamp, Type.Null()]);

export const RoleSchema = Type.Enum([...roleEnum.enumValues], {
  description: 'student (default on register), instructor or admin.',
});

export const UserIdParams = Type.Object(
  { id: Type.String({ format: 'uuid', description: 'The user id.' }) },
  { additionalProperties: false },
);

export const EXAMPLE_USER = {
  id: '0b6f4b2e-9f1c-4d8e-9a51-3c2d7e8f9a10',
  email: 'ada@example.com',
  name: 'Ada Lovelace',
  role: 'student',
  isActive: true,
  emailVerifiedAt: null,
  lastLoginAt: '2025-03-01T09:30:00.000Z',
  deactivatedAt: null,
  createdAt: '2025-02-27T18:04:11.000Z',
  updatedAt: '2025-03-01T09:30:00.000Z',
} as const;

const userProperties = {
  id: Type.String({ format: 'uuid' }),
  email: Type.String({ description: 'Normalised: trimmed and lower-cased.' }),
  name: Type.String(),
  role: RoleSchema,
  isActive: Type.Boolean({ description: 'False once an admin deactivated the account.' }),
  emailVerifiedAt: NullableTimestamp,
  lastLoginAt: NullableTimestamp,
  deactivatedAt: NullableTimestamp,
  createdAt: Timestamp,
  updatedAt: Timestamp,
};

export const UserSchema = Type.Object(userProperties, {
  additionalProperties: false,
  title: 'User',
  description: 'An account. Password hashes and token versions are never part of a response.',
  examples: [EXAMPLE_USER],
});

/** One page of the admin's user list. */
export const UserPageSchema = PageSchema(UserSchema, 'UserPage');

/** An http(s) URL: the format check catches malformed ones, the pattern other schemes (javascript:, data:). */
export const WebUrlSchema = Type.String({
  minLength: 1,
  maxLength: URL_MAX_LENGTH,
  format: 'uri',
  pattern: '^[Hh][Tt][Tt][Pp][Ss]?://[^\\s/?#]+',
  description: `An http or https URL, at most ${URL_MAX_LENGTH} characters.`,
});

const nullable = <T extends ReturnType<typeof Type.String>>(schema: T, description: string) =>
  Type.Union([schema, Type.Null()], { description });

const socialLinkProperties = Object.fromEntries(
  SOCIAL_NETWORKS.map((network) => [network, Type.Optional(WebUrlSchema)]),
) as Record<(typeof SOCIAL_NETWORKS)[number], Type.TOptional<typeof WebUrlSchema>>;

export const SocialLinksSchema = Type.Object(socialLinkProperties, {
  additionalProperties: false,
  maxProperties: MAX_SOCIAL_LINKS,
  description: `Network → profile URL, at most ${MAX_SOCIAL_LINKS} of: ${SOCIAL_NETWORKS.join(', ')}.`,
});

/** Stored social links: as validated on the way in, so only known networks. */
const StoredSocialLinksSchema = Type.Record(Type.String(), Type.String(), {
  description: 'Network → profile URL.',
});

const EXAMPLE_PROFILE = {
  headline: 'Mathematician and first programmer',
  bio: 'I write notes on the Analytical Engine.',
  avatarUrl: 'https://images.example.com/ada.png',
  websiteUrl: 'https://ada.example.com',
  socialLinks: { github: 'https://github.com/ada' },
  timezone: 'Europe/London',
  locale: 'en-GB',
};

const publicProfileProperties = {
  headline: Type.Union([Type.String(), Type.Null()]),
  bio: Type.Union([Type.String(), Type.Null()]),
  avatarUrl: Type.Union([Type.String(), Type.Null()]),
  websiteUrl: Type.Union([Type.String(), Type.Null()]),
  socialLinks: StoredSocialLinksSchema,
};

export const ProfileSchema = Type.Object(
  {
    ...publicProfileProperties,
    timezone: Type.String({ description: 'IANA time zone, used for due dates and streaks.' }),
    locale: Type.String({ description: 'BCP 47 language tag.' }),
  },
  {
    additionalProperties: false,
    title: 'Profile',
    description: 'The signed-in user’s profile and settings. Defaults until first saved.',
    examples: [EXAMPLE_PROFILE],
  },
);

export const PublicProfileSchema = Type.Object(
  {
    userId: Type.String({ format: 'uuid' }),
    name: Type.String(),
    ...publicProfileProperties,
  },
  {
    additionalProperties: false,
    title: 'PublicProfile',
    description: 'What anyone may see about a user (no email address, no settings).',
    examples: [
      {
        userId: EXAMPLE_USER.id,
        name: EXAMPLE_USER.name,
        headline: EXAMPLE_PROFILE.headline,
        bio: EXAMPLE_PROFILE.bio,
        avatarUrl: EXAMPLE_PROFILE.avatarUrl,
        websiteUrl: EXAMPLE_PROFILE.websiteUrl,
        socialLinks: EXAMPLE_PROFILE.socialLinks,
      },
    ],
  },
);

export const MeSchema = Type.Object(
  { ...userProperties, profile: ProfileSchema },
  {
    additionalProperties: false,
    title: 'Me',
    description: 'The signed-in user with their profile.',
    examples: [{ ...EXAMPLE_USER, profile: EXAMPLE_PROFILE }],
  },
);

export const UpdateMeBody = Type.Object(
  {
    name: Type.String({
      minLength: 1,
      maxLength: NAME_MAX_LENGTH,
      pattern: '\\S',
      description: `Display name, 1 to ${NAME_MAX_LENGTH} characters; surrounding spaces are trimmed.`,
    }),
  },
  { additionalProperties: false, examples: [{ name: 'Ada King' }] },
);

export const UpdateProfileBody = Type.Object(
  {
    headline: Type.Optional(
      nullable(
        Type.String({ maxLength: HEADLINE_MAX_LENGTH }),
        `At most ${HEADLINE_MAX_LENGTH} characters; null or "" clears it.`,
      ),
    ),
    bio: Type.Optional(
      nullable(
        Type.String({ maxLength: BIO_MAX_LENGTH }),
        `At most ${BIO_MAX_LENGTH} characters; null or "" clears it.`,
      ),
    ),
    avatarUrl: Type.Optional(nullable(WebUrlSchema, 'http(s) URL of the avatar image; null clears it.')),
    websiteUrl: Type.Optional(nullable(WebUrlSchema, 'http(s) URL of a personal website; null clears it.')),
    socialLinks: Type.Optional(SocialLinksSchema),
    timezone: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        description: 'An IANA time zone name such as `Europe/Paris` or `UTC`.',
      }),
    ),
    locale: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 35,
        description: 'A BCP 47 language tag such as `en` or `pt-BR`.',
      }),
    ),
  },
  {
    additionalProperties: false,
    minProperties: 1,
    description: 'Only the fields present change; `socialLinks` replaces the whole set.',
    examples: [
      {
        headline: 'Mathematician',
        timezone: 'Europe/London',
        locale: 'en-GB',
        socialLinks: { github: 'https://github.com/ada' },
      },
    ],
  },
);

export const ListUsersQuery = Type.Object(
  {
    ...PaginationQuery,
    role: Type.Optional(RoleSchema),
    isActive: Type.Optional(
      Type.Boolean({ description: 'Only active (true) or deactivated (false) accounts.' }),
    ),
    q: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 100,
        description: 'Case-insensitive prefix of the email address or the name.',
      }),
    ),
  },
  { additionalProperties: false },
);

export const ChangeRoleBody = Type.Object(
  { role: RoleSchema },
  { additionalProperties: false, examples: [{ role: 'instructor' }] },
);
