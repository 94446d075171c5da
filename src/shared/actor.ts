import type { Role } from '../infrastructure/database/schema/index.js';
import { AppError } from './errors.js';

/** Who is making a request, as services see it (never a Fastify request). */
export interface Actor {
  id: string;
  role: Role;
}

/** What the authentication guard checks on every request, besides the token itself. */
export interface UserAuthState {
  role: Role;
  isActive: boolean;
  tokenVersion: number;
}

/**
 * Where the authentication guard gets a user's current state. It must reflect every committed
 * change on the next request (the application's user cache does: it is invalidated after each
 * write, see src/modules/users/user-cache.ts). Undefined for unknown users.
 */
export interface UserStateSource {
  authState(userId: string): Promise<UserAuthState | undefined>;
}

/** Throws 403 unless the actor has one of the roles. */
export function requireRole(actor: Actor, ...roles: Role[]): void {
  if (!roles.includes(actor.role)) {
    throw new AppError('forbidden', `This action needs the ${roles.join(' or ')} role.`);
  }
}

export const isAdmin = (actor: Actor | null | undefined): boolean => actor?.role === 'admin';
