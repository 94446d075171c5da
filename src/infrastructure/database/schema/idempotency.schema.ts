import { sql } from 'drizzle-orm';
import { check, foreignKey, index, integer, jsonb, pgTable, text, unique, uuid } from 'drizzle-orm/pg-core';
import { id, timestamptz } from './columns.js';
import { users } from './users.schema.js';

/**
 * `Idempotency-Key` records: the first request with a key stores what it answered, a retry with the
 * same key (same user, same operation) gets that answer again instead of doing the work twice. The
 * request's fingerprint catches a key reused for a different request (422). Rows expire.
 */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    id: id(),
    userId: uuid('user_id').notNull(),
    /** The operation, e.g. `enrollments.create`; a key is unique per user and operation. */
    scope: text('scope').notNull(),
    key: text('key').notNull(),
    /** sha256 of the request's significant parts (path parameters and body). */
    requestHash: text('request_hash').notNull(),
    statusCode: integer('status_code').notNull(),
    /** The id of what the first request created or returned. */
    resourceId: uuid('resource_id'),
    response: jsonb('response'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    expiresAt: timestamptz('expires_at').notNull(),
  },
  (t) => [
    foreignKey({
      name: 'idempotency_keys_user_id_fk',
      columns: [t.userId],
      foreignColumns: [users.id],
    }).onDelete('cascade'),
    unique('idempotency_keys_user_id_scope_key_unique').on(t.userId, t.scope, t.key),
    index('idempotency_keys_expires_at_idx').on(t.expiresAt),
    check('idempotency_keys_key_length_check', sql`length(${t.key}) BETWEEN 1 AND 255`),
    check('idempotency_keys_status_code_check', sql`${t.statusCode} BETWEEN 200 AND 599`),
  ],
);

export type IdempotencyKey = typeof idempotencyKeys.$inferSelect;
