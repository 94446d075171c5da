import { randomBytes } from 'node:crypto';
import { passwordResetTokens } from '../../src/infrastructure/database/schema/index.js';
import { generateOpaqueToken, hashOpaqueToken } from '../../src/infrastructure/security/opaque-tokens.js';
import { loginAs } from '../helpers/factories/index.js';
import { everyone, NEW_PASSWORD, type RouteAuthorization, signedIn } from '../security/authorization-rows.js';

/** Auth: a bearer token changes nothing on the routes that do not need one. */
export const AUTH_AUTHORIZATION_ROWS: Record<string, RouteAuthorization> = {
  'POST /api/v1/auth/register': {
    request: () => ({
      body: {
        email: `matrix-${randomBytes(6).toString('hex')}@example.test`,
        password: 'a perfectly fine passphrase',
        name: 'Matrix Registrant',
      },
    }),
    expected: everyone(201),
  },
  'POST /api/v1/auth/login': {
    request: ({ world }) => ({
      body: { email: world.users.student.email, password: world.users.student.password },
    }),
    expected: everyone(200),
  },
  'POST /api/v1/auth/refresh': {
    request: async ({ app, world }) => ({
      body: { refreshToken: (await loginAs(app, world.users.student)).refreshToken },
    }),
    expected: everyone(200),
  },
  'POST /api/v1/auth/logout': {
    request: async ({ app, world }) => ({
      body: { refreshToken: (await loginAs(app, world.users.student)).refreshToken },
    }),
    expected: everyone(204),
  },
  'POST /api/v1/auth/logout-all': { expected: signedIn(204) },
  'POST /api/v1/auth/change-password': {
    request: ({ world, caller }) => ({
      body: {
        currentPassword: world.users[caller === 'anonymous' ? 'student' : caller].password,
        newPassword: NEW_PASSWORD,
      },
    }),
    expected: signedIn(200),
  },
  'POST /api/v1/auth/password-reset': {
    request: ({ world }) => ({ body: { email: world.users.student.email } }),
    expected: everyone(202),
  },
  'POST /api/v1/auth/password-reset/confirm': {
    request: async ({ db, world }) => {
      const token = generateOpaqueToken();
      await db.insert(passwordResetTokens).values({
        userId: world.users.student.id,
        tokenHash: hashOpaqueToken(token),
        expiresAt: new Date(Date.now() + 10 * 60_000),
      });
      return { body: { token, newPassword: NEW_PASSWORD } };
    },
    expected: everyone(204),
  },
};
