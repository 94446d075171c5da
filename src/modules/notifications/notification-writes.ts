import {
  type NotificationPayload,
  type NotificationType,
  notifications,
  type Priority,
} from '../../infrastructure/database/schema/index.js';
import type { DomainEvents } from '../../infrastructure/events/domain-events.js';
import type { TransactionEvents } from '../../infrastructure/events/unit-of-work.js';
import type { Executor } from '../../shared/transaction.js';

/** Longest title kept; longer ones are cut with an ellipsis (titles come from course names). */
export const NOTIFICATION_TITLE_MAX_LENGTH = 200;

/** One in-app notification for one user, as the module that causes it describes it. */
export interface NotificationDraft {
  userId: string;
  type: NotificationType;
  title: string;
  body?: string | null;
  /** Ids the client needs to act on it (`{ courseId, enrollmentId }`); never secrets. */
  payload?: NotificationPayload;
  /** An app path such as `/courses/intro-to-sql`, resolved by the client against its own origin. */
  linkUrl?: string | null;
  priority?: Priority;
}

function titleOf(title: string): string {
  const trimmed = title.trim();
  if (trimmed.length <= NOTIFICATION_TITLE_MAX_LENGTH) return trimmed;
  return `${trimmed.slice(0, NOTIFICATION_TITLE_MAX_LENGTH - 1).trimEnd()}…`;
}

/**
 * Writes notifications inside the caller's transaction, so a notification exists exactly when the
 * change it announces committed (an enrolment rolled back leaves no "you are enrolled"). Other
 * modules call this instead of inserting into `notifications`. Each one publishes
 * `notification.created`, delivered after the commit, for live delivery and email digests.
 */
export async function writeNotifications(
  tx: Executor,
  events: TransactionEvents<DomainEvents>,
  drafts: readonly NotificationDraft[],
): Promise<string[]> {
  if (drafts.length === 0) return [];
  const rows = await tx
    .insert(notifications)
    .values(
      drafts.map((draft) => ({
        userId: draft.userId,
        type: draft.type,
        title: titleOf(draft.title),
        body: draft.body ?? null,
        payload: draft.payload ?? {},
        linkUrl: draft.linkUrl ?? null,
        priority: draft.priority ?? 'normal',
      })),
    )
    .returning({ id: notifications.id, userId: notifications.userId, type: notifications.type });
  for (const row of rows) {
    events.publish('notification.created', { notificationId: row.id, userId: row.userId, type: row.type });
  }
  return rows.map((row) => row.id);
}

/** One notification; see writeNotifications. */
export async function writeNotification(
  tx: Executor,
  events: TransactionEvents<DomainEvents>,
  draft: NotificationDraft,
): Promise<string> {
  const [id] = await writeNotifications(tx, events, [draft]);
  return id as string;
}
