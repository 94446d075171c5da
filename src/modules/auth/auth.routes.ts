import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { Config } from '../../config.js';
import { actorOf } from '../../http/authenticate.js';
import { BEARER, PUBLIC } from '../../http/openapi-security.js';
import { problemResponse } from '../../http/problem.js';
import {
  ChangePasswordBody,
  LoginBody,
  NoContent,
  PasswordResetBody,
  PasswordResetConfirmBody,
  RefreshTokenBody,
  RegisterBody,
  ResetRequestedSchema,
  TokenPairSchema,
} from './auth.schemas.js';
import type { AuthService } from './auth.service.js';
import type { PasswordResetService } from './password-reset.service.js';
import type { ClientInfo } from './sessions.js';

export interface AuthRoutesOptions {
  config: Pick<Config, 'rateLimit' | 'passwordResetTtlMinutes'>;
  auth: AuthService;
  passwordResets: PasswordResetService;
}

const TAGS = ['auth'];
const RESET_REQUESTED = 'If an account uses this email address, a link to reset its password is on its way.';

function clientOf(request: FastifyRequest): ClientInfo {
  return { ipAddress: request.ip, userAgent: request.headers['user-agent'] };
}

/**
 * Accounts and sessions: register, login, token refresh, logout (this device / everywhere), change
 * password, password reset by email. Register, login and password reset are limited per client
 * address here and per account in the services.
 */
