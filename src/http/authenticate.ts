import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type pg from 'pg';
import type { Role } from '../infrastructure/database/schema/index.js';
import type { AccessTokens } from '../infrastructure/security/access-tokens.js';
import type { Actor } from './actor.js';
import { AppError } from './errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the `authenticate` / `authenticateOptional` pre-handlers; null when anonymous. */
    actor: Actor | null;
  }
  interface FastifyInstance {
    /** preHandler: 401 unless a valid, current access token is presented. */
    authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void>;
    /** preHandler: sets `request.actor` when a token is presented (401 if it is invalid), else null. */
    authenticateOptional(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  }
}

export interface AuthenticateOptions {
  pool: Pick<pg.Pool, 'query'>;
  accessTokens: AccessTokens;
}

function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer ([A-Za-z0-9\-_.]{1,4096})$/.exec(header);
  if (!match) throw new AppError('unauthorized', 'The Authorization header must be "Bearer <access token>".');
  return match[1];
}

/**
 * Verifies the JWT, then checks the user's current state with one primary-key read: a deactivated
 * account, a changed role or a bumped token version (logout everywhere, password change) takes
 * effect on the very next request, not when the token expires.
 */
export const authenticatePlugin = fp<AuthenticateOptions>(
  async (app, { pool, accessTokens }) => {
    app.decorateRequest('actor', null);

    async function resolveActor(request: FastifyRequest): Promise<Actor | null> {
      const token = bearerToken(request);
      if (token === undefined) return null;
      const claims = accessTokens.verify(token);
      if (!claims) throw new AppError('unauthorized', 'The access token is invalid or has expired.');
      const { rows } = await pool.query<{ role: Role; is_active: boolean; token_version: number }>(
        'SELECT role, is_active, token_version FROM users WHERE id = $1',
        [claims.sub],
      );
      const user = rows[0];
      if (!user || !user.is_active || user.token_version !== claims.tv) {
        throw new AppError('unauthorized', 'The access token has been revoked.');
      }
      return { id: claims.sub, role: user.role };
    }

    app.decorate('authenticate', async (request: FastifyRequest) => {
      const actor = await resolveActor(request);
      if (!actor)
        throw new AppError('unauthorized', 'This endpoint needs an access token (Authorization: Bearer …).');
      request.actor = actor;
    });
    app.decorate('authenticateOptional', async (request: FastifyRequest) => {
      request.actor = await resolveActor(request);
    });
  },
  { name: 'authenticate' },
);

/** The actor of a route guarded by `app.authenticate` (a bug if absent, hence the throw). */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new Error('actorOf() used on a route without the authenticate pre-handler');
  return request.actor;
}
