/**
 * The catalog module: search and read published courses and their lessons, cached per scope.
 * It writes no table; it fills the catalog cache, which the course and user subscribers invalidate.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Database } from '../../infrastructure/database/client/client.js';
import { catalogRoutes } from './catalog.routes.js';
import { createCatalogService, type LearnerAccess } from './catalog.service.js';
import type { CatalogCache } from './catalog-cache.js';

/** Exactly what the catalog needs from the composition root. */
export interface CatalogModuleDependencies {
  db: Database;
  /** The one catalog cache of the app, shared with the subscribers that invalidate it. */
  catalogCache: CatalogCache;
  /** What the locking rule of sequential courses leaves open to a learner (the progress module's port). */
  learnerAccess: LearnerAccess;
}

export const catalogModule: FastifyPluginAsyncTypebox<CatalogModuleDependencies> = async (app, deps) => {
  const catalog = createCatalogService({
    db: deps.db,
    cache: deps.catalogCache,
    learnerAccess: deps.learnerAccess,
  });
  await app.register(catalogRoutes, { catalog });
};
