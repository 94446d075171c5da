import { eq } from 'drizzle-orm';
import type { Database } from '../../../src/infrastructure/database/client/client.js';
import {
  type NewNotification,
  type Notification,
  notifications,
} from '../../../src/infrastructure/database/schema/index.js';

/** A notification for `userId` (unread unless `readAt` is given); `createdAt` orders a feed in tests. */
export async function insertNotification(
  db: Database,
  userId: string,
  overrides: Partial<Omit<NewNotification, 'userId'>> = {},
): Promise<Notification> {
  const [notification] = await db
    .insert(notifications)
    .values({ type: 'system', title: 'A notification for the tests', ...overrides, userId })
    .returning();
  if (!notification) throw new Error('insertNotification: insert returned no row');
  return notification;
}

/** Every notification of `userId`, as stored. */
export async function notificationsOf(db: Database, userId: string): Promise<Notification[]> {
  return db.select().from(notifications).where(eq(notifications.userId, userId));
}
