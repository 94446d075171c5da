/**
 * The database schema: the guide's 24 tables and 16 enums (migration 0000), what later migrations
 * add (0001: auth tokens; 0003: the learning path's course settings, prerequisites, bulk operations and
 * idempotency keys), and the relations used by Drizzle's relational query API.
 * drizzle-kit reads this file.
 */
export * from './analytics.schema.js';
export * from './assessments.schema.js';
export * from './auth.schema.js';
export * from './communication.schema.js';
export * from './courses.schema.js';
export * from './enrollments.schema.js';
export * from './enums.schema.js';
export * from './idempotency.schema.js';
export * from './notifications.schema.js';
export * from './operations.schema.js';
export * from './payments.schema.js';
export * from './relations.js';
export * from './users.schema.js';
