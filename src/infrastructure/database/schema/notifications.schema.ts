import { sql } from 'drizzle-orm';
import { check, foreignKey, index, jsonb, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { emptyJsonObject, id, jsonbTypeCheck, timestamps, timestamptz } from './columns.js';
import { notificationTypeEnum, priorityEnum } from './enums.schema.js';
import { users } from './users.schema.js';

/** Type-specific data for the client (ids of the course, message, submission, ...). */
export type NotificationPayload = Record<string, unknown>;

/** In-app notifications. Unread = `read_at IS NULL`. */
export const notifications = pgTable(
  'notifications',
  {
    id: id(),
    userId: uuid('user_id').notNull(),
    type: notificationTypeEnum('type').notNull(),
    priority: priorityEnum('priority').notNull().default('normal'),
    title: text('title').notNull(),
    body: text('body'),
    payload: jsonb('payload').$type<NotificationPayload>().notNull().default(emptyJsonObject),
    linkUrl: text('link_url'),
    readAt: timestamptz('read_at'),
    ...timestamps,
  },
  (t) => [
    foreignKey({
      name: 'notifications_user_id_fk',
      columns: [t.userId],
      foreignColumns: [users.id],
    }).onDelete('cascade'),
    // The user's feed and unread list/count: WHERE user_id = $1 [AND read_at IS NULL] ORDER BY created_at DESC.
    index('notifications_user_id_read_at_created_at_idx').on(
      t.userId,
      t.readAt,
      t.createdAt.desc().nullsFirst(),
    ),
    index('notifications_user_id_created_at_idx').on(t.userId, t.createdAt.desc().nullsFirst(), t.id),
    // Retention sweep of old notifications.
    index('notifications_created_at_idx').on(t.createdAt),
    check('notifications_title_not_blank_check', sql`length(btrim(${t.title})) > 0`),
    jsonbTypeCheck('notifications_payload_object_check', t.payload, 'object'),
  ],
);

export type Notification = typeof notifications.$inferSelect;
export type NewNotification = typeof notifications.$inferInsert;
