/** The catalog module's public surface: what the composition root and other modules may use. */
export { catalogRoutes } from './catalog.routes.js';
export { type CatalogCache, createCatalogCache } from './catalog-cache.js';
export { createInstructorRenames } from './instructor-renames.js';
