/** The health module's public surface: what the composition root and other modules may use. */
export { healthRoutes } from './health.routes.js';
