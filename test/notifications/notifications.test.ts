import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { notifications } from '../../src/infrastructure/database/schema/index.js';
import type { DomainEvents } from '../../src/infrastructure/events/domain-events.js';
import { createEventBus } from '../../src/infrastructure/events/event-bus.js';
import { unitOfWork } from '../../src/infrastructure/events/unit-of-work.js';
import { NOTIFICATION_TITLE_MAX_LENGTH, writeNotifications } from '../../src/modules/notifications/index.js';
import { insertNotification, insertSignedInUser } from '../helpers/factories/index.js';
import { useTestApp } from '../helpers/use-test-app.js';

describe('in-app notifications', () => {
  const suite = useTestApp({ cast: ['student', 'otherStudent'] });
  const { student, otherStudent } = suite.cast;

  const list = (query = '', headers = student.headers) =>
    suite.app.inject({ method: 'GET', url: `/api/v1/me/notifications${query}`, headers });
  const read = (id: string, headers = student.headers) =>
    suite.app.inject({ method: 'POST', url: `/api/v1/me/notifications/${id}/read`, headers });
  const readAll = (headers = student.headers) =>
    suite.app.inject({ method: 'POST', url: '/api/v1/me/notifications/read-all', headers });
  const rowOf = async (id: string) =>
    (await suite.db.select().from(notifications).where(eq(notifications.id, id)))[0];

  /** A fresh user with `count` notifications, one second apart (the last is the newest). */
  async function userWithNotifications(count: number) {
    const user = await insertSignedInUser(suite.testApp, { role: 'student' });
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const created = await insertNotification(suite.db, user.id, {
        title: `Notification ${i}`,
        createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)),
      });
      ids.push(created.id);
    }
    return { user, ids };
  }

  describe('happy path', () => {
    it('lists my notifications newest first in keyset pages, with the unread count', async () => {
      const { user, ids } = await userWithNotifications(5);
      const first = await list('?limit=2', user.headers);
      expect(first.statusCode).toBe(200);
      expect(first.headers['cache-control']).toBe('no-store');
      const page1 = first.json();
      expect(page1.data.map((n: { id: string }) => n.id)).toEqual([ids[4], ids[3]]);
      expect(page1.unreadCount).toBe(5);
      expect(page1.data[0]).toMatchObject({ type: 'system', title: 'Notification 4', readAt: null });
      const page2 = (await list(`?limit=2&cursor=${page1.nextCursor}`, user.headers)).json();
      expect(page2.data.map((n: { id: string }) => n.id)).toEqual([ids[2], ids[1]]);
      const page3 = (await list(`?limit=2&cursor=${page2.nextCursor}`, user.headers)).json();
      expect(page3.data.map((n: { id: string }) => n.id)).toEqual([ids[0]]);
      expect(page3.nextCursor).toBeNull();
    });

    it('marks one read (idempotently: the first read time stays) and filters by unread', async () => {
      const { user, ids } = await userWithNotifications(3);
      const first = await read(ids[1] as string, user.headers);
      expect(first.statusCode).toBe(200);
      const readAt = first.json().readAt;
      expect(readAt).toEqual(expect.any(String));
      const again = await read(ids[1] as string, user.headers);
      expect(again.json().readAt).toBe(readAt);

      const unread = (await list('?unread=true', user.headers)).json();
      expect(unread.data.map((n: { id: string }) => n.id)).toEqual([ids[2], ids[0]]);
      expect(unread.unreadCount).toBe(2);
      const readOnes = (await list('?unread=false', user.headers)).json();
      expect(readOnes.data.map((n: { id: string }) => n.id)).toEqual([ids[1]]);
    });

    it('marks all read and says how many it marked', async () => {
      const { user, ids } = await userWithNotifications(3);
      await read(ids[0] as string, user.headers);
      const response = await readAll(user.headers);
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ marked: 2, unreadCount: 0 });
      expect((await list('', user.headers)).json().unreadCount).toBe(0);
    });
  });

  describe('writing from another module', () => {
    it('writes inside the caller’s transaction and announces each one after the commit', async () => {
      const bus = createEventBus<DomainEvents>({
        onSubscriberError: ({ error }) => {
          throw error;
        },
      });
      const seen: DomainEvents['notification.created'][] = [];
      bus.subscribe(
        'notification.created',
        async (event) => {
          seen.push(event);
        },
        { name: 'test' },
      );
      const longTitle = `A course called ${'x'.repeat(300)}`;
      const ids = await unitOfWork(suite.db, bus, (tx, events) =>
        writeNotifications(tx, events, [
          { userId: otherStudent.id, type: 'enrollment', title: longTitle, payload: { courseId: 'c1' } },
          { userId: otherStudent.id, type: 'certificate_issued', title: '  Certificate  ' },
        ]),
      );
      expect(ids).toHaveLength(2);
      expect(seen.map((event) => event.notificationId)).toEqual(ids);
      expect(seen[0]).toEqual({ notificationId: ids[0], userId: otherStudent.id, type: 'enrollment' });
      const [long, short] = [await rowOf(ids[0] as string), await rowOf(ids[1] as string)];
      expect(long?.title).toHaveLength(NOTIFICATION_TITLE_MAX_LENGTH);
      expect(long?.title.endsWith('…')).toBe(true);
      expect(long?.payload).toEqual({ courseId: 'c1' });
      expect(short?.title).toBe('Certificate');
    });

    it('leaves nothing and announces nothing when the transaction rolls back', async () => {
      const bus = createEventBus<DomainEvents>({
        onSubscriberError: ({ error }) => {
          throw error;
        },
      });
      const seen: unknown[] = [];
      bus.subscribe(
        'notification.created',
        async (event) => {
          seen.push(event);
        },
        { name: 'test' },
      );
      const user = await insertSignedInUser(suite.testApp, { role: 'student' });
      await expect(
        unitOfWork(suite.db, bus, async (tx, events) => {
          await writeNotifications(tx, events, [{ userId: user.id, type: 'system', title: 'Rolled back' }]);
          throw new Error('the cause failed');
        }),
      ).rejects.toThrow('the cause failed');
      expect(seen).toEqual([]);
      expect(await suite.db.select().from(notifications).where(eq(notifications.userId, user.id))).toEqual(
        [],
      );
    });
  });

  describe('error path', () => {
    it('refuses a malformed cursor, id or filter with 400 naming the field', async () => {
      const badCursor = await list('?cursor=bm90LWEtY3Vyc29y');
      expect(badCursor.statusCode).toBe(400);
      expect(badCursor.headers['content-type']).toContain('application/problem+json');
      expect(badCursor.json().errors[0].field).toBe('/querystring/cursor');
      const badId = await read('not-a-uuid');
      expect(badId.statusCode).toBe(400);
      expect(badId.json().errors[0].field).toContain('id');
      const badFilter = await list('?unread=maybe');
      expect(badFilter.statusCode).toBe(400);
      expect(badFilter.json().errors[0].field).toContain('unread');
    });

    it('answers 404 for an id that is nobody’s', async () => {
      const response = await read('0b6f4b2e-9f1c-4d8e-9a51-3c2d7e8f9a10');
      expect(response.statusCode).toBe(404);
      expect(response.json().code).toBe('not_found');
    });

    it('answers 401 without a token', async () => {
      const response = await suite.app.inject({ method: 'GET', url: '/api/v1/me/notifications' });
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer');
    });
  });

  describe('security: only my own', () => {
    it('never lists, reveals or marks someone else’s notification', async () => {
      const secret = `private-${Date.now()}`;
      const theirs = await insertNotification(suite.db, otherStudent.id, { title: `About ${secret}` });
      const listed = await list('?limit=100');
      expect(listed.statusCode).toBe(200);
      expect(listed.body).not.toContain(secret);
      expect(listed.body).not.toContain(theirs.id);

      const marked = await read(theirs.id);
      expect(marked.statusCode).toBe(404);
      expect(marked.body).not.toContain(secret);
      expect((await rowOf(theirs.id))?.readAt).toBeNull();

      await readAll();
      expect((await rowOf(theirs.id))?.readAt).toBeNull();
    });
  });
});
