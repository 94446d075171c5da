/** The jobs module's public surface: what the composition root may use. */
export { type JobsModuleDependencies, jobsModule } from './jobs.module.js';
