import { eq, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { refreshTokens, users } from '../../src/infrastructure/database/schema/index.js';
import {
  bearer,
  insertUser,
  loginAs,
  mintAccessToken,
  type TestUser,
  uniqueClientAddress,
} from '../helpers/factories/index.js';
import { ROOMY_RATE_LIMITS, useTestApp } from '../helpers/use-test-app.js';

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

describe('user administration (admin)', () => {
  const suite = useTestApp({ rateLimit: ROOMY_RATE_LIMITS });
  let admin: TestUser;
  let adminHeaders: { authorization: string };
  let studentHeaders: { authorization: string };
  let instructorHeaders: { authorization: string };

  beforeAll(async () => {
    admin = await insertUser(suite.db, { role: 'admin', name: 'Root Admin' });
    adminHeaders = bearer(await mintAccessToken(suite.testApp, admin));
    studentHeaders = bearer(await mintAccessToken(suite.testApp, await insertUser(suite.db)));
    instructorHeaders = bearer(
      await mintAccessToken(suite.testApp, await insertUser(suite.db, { role: 'instructor' })),
    );
  });

  const get = (url: string, headers: Record<string, string> = adminHeaders) =>
    suite.app.inject({ method: 'GET', url: `/api/v1${url}`, headers });
  const post = (url: string, headers: Record<string, string> = adminHeaders) =>
    suite.app.inject({ method: 'POST', url: `/api/v1${url}`, headers });
  const changeRole = (id: string, role: string, headers: Record<string, string> = adminHeaders) =>
    suite.app.inject({ method: 'PATCH', url: `/api/v1/users/${id}/role`, headers, payload: { role } });
  const login = (user: TestUser) =>
    suite.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      remoteAddress: uniqueClientAddress(),
      payload: { email: user.email, password: user.password },
    });
  const roleOf = async (id: string) =>
    (await suite.db.select({ role: users.role }).from(users).where(eq(users.id, id)))[0]?.role;

  describe('who may call', () => {
    it.each([
      ['GET', '/users'],
      ['GET', `/users/${UNKNOWN_ID}`],
      ['PATCH', `/users/${UNKNOWN_ID}/role`],
      ['POST', `/users/${UNKNOWN_ID}/deactivate`],
      ['POST', `/users/${UNKNOWN_ID}/reactivate`],
    ] as const)('%s %s: 401 anonymous, 403 student and instructor', async (method, url) => {
      const payload = method === 'PATCH' ? { role: 'student' } : undefined;
      const anonymous = await suite.app.inject({ method, url: `/api/v1${url}`, payload });
      expect(anonymous.statusCode).toBe(401);
      for (const headers of [studentHeaders, instructorHeaders]) {
        const response = await suite.app.inject({ method, url: `/api/v1${url}`, headers, payload });
        expect(response.statusCode).toBe(403);
        expect(response.json()).toMatchObject({ code: 'forbidden', detail: expect.stringMatching(/admin/) });
      }
    });
  });

  describe('GET /users', () => {
    let listed: TestUser[];

    beforeAll(async () => {
      listed = [];
      for (let i = 0; i < 12; i++) {
        listed.push(
          await insertUser(suite.db, {
            email: `list-${String(i).padStart(2, '0')}@school.test`,
            name: i % 2 === 0 ? `Zoe Even ${i}` : `Odd_Person ${i}`,
            role: i < 3 ? 'instructor' : 'student',
            isActive: i !== 5,
          }),
        );
      }
      // Several accounts created in the same microsecond would still page correctly (id breaks ties).
      await suite.db
        .update(users)
        .set({ createdAt: sql`'2025-01-01T00:00:00.123456Z'::timestamptz` })
        .where(sql`${users.email} in ('list-07@school.test', 'list-08@school.test', 'list-09@school.test')`);
    });

    it('pages through every account exactly once, newest first, without secrets', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const response = await get(`/users?limit=5${cursor ? `&cursor=${cursor}` : ''}`);
        expect(response.statusCode).toBe(200);
        expect(response.body).not.toMatch(/passwordHash|\$argon2|tokenVersion/);
        const body = response.json();
        expect(body.data.length).toBeLessThanOrEqual(5);
        seen.push(...body.data.map((u: { id: string }) => u.id));
        cursor = body.nextCursor;
        pages++;
      } while (cursor !== null && pages < 20);

      const [{ total }] = (await suite.db.execute(sql`select count(*)::int as total from users`)).rows as [
        { total: number },
      ];
      expect(seen).toHaveLength(total);
      expect(new Set(seen).size).toBe(total);
      const all = await suite.db.select({ id: users.id, createdAt: users.createdAt }).from(users);
      const order = new Map(seen.map((id, index) => [id, index]));
      const sorted = [...all].sort(
        (a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (b.id < a.id ? -1 : 1),
      );
      // Millisecond ordering agrees with the page order (microsecond ties broken by id).
      for (let i = 1; i < sorted.length; i++) {
        if (sorted[i - 1]!.createdAt.getTime() !== sorted[i]!.createdAt.getTime()) {
          expect(order.get(sorted[i - 1]!.id)!).toBeLessThan(order.get(sorted[i]!.id)!);
        }
      }
    });

    it('filters by role, state and an email or name prefix (case-insensitive, wildcards literal)', async () => {
      const ids = async (query: string) => {
        const response = await get(`/users?limit=100&${query}`);
        expect(response.statusCode).toBe(200);
        return new Set(response.json().data.map((u: { id: string }) => u.id));
      };
      const byEmail = (predicate: (u: TestUser, i: number) => boolean) =>
        new Set(listed.filter(predicate).map((u) => u.id));

      expect(await ids('q=LIST-0')).toEqual(byEmail((_u, i) => i < 10));
      expect(await ids('q=zoe')).toEqual(byEmail((_u, i) => i % 2 === 0));
      expect(await ids('q=odd_')).toEqual(byEmail((_u, i) => i % 2 === 1));
      // "_" and "%" match themselves only: "odd%" and "zo_" match nobody.
      expect(await ids(`q=${encodeURIComponent('odd%')}`)).toEqual(new Set());
      expect(await ids('q=zo_')).toEqual(new Set());
      expect(await ids('q=list&role=instructor')).toEqual(byEmail((_u, i) => i < 3));
      expect(await ids('q=list&isActive=false')).toEqual(byEmail((_u, i) => i === 5));
      expect(await ids('q=list&isActive=true&role=student')).toEqual(byEmail((_u, i) => i >= 3 && i !== 5));
    });

    it('refuses bad query parameters and forged cursors with 400', async () => {
      const cases = [
        ['limit=0', '/querystring/limit'],
        ['limit=101', '/querystring/limit'],
        ['role=superuser', '/querystring/role'],
        ['isActive=maybe', '/querystring/isActive'],
        ['unknown=1', '/querystring/unknown'],
        [`cursor=${Buffer.from('{"c":"x","i":"y"}').toString('base64url')}`, '/querystring/cursor'],
        ['cursor=bm90LWpzb24', '/querystring/cursor'],
      ];
      for (const [query, field] of cases) {
        const response = await get(`/users?${query}`);
        expect(response.statusCode, query).toBe(400);
        expect(
          response.json().errors.map((e: { field: string }) => e.field),
          query,
        ).toContain(field);
      }
    });
  });

  describe('GET /users/{id}', () => {
    it('returns any account, active or not; 404 for unknown ids', async () => {
      const inactive = await insertUser(suite.db, { isActive: false });
      const response = await get(`/users/${inactive.id}`);
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ id: inactive.id, email: inactive.email, isActive: false });
      expect(response.json().deactivatedAt).not.toBeNull();
      expect(response.body).not.toMatch(/passwordHash|\$argon2/);

      expect((await get(`/users/${UNKNOWN_ID}`)).statusCode).toBe(404);
      expect((await get('/users/123')).statusCode).toBe(400);
    });
  });

  describe('PATCH /users/{id}/role', () => {
    it('promotes a student; their next request already has the new role', async () => {
      const student = await insertUser(suite.db);
      const session = await loginAs(suite.app, student);

      const response = await changeRole(student.id, 'instructor');
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ id: student.id, role: 'instructor' });
      const me = await suite.app.inject({
        method: 'GET',
        url: '/api/v1/me',
        headers: bearer(session.accessToken),
      });
      expect(me.json().role).toBe('instructor');

      expect((await changeRole(student.id, 'student')).json().role).toBe('student');
    });

    it('refuses an admin changing their own role (409) and keeps it', async () => {
      const response = await changeRole(admin.id, 'student');
      expect(response.statusCode).toBe(409);
      expect(response.json().detail).toMatch(/your own role/);
      expect(await roleOf(admin.id)).toBe('admin');
    });

    it('validates the role and the target', async () => {
      const student = await insertUser(suite.db);
      const bad = await changeRole(student.id, 'superadmin');
      expect(bad.statusCode).toBe(400);
      expect(bad.json().errors.map((e: { field: string }) => e.field)).toContain('/body/role');
      expect(await roleOf(student.id)).toBe('student');
      expect((await changeRole(UNKNOWN_ID, 'student')).statusCode).toBe(404);
    });

    it('a non-admin cannot promote themselves', async () => {
      const student = await insertUser(suite.db);
      const headers = bearer(await mintAccessToken(suite.testApp, student));
      expect((await changeRole(student.id, 'admin', headers)).statusCode).toBe(403);
      expect(await roleOf(student.id)).toBe('student');
    });
  });

  describe('POST /users/{id}/deactivate and /reactivate', () => {
    it('cuts a user off at once, and lets them back in when reactivated', async () => {
      const student = await insertUser(suite.db);
      const session = await loginAs(suite.app, student);
      const me = () =>
        suite.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(session.accessToken) });
      expect((await me()).statusCode).toBe(200);

      const response = await post(`/users/${student.id}/deactivate`);
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ id: student.id, isActive: false });
      expect(response.json().deactivatedAt).not.toBeNull();

      // The access token issued before dies at once.
      expect((await me()).statusCode).toBe(401);
      const refreshed = await suite.app.inject({
        method: 'POST',
        url: '/api/v1/auth/refresh',
        payload: { refreshToken: session.refreshToken },
      });
      expect(refreshed.statusCode).toBe(401);
      const [token] = await suite.db.select().from(refreshTokens).where(eq(refreshTokens.userId, student.id));
      expect(token?.revokedReason).toBe('deactivated');

      // Same answer as a wrong password: no account-state enumeration.
      const loginAttempt = await login(student);
      expect(loginAttempt.statusCode).toBe(401);
      expect(loginAttempt.json().detail).toBe('The email address or password is incorrect.');
      expect((await get(`/users/${student.id}/profile`, {})).statusCode).toBe(404);

      // Idempotent.
      const again = await post(`/users/${student.id}/deactivate`);
      expect(again.statusCode).toBe(200);
      expect(again.json().deactivatedAt).toBe(response.json().deactivatedAt);

      const reactivated = await post(`/users/${student.id}/reactivate`);
      expect(reactivated.statusCode).toBe(200);
      expect(reactivated.json()).toMatchObject({ isActive: true, deactivatedAt: null });
      expect((await me()).statusCode).toBe(401);
      const fresh = await login(student);
      expect(fresh.statusCode).toBe(200);
      expect(
        (
          await suite.app.inject({
            method: 'GET',
            url: '/api/v1/me',
            headers: bearer(fresh.json().accessToken),
          })
        ).statusCode,
      ).toBe(200);
    });

    it('refuses an admin deactivating themselves (409), and they stay active', async () => {
      const response = await post(`/users/${admin.id}/deactivate`);
      expect(response.statusCode).toBe(409);
      expect(response.json().detail).toMatch(/your own account/);
      const [row] = await suite.db.select().from(users).where(eq(users.id, admin.id));
      expect(row?.isActive).toBe(true);
      expect((await get('/me')).statusCode).toBe(200);
    });

    it('lets an admin deactivate another admin', async () => {
      const other = await insertUser(suite.db, { role: 'admin' });
      const otherHeaders = bearer(await mintAccessToken(suite.testApp, other));
      expect((await post(`/users/${other.id}/deactivate`)).statusCode).toBe(200);
      expect((await get('/users', otherHeaders)).statusCode).toBe(401);
    });

    it('answers 404 for unknown ids, and a student cannot deactivate anyone', async () => {
      expect((await post(`/users/${UNKNOWN_ID}/deactivate`)).statusCode).toBe(404);
      expect((await post(`/users/${UNKNOWN_ID}/reactivate`)).statusCode).toBe(404);
      const victim = await insertUser(suite.db);
      expect((await post(`/users/${victim.id}/deactivate`, studentHeaders)).statusCode).toBe(403);
      const [row] = await suite.db.select().from(users).where(eq(users.id, victim.id));
      expect(row?.isActive).toBe(true);
    });
  });
});
