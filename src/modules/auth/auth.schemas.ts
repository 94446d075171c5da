import { Type } from 'typebox';
import { EXAMPLE_USER, UserSchema } from '../users/index.js';
import { EMAIL_MAX_LENGTH, EMAIL_PATTERN } from './email-address.js';
import { NewPasswordSchema } from './password-policy.js';

const EXAMPLE_PASSWORD = 'correct horse battery staple';
const EXAMPLE_REFRESH_TOKEN = 'x5Jm3sE0T7lq2v9mC0k3cX1nq8y6Zb4W2aR7uYhV1Dg';

const EmailSchema = Type.String({
  minLength: 3,
  // Room for surrounding spaces, which are trimmed.
  maxLength: EMAIL_MAX_LENGTH + 64,
  pattern: EMAIL_PATTERN,
  description: 'Email address; trimmed and compared case-insensitively.',
});

/** Any password that might have been set, including under an older policy; argon2 decides. */
const ExistingPasswordSchema = Type.String({ minLength: 1, maxLength: 1024 });

const opaqueToken = (description: string) =>
  Type.String({ minLength: 1, maxLength: 256, pattern: '^[A-Za-z0-9_-]+$', description });

export const RegisterBody = Type.Object(
  {
    email: EmailSchema,
    password: NewPasswordSchema,
    name: Type.String({
      minLength: 1,
      maxLength: 100,
      pattern: '\\S',
      description: 'Display name, 1 to 100 characters; surrounding spaces are trimmed.',
    }),
  },
  {
    additionalProperties: false,
    examples: [{ email: 'ada@example.com', password: EXAMPLE_PASSWORD, name: 'Ada Lovelace' }],
  },
);

export const LoginBody = Type.Object(
  {
    email: Type.String({ minLength: 1, maxLength: EMAIL_MAX_LENGTH + 64 }),
    password: ExistingPasswordSchema,
  },
  { additionalProperties: false, examples: [{ email: 'ada@example.com', password: EXAMPLE_PASSWORD }] },
);

export const RefreshTokenBody = Type.Object(
  {
    refreshToken: opaqueToken('The refresh token from the last login, register or refresh response.'),
  },
  { additionalProperties: false, examples: [{ refreshToken: EXAMPLE_REFRESH_TOKEN }] },
);

export const ChangePasswordBody = Type.Object(
  { currentPassword: ExistingPasswordSchema, newPassword: NewPasswordSchema },
  {
    additionalProperties: false,
    examples: [{ currentPassword: EXAMPLE_PASSWORD, newPassword: 'a much longer and newer passphrase' }],
  },
);

export const PasswordResetBody = Type.Object(
  { email: EmailSchema },
  { additionalProperties: false, examples: [{ email: 'ada@example.com' }] },
);

export const PasswordResetConfirmBody = Type.Object(
  {
    token: opaqueToken('The `token` parameter of the emailed link.'),
    newPassword: NewPasswordSchema,
  },
  {
    additionalProperties: false,
    examples: [{ token: EXAMPLE_REFRESH_TOKEN, newPassword: 'a much longer and newer passphrase' }],
  },
);

export const TokenPairSchema = Type.Object(
  {
    accessToken: Type.String({ description: 'JWT to send as `Authorization: Bearer <accessToken>`.' }),
    tokenType: Type.Literal('Bearer'),
    expiresIn: Type.Integer({ description: 'Seconds until the access token expires.' }),
    refreshToken: Type.String({
      description:
        'Opaque, single use: exchange it at `POST /auth/refresh` for a new pair. Store it securely; using one twice signs the session out.',
    }),
    refreshTokenExpiresAt: Type.String({ format: 'date-time' }),
    user: UserSchema,
  },
  {
    additionalProperties: false,
    title: 'TokenPair',
    examples: [
      {
        accessToken: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIuLi4ifQ.signature',
        tokenType: 'Bearer',
        expiresIn: 900,
        refreshToken: EXAMPLE_REFRESH_TOKEN,
        refreshTokenExpiresAt: '2025-03-31T09:30:00.000Z',
        user: EXAMPLE_USER,
      },
    ],
  },
);

export const ResetRequestedSchema = Type.Object(
  { message: Type.String() },
  {
    additionalProperties: false,
    examples: [
      { message: 'If an account uses this email address, a link to reset its password is on its way.' },
    ],
  },
);

export const NoContent = (description: string) => Type.Null({ description });