export const authRoutes: FastifyPluginAsyncTypebox<AuthRoutesOptions> = async (
  app,
  { config, auth, passwordResets },
) => {
  // Token responses must not be stored by browsers or proxies (RFC 6749 §5.1).
  app.addHook('onSend', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
  });

  const perClientLimit = { rateLimit: { max: config.rateLimit.authPerMinute, timeWindow: '1 minute' } };
  const rateLimited = problemResponse(
    'Too many requests from this address (RateLimit headers) or for this account (Retry-After).',
  );

  app.post(
    '/auth/register',
    {
      config: perClientLimit,
      schema: {
        tags: TAGS,
        operationId: 'registerAccount',
        security: PUBLIC,
        summary: 'Create an account',
        description:
          'Creates a **student** account and signs it in (the role cannot be chosen: instructors and admins are promoted by an admin). ' +
          'The email address is trimmed and lower-cased and must not be registered yet (case-insensitively). ' +
          'The password needs 10 to 256 characters and must not be a commonly used one.',
        body: RegisterBody,
        response: {
          201: TokenPairSchema,
          400: problemResponse(
            'A field is not valid (each one is listed in `errors`), e.g. a common password.',
          ),
          409: problemResponse('An account with this email address already exists.'),
          429: rateLimited,
        },
      },
    },
    async (request, reply) => {
      const pair = await auth.register(request.body, clientOf(request));
      return reply.code(201).send(pair);
    },
  );

  app.post(
    '/auth/login',
    {
      config: perClientLimit,
      schema: {
        tags: TAGS,
        operationId: 'signIn',
        security: PUBLIC,
        summary: 'Sign in',
        description:
          'Exchanges email and password for an access token and a refresh token (a new session). ' +
          'A wrong password, an unknown email and a deactivated account all answer the same 401. ' +
          'After 5 failed attempts for one account from one address in 15 minutes, each further attempt from that address ' +
          'waits (429 with `Retry-After`: 1 s, doubling, at most 15 minutes). Past 100 failures an hour from all addresses, only ' +
          'addresses without recent failures for the account may try. Other addresses, and the owner after a password reset, are not held up.',
        body: LoginBody,
        response: {
          200: TokenPairSchema,
          400: problemResponse('A field is missing or malformed.'),
          401: problemResponse('The email address or password is incorrect.'),
          429: rateLimited,
        },
      },
    },
    async (request) => auth.login(request.body, clientOf(request)),
  );

  app.post(
    '/auth/refresh',
    {
      schema: {
        tags: TAGS,
        operationId: 'refreshAccessToken',
        security: PUBLIC,
        summary: 'Refresh the access token',
        description:
          'Exchanges a refresh token for a new access token and a new refresh token; the presented one stops working. ' +
          'Presenting a refresh token that was already used (or revoked) signs out its whole session, including the newest token issued from it.',
        body: RefreshTokenBody,
        response: {
          200: TokenPairSchema,
          400: problemResponse('The body is malformed.'),
          401: problemResponse('The refresh token is unknown, expired, revoked or was already used.'),
        },
      },
    },
    async (request) => auth.refresh(request.body.refreshToken, clientOf(request)),
  );

  app.post(
    '/auth/logout',
    {
      schema: {
        tags: TAGS,
        operationId: 'signOut',
        security: PUBLIC,
        summary: 'Sign out this device',
        description:
          'Revokes the session of the presented refresh token (its whole token family). No access token is needed, ' +
          'so a client whose access token has expired can still sign out. Unknown or already revoked tokens also answer 204.',
        body: RefreshTokenBody,
        response: {
          204: NoContent('Signed out.'),
          400: problemResponse('The body is malformed.'),
        },
      },
    },
    async (request, reply) => {
      await auth.logout(request.body.refreshToken);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/auth/logout-all',
    {
      preHandler: app.authenticate,
      schema: {
        tags: TAGS,
        operationId: 'signOutEverywhere',
        summary: 'Sign out everywhere',
        description:
          'Revokes every refresh token of the signed-in user and invalidates every access token issued so far, ' +
          'including the one used for this request, at once.',
        security: BEARER,
        response: {
          204: NoContent('Every session has ended.'),
          401: problemResponse('No valid access token.'),
        },
      },
    },
    async (request, reply) => {
      await auth.logoutEverywhere(actorOf(request));
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/auth/change-password',
    {
      preHandler: app.authenticate,
      schema: {
        tags: TAGS,
        operationId: 'changePassword',
        summary: 'Change the password',
        description:
          'Needs the current password. Every other session ends (their refresh and access tokens stop working); ' +
          'this device receives a fresh token pair, which replaces the one used for this request. ' +
          'After 5 wrong current passwords in 15 minutes it answers 429.',
        security: BEARER,
        body: ChangePasswordBody,
        response: {
          200: TokenPairSchema,
          400: problemResponse(
            'The current password is wrong, or the new one breaks the policy (each field listed in `errors`).',
          ),
          401: problemResponse('No valid access token.'),
          429: rateLimited,
        },
      },
    },
    async (request) => auth.changePassword(actorOf(request), request.body, clientOf(request)),
  );

  app.post(
    '/auth/password-reset',
    {
      config: perClientLimit,
      schema: {
        tags: TAGS,
        operationId: 'requestPasswordReset',
        security: PUBLIC,
        summary: 'Ask for a password reset email',
        description:
          `Always answers 202 with the same body, whether or not an account uses the address, so it cannot be used to find accounts. ` +
          `If an active account does, it receives a single-use link to \`<app>/reset-password?token=...\`, valid for ${config.passwordResetTtlMinutes} minutes; ` +
          'earlier links stop working. At most 3 emails per hour are sent for one address to one client address, and 10 per hour in all ' +
          '(then one per client address that has not asked yet); further requests are accepted but send nothing.',
        body: PasswordResetBody,
        response: {
          202: ResetRequestedSchema,
          400: problemResponse('The email address is malformed.'),
          429: rateLimited,
        },
      },
    },
    async (request, reply) => {
      await passwordResets.request(request.body.email, clientOf(request));
      return reply.code(202).send({ message: RESET_REQUESTED });
    },
  );

  app.post(
    '/auth/password-reset/confirm',
    {
      config: perClientLimit,
      schema: {
        tags: TAGS,
        operationId: 'confirmPasswordReset',
        security: PUBLIC,
        summary: 'Set a new password with a reset token',
        description:
          'Sets the password using the token from a reset email. The token works once; every session of the account ends. ' +
          'An unknown, used or expired token answers 400 with `reason` `reset_token_invalid`, `reset_token_used` or `reset_token_expired`.',
        body: PasswordResetConfirmBody,
        response: {
          204: NoContent('The password has been changed; sign in with it.'),
          400: problemResponse(
            'The token is not valid (see `reason`) or the new password breaks the policy.',
          ),
          429: rateLimited,
        },
      },
    },
    async (request, reply) => {
      await passwordResets.confirm(request.body, clientOf(request));
      return reply.code(204).send(null);
    },
  );
};
