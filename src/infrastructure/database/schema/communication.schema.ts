import { sql } from 'drizzle-orm';
import { boolean, check, foreignKey, index, integer, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { id, nonNegative, timestamps, timestamptz } from './columns.js';
import { courses, lessons } from './courses.schema.js';
import { priorityEnum } from './enums.schema.js';
import { users } from './users.schema.js';

/**
 * Direct messages. Each side deletes independently (`sender_deleted_at`, `recipient_deleted_at`);
 * the row can be purged once both are set. Replies point at `parent_message_id`.
 */
export const messages = pgTable(
  'messages',
  {
    id: id(),
    senderId: uuid('sender_id').notNull(),
    recipientId: uuid('recipient_id').notNull(),
    subject: text('subject'),
    body: text('body').notNull(),
    readAt: timestamptz('read_at'),
    senderDeletedAt: timestamptz('sender_deleted_at'),
    recipientDeletedAt: timestamptz('recipient_deleted_at'),
    parentMessageId: uuid('parent_message_id'),
    ...timestamps,
  },
  (t) => [
    foreignKey({ name: 'messages_sender_id_fk', columns: [t.senderId], foreignColumns: [users.id] }).onDelete(
      'cascade',
    ),
    foreignKey({
      name: 'messages_recipient_id_fk',
      columns: [t.recipientId],
      foreignColumns: [users.id],
    }).onDelete('cascade'),
    foreignKey({
      name: 'messages_parent_message_id_fk',
      columns: [t.parentMessageId],
      foreignColumns: [t.id],
    }).onDelete('set null'),
    // Inbox, newest first; unread count uses (recipient_id, read_at).
    index('messages_recipient_id_created_at_idx').on(t.recipientId, t.createdAt.desc().nullsFirst()),
    index('messages_recipient_id_read_at_idx').on(t.recipientId, t.readAt),
    // Sent folder.
    index('messages_sender_id_created_at_idx').on(t.senderId, t.createdAt.desc().nullsFirst()),
    index('messages_parent_message_id_idx').on(t.parentMessageId),
    check('messages_body_not_blank_check', sql`length(btrim(${t.body})) > 0`),
    check('messages_not_self_check', sql`${t.senderId} <> ${t.recipientId}`),
  ],
);

/** Course (or lesson) discussion threads. `reply_count` / `last_post_at` are maintained on each post. */
export const discussionThreads = pgTable(
  'discussion_threads',
  {
    id: id(),
    courseId: uuid('course_id').notNull(),
    authorId: uuid('author_id').notNull(),
    lessonId: uuid('lesson_id'),
    title: text('title').notNull(),
    body: text('body').notNull(),
    isPinned: boolean('is_pinned').notNull().default(false),
    isLocked: boolean('is_locked').notNull().default(false),
    replyCount: integer('reply_count').notNull().default(0),
    lastPostAt: timestamptz('last_post_at').notNull().defaultNow(),
    ...timestamps,
  },
  (t) => [
    foreignKey({
      name: 'discussion_threads_course_id_fk',
      columns: [t.courseId],
      foreignColumns: [courses.id],
    }).onDelete('cascade'),
    foreignKey({
      name: 'discussion_threads_author_id_fk',
      columns: [t.authorId],
      foreignColumns: [users.id],
    }).onDelete('cascade'),
    foreignKey({
      name: 'discussion_threads_lesson_id_fk',
      columns: [t.lessonId],
      foreignColumns: [lessons.id],
    }).onDelete('set null'),
    // Forum listing: pinned first, then most recently active.
    index('discussion_threads_course_id_activity_idx').on(
      t.courseId,
      t.isPinned.desc().nullsFirst(),
      t.lastPostAt.desc().nullsFirst(),
      t.id,
    ),
    index('discussion_threads_author_id_idx').on(t.authorId),
    index('discussion_threads_lesson_id_idx').on(t.lessonId),
    nonNegative('discussion_threads_reply_count_check', t.replyCount),
    check('discussion_threads_title_not_blank_check', sql`length(btrim(${t.title})) > 0`),
  ],
);

/** Posts in a thread; `parent_post_id` nests replies. Soft-deleted posts keep their place (`deleted_at`). */
export const discussionPosts = pgTable(
  'discussion_posts',
  {
    id: id(),
    threadId: uuid('thread_id').notNull(),
    authorId: uuid('author_id').notNull(),
    parentPostId: uuid('parent_post_id'),
    body: text('body').notNull(),
    editedAt: timestamptz('edited_at'),
    deletedAt: timestamptz('deleted_at'),
    upvotes: integer('upvotes').notNull().default(0),
    ...timestamps,
  },
  (t) => [
    foreignKey({
      name: 'discussion_posts_thread_id_fk',
      columns: [t.threadId],
      foreignColumns: [discussionThreads.id],
    }).onDelete('cascade'),
    foreignKey({
      name: 'discussion_posts_author_id_fk',
      columns: [t.authorId],
      foreignColumns: [users.id],
    }).onDelete('cascade'),
    foreignKey({
      name: 'discussion_posts_parent_post_id_fk',
      columns: [t.parentPostId],
      foreignColumns: [t.id],
    }).onDelete('cascade'),
    // A thread's posts in order.
    index('discussion_posts_thread_id_created_at_idx').on(t.threadId, t.createdAt, t.id),
    index('discussion_posts_author_id_idx').on(t.authorId),
    index('discussion_posts_parent_post_id_idx').on(t.parentPostId),
    nonNegative('discussion_posts_upvotes_check', t.upvotes),
  ],
);

/**
 * Course announcements. `published_at` NULL = draft; a future value = scheduled.
 * `email_sent_at` makes the e-mail fan-out job idempotent.
 */
export const announcements = pgTable(
  'announcements',
  {
    id: id(),
    courseId: uuid('course_id').notNull(),
    authorId: uuid('author_id').notNull(),
    title: text('title').notNull(),
    body: text('body').notNull(),
    priority: priorityEnum('priority').notNull().default('normal'),
    publishedAt: timestamptz('published_at'),
    sendEmail: boolean('send_email').notNull().default(false),
    emailSentAt: timestamptz('email_sent_at'),
    ...timestamps,
  },
  (t) => [
    foreignKey({
      name: 'announcements_course_id_fk',
      columns: [t.courseId],
      foreignColumns: [courses.id],
    }).onDelete('cascade'),
    foreignKey({
      name: 'announcements_author_id_fk',
      columns: [t.authorId],
      foreignColumns: [users.id],
    }).onDelete('cascade'),
    index('announcements_course_id_published_at_idx').on(t.courseId, t.publishedAt.desc().nullsFirst()),
    index('announcements_author_id_idx').on(t.authorId),
    check('announcements_title_not_blank_check', sql`length(btrim(${t.title})) > 0`),
  ],
);

export type Message = typeof messages.$inferSelect;
export type NewMessage = typeof messages.$inferInsert;
export type DiscussionThread = typeof discussionThreads.$inferSelect;
export type NewDiscussionThread = typeof discussionThreads.$inferInsert;
export type DiscussionPost = typeof discussionPosts.$inferSelect;
export type NewDiscussionPost = typeof discussionPosts.$inferInsert;
export type Announcement = typeof announcements.$inferSelect;
export type NewAnnouncement = typeof announcements.$inferInsert;
