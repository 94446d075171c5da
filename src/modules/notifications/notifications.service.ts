import { and, count, desc, eq, isNotNull, isNull, type SQL } from 'drizzle-orm';
import type { Database } from '../../infrastructure/database/client/client.js';
import { type Notification, notifications } from '../../infrastructure/database/schema/index.js';
import type { Actor } from '../../shared/actor.js';
import { AppError } from '../../shared/errors.js';
import { decodeTimestampIdCursor, microsecondKey, olderThan, toPage } from '../../shared/keyset.js';
import type { Executor } from '../../shared/transaction.js';

export interface NotificationView {
  id: string;
  type: Notification['type'];
  priority: Notification['priority'];
  title: string;
  body: string | null;
  payload: Record<string, unknown>;
  linkUrl: string | null;
  readAt: string | null;
  createdAt: string;
}

export interface NotificationFilter {
  unread?: boolean | undefined;
  limit: number;
  cursor?: string | undefined;
}

export interface NotificationPage {
  data: NotificationView[];
  nextCursor: string | null;
  unreadCount: number;
}

const viewColumns = {
  id: notifications.id,
  type: notifications.type,
  priority: notifications.priority,
  title: notifications.title,
  body: notifications.body,
  payload: notifications.payload,
  linkUrl: notifications.linkUrl,
  readAt: notifications.readAt,
  createdAt: notifications.createdAt,
};

type ViewRow = { [K in keyof typeof viewColumns]: Notification[K] };

function toView(row: ViewRow): NotificationView {
  return {
    id: row.id,
    type: row.type,
    priority: row.priority,
    title: row.title,
    body: row.body,
    payload: row.payload,
    linkUrl: row.linkUrl,
    readAt: row.readAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
  };
}

async function unreadCountOf(executor: Executor, userId: string): Promise<number> {
  const [row] = await executor
    .select({ n: count() })
    .from(notifications)
    .where(and(eq(notifications.userId, userId), isNull(notifications.readAt)));
  return row?.n ?? 0;
}

const noSuchNotification = () => new AppError('not_found', 'No notification with this id.');

/**
 * The signed-in user's own notifications: every query is scoped to `actor.id`, so another user's
 * notification is indistinguishable from one that does not exist (404).
 */
export function createNotificationsService({ db }: { db: Database }) {
  return {
    async listMine(actor: Actor, filter: NotificationFilter): Promise<NotificationPage> {
      const cursor = decodeTimestampIdCursor(filter.cursor);
      const conditions: SQL[] = [eq(notifications.userId, actor.id)];
      if (filter.unread === true) conditions.push(isNull(notifications.readAt));
      if (filter.unread === false) conditions.push(isNotNull(notifications.readAt));
      if (cursor) conditions.push(olderThan(notifications.createdAt, notifications.id, cursor));
      const [rows, unreadCount] = await Promise.all([
        db
          .select({ ...viewColumns, createdAtKey: microsecondKey(notifications.createdAt) })
          .from(notifications)
          .where(and(...conditions))
          .orderBy(desc(notifications.createdAt), desc(notifications.id))
          .limit(filter.limit + 1),
        unreadCountOf(db, actor.id),
      ]);
      const page = toPage(rows, filter.limit, toView, (row) => ({ p: row.createdAtKey, id: row.id }));
      return { ...page, unreadCount };
    },

    /** Idempotent: reading a read notification keeps its first `read_at`. */
    async markRead(actor: Actor, id: string): Promise<NotificationView> {
      return db.transaction(async (tx) => {
        const [updated] = await tx
          .update(notifications)
          .set({ readAt: new Date() })
          .where(
            and(eq(notifications.id, id), eq(notifications.userId, actor.id), isNull(notifications.readAt)),
          )
          .returning(viewColumns);
        if (updated) return toView(updated);
        const [existing] = await tx
          .select(viewColumns)
          .from(notifications)
          .where(and(eq(notifications.id, id), eq(notifications.userId, actor.id)));
        if (!existing) throw noSuchNotification();
        return toView(existing);
      });
    },

    async markAllRead(actor: Actor): Promise<{ marked: number; unreadCount: number }> {
      const marked = await db
        .update(notifications)
        .set({ readAt: new Date() })
        .where(and(eq(notifications.userId, actor.id), isNull(notifications.readAt)))
        .returning({ id: notifications.id });
      // Ones written after the update started are still unread: say so rather than claim zero.
      return { marked: marked.length, unreadCount: await unreadCountOf(db, actor.id) };
    },
  };
}

export type NotificationsService = ReturnType<typeof createNotificationsService>;
