/** The health module's public surface: what the composition root and other modules may use. */
export { type HealthModuleDependencies, healthModule } from './health.module.js';
