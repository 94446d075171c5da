/** The courses module's public surface: what the composition root and other modules may use. */
export { courseRoutes } from './courses.routes.js';
