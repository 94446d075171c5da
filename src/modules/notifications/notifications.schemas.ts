import { Type } from 'typebox';
import { PaginationQuery } from '../../http/pagination.js';
import { notificationTypeEnum, priorityEnum } from '../../infrastructure/database/schema/index.js';

const Timestamp = Type.String({ format: 'date-time' });

export const NotificationIdParams = Type.Object(
  { id: Type.String({ format: 'uuid', description: 'The notification id.' }) },
  { additionalProperties: false },
);

export const ListNotificationsQuery = Type.Object(
  {
    unread: Type.Optional(Type.Boolean({ description: 'true: only unread ones; false: only read ones.' })),
    ...PaginationQuery,
  },
  { additionalProperties: false },
);

export const NotificationSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    type: Type.Enum([...notificationTypeEnum.enumValues]),
    priority: Type.Enum([...priorityEnum.enumValues]),
    title: Type.String(),
    body: Type.Union([Type.String(), Type.Null()]),
    payload: Type.Record(Type.String(), Type.Unknown(), {
      description: 'Ids of what it is about, by type (e.g. courseId, enrollmentId, certificateId).',
    }),
    linkUrl: Type.Union([Type.String(), Type.Null()], { description: 'An app path for the client to open.' }),
    readAt: Type.Union([Timestamp, Type.Null()]),
    createdAt: Timestamp,
  },
  { additionalProperties: false, title: 'Notification' },
);

export const NotificationPageSchema = Type.Object(
  {
    data: Type.Array(NotificationSchema),
    nextCursor: Type.Union([Type.String(), Type.Null()]),
    unreadCount: Type.Integer({ minimum: 0, description: 'All unread notifications of the user.' }),
  },
  { additionalProperties: false, title: 'NotificationPage' },
);

export const ReadAllResultSchema = Type.Object(
  {
    marked: Type.Integer({ minimum: 0, description: 'How many were unread and are now read.' }),
    unreadCount: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false, title: 'ReadAllResult' },
);
