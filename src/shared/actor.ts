import type { Role } from '../infrastructure/database/schema/index.js';
import { AppError } from './errors.js';

/** Who is making a request, as services see it (never a Fastify request). */
export interface Actor {
  id: string;
  role: Role;
}

/** Throws 403 unless the actor has one of the roles. */
export function requireRole(actor: Actor, ...roles: Role[]): void {
  if (!roles.includes(actor.role)) {
    throw new AppError('forbidden', `This action needs the ${roles.join(' or ')} role.`);
  }
}

export const isAdmin = (actor: Actor | null | undefined): boolean => actor?.role === 'admin';
