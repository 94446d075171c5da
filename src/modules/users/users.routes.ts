import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { actorOf } from '../../http/authenticate.js';
import { BEARER, PUBLIC } from '../../http/openapi-security.js';
import { problemResponse } from '../../http/problem.js';
import type { ProfilesService } from './profiles.service.js';
import {
  ChangeRoleBody,
  ListUsersQuery,
  MeSchema,
  ProfileSchema,
  PublicProfileSchema,
  UpdateMeBody,
  UpdateProfileBody,
  UserIdParams,
  UserPageSchema,
  UserSchema,
} from './users.schemas.js';
import type { UsersService } from './users.service.js';

export interface UsersRoutesOptions {
  accounts: UsersService;
  profiles: ProfilesService;
}

const TAGS = ['users'];
const unauthorized = problemResponse('No valid access token.');
const adminOnly = problemResponse('The signed-in user is not an admin.');
const noSuchUser = problemResponse('No user with this id.');

/**
 * The signed-in user (`/me`, `/me/profile`), public profiles, and user administration for admins.
 * Private responses are `no-store` for clients and proxies; public profiles may be cached. The
 * server keeps each user's `/me` (user-cache.ts), invalidated by every write that changes it.
 */
export const usersRoutes: FastifyPluginAsyncTypebox<UsersRoutesOptions> = async (
  app,
  { accounts, profiles },
) => {
  // Whatever a signed-in request returns is someone's private view; public profiles are left cacheable.
  // Callback style: it runs on every response of these routes, and an async hook costs a promise.
  app.addHook('onSend', (request, reply, payload, done) => {
    if (request.actor !== null) reply.header('cache-control', 'no-store');
    done(null, payload);
  });

  app.get(
    '/me',
    {
      preHandler: app.authenticate,
      schema: {
        tags: TAGS,
        operationId: 'getMe',
        summary: 'The signed-in user',
        description: 'The account of the access token’s holder, with their profile and settings.',
        security: BEARER,
        response: { 200: MeSchema, 401: unauthorized },
      },
    },
    // Sent as the bytes the route's serializer made when the view was computed (cached per user).
    async (request, reply) => {
      const payload = await accounts.getMe(actorOf(request), (me) => reply.serialize(me) as string);
      reply.type('application/json; charset=utf-8');
      return payload;
    },
  );

  app.patch(
    '/me',
    {
      preHandler: app.authenticate,
      schema: {
        tags: TAGS,
        operationId: 'updateMe',
        summary: 'Rename the signed-in user',
        description: 'Changes the display name (1 to 100 characters after trimming).',
        security: BEARER,
        body: UpdateMeBody,
        response: {
          200: MeSchema,
          400: problemResponse('The name is missing, blank or too long.'),
          401: unauthorized,
        },
      },
    },
    async (request) => accounts.updateMe(actorOf(request), request.body),
  );

  app.get(
    '/me/profile',
    {
      preHandler: app.authenticate,
      schema: {
        tags: TAGS,
        operationId: 'getMyProfile',
        summary: 'The signed-in user’s profile',
        description: 'Profile and settings (time zone, locale). Defaults until first saved.',
        security: BEARER,
        response: { 200: ProfileSchema, 401: unauthorized },
      },
    },
    async (request) => profiles.getOwn(actorOf(request)),
  );

  app.patch(
    '/me/profile',
    {
      preHandler: app.authenticate,
      schema: {
        tags: TAGS,
        operationId: 'updateMyProfile',
        summary: 'Update the signed-in user’s profile',
        description:
          'Changes the fields given (at least one). `headline` ≤ 160 and `bio` ≤ 5000 characters; `avatarUrl`, `websiteUrl` ' +
          'and each social link an http(s) URL ≤ 2048 characters; `timezone` an IANA zone; `locale` a BCP 47 tag (stored in ' +
          'canonical form); `socialLinks` replaces the whole set. Every bad field is listed; nothing is saved unless all are valid. ' +
          'Only one’s own profile can be changed.',
        security: BEARER,
        body: UpdateProfileBody,
        response: {
          200: ProfileSchema,
          400: problemResponse('One or more fields are not valid (each listed in `errors`).'),
          401: unauthorized,
        },
      },
    },
    async (request) => profiles.updateOwn(actorOf(request), request.body),
  );

  app.get(
    '/users/:id/profile',
    {
      schema: {
        tags: TAGS,
        operationId: 'getPublicProfile',
        security: PUBLIC,
        summary: 'A user’s public profile',
        description:
          'Name, headline, bio, avatar, website and social links of an active user. No sign-in needed; no email address.',
        params: UserIdParams,
        response: {
          200: PublicProfileSchema,
          400: problemResponse('The id is not a UUID.'),
          404: problemResponse('No active user with this id.'),
        },
      },
    },
    async (request) => profiles.getPublic(request.params.id),
  );

  app.get(
    '/users',
    {
      preHandler: app.authenticate,
      schema: {
        tags: TAGS,
        operationId: 'listUsers',
        summary: 'List users (admin)',
        description:
          'Every account, newest first, keyset-paginated. Filter by `role`, `isActive`, and `q`: a case-insensitive prefix of the email address or the name.',
        security: BEARER,
        querystring: ListUsersQuery,
        response: {
          200: UserPageSchema,
          400: problemResponse('A query parameter or the cursor is not valid.'),
          401: unauthorized,
          403: adminOnly,
        },
      },
    },
    async (request) => accounts.list(actorOf(request), request.query),
  );

  app.get(
    '/users/:id',
    {
      preHandler: app.authenticate,
      schema: {
        tags: TAGS,
        operationId: 'getUser',
        summary: 'Get a user (admin)',
        description: 'One account, active or not.',
        security: BEARER,
        params: UserIdParams,
        response: { 200: UserSchema, 401: unauthorized, 403: adminOnly, 404: noSuchUser },
      },
    },
    async (request) => accounts.get(actorOf(request), request.params.id),
  );

  app.patch(
    '/users/:id/role',
    {
      preHandler: app.authenticate,
      schema: {
        tags: TAGS,
        operationId: 'changeUserRole',
        summary: 'Change a user’s role (admin)',
        description:
          'Promotes or demotes a user (student, instructor, admin); effective on their next request. Admins cannot change their own role (409).',
        security: BEARER,
        params: UserIdParams,
        body: ChangeRoleBody,
        response: {
          200: UserSchema,
          400: problemResponse('The role is not one of student, instructor, admin.'),
          401: unauthorized,
          403: adminOnly,
          404: noSuchUser,
          409: problemResponse('An admin tried to change their own role.'),
        },
      },
    },
    async (request) => accounts.changeRole(actorOf(request), request.params.id, request.body.role),
  );

  app.post(
    '/users/:id/deactivate',
    {
      preHandler: app.authenticate,
      schema: {
        tags: TAGS,
        operationId: 'deactivateUser',
        summary: 'Deactivate a user (admin)',
        description:
          'The user can no longer sign in or refresh, and their access tokens stop working at once. Their data stays. ' +
          'Deactivating an inactive user changes nothing. Admins cannot deactivate themselves (409).',
        security: BEARER,
        params: UserIdParams,
        response: {
          200: UserSchema,
          401: unauthorized,
          403: adminOnly,
          404: noSuchUser,
          409: problemResponse('An admin tried to deactivate their own account.'),
        },
      },
    },
    async (request) => accounts.deactivate(actorOf(request), request.params.id),
  );

  app.post(
    '/users/:id/reactivate',
    {
      preHandler: app.authenticate,
      schema: {
        tags: TAGS,
        operationId: 'reactivateUser',
        summary: 'Reactivate a user (admin)',
        description: 'The user may sign in again; sessions ended by the deactivation stay ended.',
        security: BEARER,
        params: UserIdParams,
        response: { 200: UserSchema, 401: unauthorized, 403: adminOnly, 404: noSuchUser },
      },
    },
    async (request) => accounts.reactivate(actorOf(request), request.params.id),
  );
};
