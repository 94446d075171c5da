/** The catalog module's public surface: what the composition root and other modules may use. */
export { catalogRoutes } from './catalog.routes.js';
export { createCatalogCache } from './catalog-cache.js';
export { createInstructorRenames, type InstructorRenames } from './instructor-renames.js';
