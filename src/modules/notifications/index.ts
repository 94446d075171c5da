/** The notifications module's public surface: what the composition root and other modules may use. */

export {
  NOTIFICATION_TITLE_MAX_LENGTH,
  type NotificationDraft,
  writeNotification,
  writeNotifications,
} from './notification-writes.js';
export { type NotificationsModuleDependencies, notificationsModule } from './notifications.module.js';
