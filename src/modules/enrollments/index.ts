/** The enrollments module's public surface: what the composition root and other modules may use. */
export * from './enrollment-progress.js';
