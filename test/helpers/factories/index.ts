/**
 * The test factories, one file per entity: users (and signed-in users), tokens and sessions,
 * courses (modules, lessons, quizzes, assignments), enrollments, notifications, background jobs, a bulk
 * catalog; `api` and
 * `serverApi` for the HTTP path (in-process and against a spawned server).
 */
export * from './api.js';
export * from './assessments.js';
export * from './bulk-catalog.js';
export * from './certificates.js';
export * from './courses.js';
export * from './enrollments.js';
export * from './jobs.js';
export * from './notifications.js';
export * from './progress.js';
export * from './server-api.js';
export * from './tokens.js';
export * from './users.js';
