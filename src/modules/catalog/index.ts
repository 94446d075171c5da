/** The catalog module's public surface: what the composition root and other modules may use. */
export { type CatalogModuleDependencies, catalogModule } from './catalog.module.js';
export type { LearnerAccess } from './catalog.service.js';
export { type CatalogCache, createCatalogCache } from './catalog-cache.js';
export { createInstructorRenames } from './instructor-renames.js';
