import { count, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { userProfiles, users } from '../../src/infrastructure/database/schema/index.js';
import { bearer, insertUser, mintAccessToken, type TestUser } from '../helpers/factories/index.js';
import { useTestApp } from '../helpers/use-test-app.js';

const DEFAULT_PROFILE = {
  headline: null,
  bio: null,
  avatarUrl: null,
  websiteUrl: null,
  socialLinks: {},
  timezone: 'UTC',
  locale: 'en',
};

describe('the signed-in user and profiles', () => {
  const suite = useTestApp({});

  const profileRows = async () => (await suite.db.select({ n: count() }).from(userProfiles))[0]?.n ?? 0;
  /** The distinct fields a problem lists (one field may break several rules). */
  const fieldsOf = (body: { errors?: Array<{ field: string }> }) =>
    [...new Set((body.errors ?? []).map((e) => e.field))].sort();

  async function signedIn(): Promise<{ user: TestUser; headers: { authorization: string } }> {
    const user = await insertUser(suite.db);
    return { user, headers: bearer(await mintAccessToken(suite.testApp, user)) };
  }

  describe('GET /me', () => {
    it('needs an access token', async () => {
      const response = await suite.app.inject({ method: 'GET', url: '/api/v1/me' });
      expect(response.statusCode).toBe(401);
      expect(response.json().code).toBe('unauthorized');
    });

    it('returns the account with default profile settings, never secrets, and is not cacheable', async () => {
      const { user, headers } = await signedIn();
      const response = await suite.app.inject({ method: 'GET', url: '/api/v1/me', headers });
      expect(response.statusCode).toBe(200);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.json()).toMatchObject({
        id: user.id,
        email: user.email,
        name: user.name,
        role: 'student',
        isActive: true,
        profile: DEFAULT_PROFILE,
      });
      expect(response.body).not.toMatch(/passwordHash|\$argon2|tokenVersion/);
    });
  });

  describe('PATCH /me', () => {
    it('renames the user (trimmed)', async () => {
      const { user, headers } = await signedIn();
      const response = await suite.app.inject({
        method: 'PATCH',
        url: '/api/v1/me',
        headers,
        payload: { name: '  Grace Hopper ' },
      });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ id: user.id, name: 'Grace Hopper' });
      const [row] = await suite.db.select().from(users).where(eq(users.id, user.id));
      expect(row?.name).toBe('Grace Hopper');
    });

    it.each([
      ['a blank name', { name: '   ' }, ['/body/name']],
      ['an empty name', { name: '' }, ['/body/name']],
      ['a name over 100 characters', { name: 'n'.repeat(101) }, ['/body/name']],
      ['no name', {}, ['/body/name']],
      [
        'fields that cannot be changed here',
        { name: 'Ok', email: 'x@y.com', role: 'admin' },
        ['/body/email', '/body/role'],
      ],
    ])('refuses %s with 400 listing the field, and writes nothing', async (_case, payload, fields) => {
      const { user, headers } = await signedIn();
      const response = await suite.app.inject({ method: 'PATCH', url: '/api/v1/me', headers, payload });
      expect(response.statusCode).toBe(400);
      expect(fieldsOf(response.json())).toEqual(fields);
      const [row] = await suite.db.select().from(users).where(eq(users.id, user.id));
      expect(row).toMatchObject({ name: user.name, email: user.email, role: 'student' });
    });
  });

  describe('GET and PATCH /me/profile', () => {
    it('reads defaults without creating a row, then saves and normalises every field', async () => {
      const { user, headers } = await signedIn();
      const rowsBefore = await profileRows();
      const empty = await suite.app.inject({ method: 'GET', url: '/api/v1/me/profile', headers });
      expect(empty.statusCode).toBe(200);
      expect(empty.json()).toEqual(DEFAULT_PROFILE);
      expect(await profileRows()).toBe(rowsBefore);

      const payload = {
        headline: '  Rear admiral, compiler pioneer  ',
        bio: 'Wrote the first compiler.\nFound a moth.',
        avatarUrl: 'https://images.example.com/grace.png',
        websiteUrl: 'http://grace.example.com/about?x=1',
        socialLinks: { github: 'https://github.com/grace', linkedin: 'https://www.linkedin.com/in/grace' },
        timezone: 'america/new_york',
        locale: 'EN-us',
      };
      const saved = await suite.app.inject({ method: 'PATCH', url: '/api/v1/me/profile', headers, payload });
      expect(saved.statusCode).toBe(200);
      const expected = {
        ...payload,
        headline: 'Rear admiral, compiler pioneer',
        timezone: 'America/New_York',
        locale: 'en-US',
      };
      expect(saved.json()).toEqual(expected);
      expect(await profileRows()).toBe(rowsBefore + 1);
      expect((await suite.app.inject({ method: 'GET', url: '/api/v1/me/profile', headers })).json()).toEqual(
        expected,
      );
      const me = await suite.app.inject({ method: 'GET', url: '/api/v1/me', headers });
      expect(me.json().profile).toEqual(expected);

      // Partial update: only the given fields change; null and "" clear.
      const partial = await suite.app.inject({
        method: 'PATCH',
        url: '/api/v1/me/profile',
        headers,
        payload: { headline: '', avatarUrl: null, socialLinks: {} },
      });
      expect(partial.statusCode).toBe(200);
      expect(partial.json()).toEqual({ ...expected, headline: null, avatarUrl: null, socialLinks: {} });
      expect(await profileRows()).toBe(rowsBefore + 1);

      const [row] = await suite.db.select().from(userProfiles).where(eq(userProfiles.userId, user.id));
      expect(row).toMatchObject({ headline: null, bio: payload.bio, timezone: 'America/New_York' });
    });

    it('lists every field the schema rejects, and writes nothing', async () => {
      const { headers } = await signedIn();
      const rowsBefore = await profileRows();
      const response = await suite.app.inject({
        method: 'PATCH',
        url: '/api/v1/me/profile',
        headers,
        payload: {
          headline: 'h'.repeat(161),
          bio: 'b'.repeat(5001),
          avatarUrl: 'javascript:alert(1)',
          websiteUrl: `https://example.com/${'p'.repeat(2048)}`,
          socialLinks: { myspace: 'https://myspace.com/tom', github: 'ftp://github.com/x' },
        },
      });
      expect(response.statusCode).toBe(400);
      const body = response.json();
      expect(body.code).toBe('validation_failed');
      expect(new Set(fieldsOf(body))).toEqual(
        new Set([
          '/body/headline',
          '/body/bio',
          '/body/avatarUrl',
          '/body/websiteUrl',
          '/body/socialLinks/myspace',
          '/body/socialLinks/github',
        ]),
      );
      expect(await profileRows()).toBe(rowsBefore);
    });

    it('refuses more than 10 social links', async () => {
      const { headers } = await signedIn();
      const networks = [
        'github',
        'gitlab',
        'linkedin',
        'x',
        'mastodon',
        'bluesky',
        'youtube',
        'instagram',
        'facebook',
        'tiktok',
        'medium',
      ];
      const socialLinks = Object.fromEntries(networks.map((n) => [n, `https://${n}.example.com/me`]));
      const response = await suite.app.inject({
        method: 'PATCH',
        url: '/api/v1/me/profile',
        headers,
        payload: { socialLinks },
      });
      expect(response.statusCode).toBe(400);
      expect(fieldsOf(response.json())).toEqual(['/body/socialLinks']);
    });

    it('lists an unknown time zone and a malformed locale together, and writes nothing', async () => {
      const { user, headers } = await signedIn();
      await suite.app.inject({
        method: 'PATCH',
        url: '/api/v1/me/profile',
        headers,
        payload: { bio: 'unchanged' },
      });
      const response = await suite.app.inject({
        method: 'PATCH',
        url: '/api/v1/me/profile',
        headers,
        payload: {
          bio: 'changed',
          timezone: 'Mars/Olympus_Mons',
          locale: 'en_US',
          websiteUrl: 'https://ok.example',
        },
      });
      expect(response.statusCode).toBe(400);
      const errors = response.json().errors as Array<{ field: string; message: string }>;
      expect(errors.map((e) => e.field).sort()).toEqual(['/body/locale', '/body/timezone']);
      expect(errors.find((e) => e.field === '/body/timezone')?.message).toMatch(/IANA/);
      expect(errors.find((e) => e.field === '/body/locale')?.message).toMatch(/BCP 47/);
      const [row] = await suite.db.select().from(userProfiles).where(eq(userProfiles.userId, user.id));
      expect(row).toMatchObject({ bio: 'unchanged', timezone: 'UTC', locale: 'en', websiteUrl: null });
    });

    it('refuses an empty update and anonymous callers', async () => {
      const { headers } = await signedIn();
      const empty = await suite.app.inject({
        method: 'PATCH',
        url: '/api/v1/me/profile',
        headers,
        payload: {},
      });
      expect(empty.statusCode).toBe(400);
      const anonymous = await suite.app.inject({
        method: 'PATCH',
        url: '/api/v1/me/profile',
        payload: { bio: 'x' },
      });
      expect(anonymous.statusCode).toBe(401);
      expect((await suite.app.inject({ method: 'GET', url: '/api/v1/me/profile' })).statusCode).toBe(401);
    });
  });

  describe('GET /users/{id}/profile', () => {
    it('shows public fields to anyone, anonymous included, without email or settings', async () => {
      const { user, headers } = await signedIn();
      await suite.app.inject({
        method: 'PATCH',
        url: '/api/v1/me/profile',
        headers,
        payload: { headline: 'Teacher', timezone: 'Europe/Paris', socialLinks: { x: 'https://x.com/t' } },
      });
      const response = await suite.app.inject({ method: 'GET', url: `/api/v1/users/${user.id}/profile` });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({
        userId: user.id,
        name: user.name,
        headline: 'Teacher',
        bio: null,
        avatarUrl: null,
        websiteUrl: null,
        socialLinks: { x: 'https://x.com/t' },
      });
      expect(response.body).not.toContain(user.email);
      expect(response.body).not.toContain('Europe/Paris');
      expect(response.headers['cache-control']).toBeUndefined();
    });

    it('shows defaults for a user who never saved a profile', async () => {
      const { user } = await signedIn();
      const response = await suite.app.inject({ method: 'GET', url: `/api/v1/users/${user.id}/profile` });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ userId: user.id, headline: null, socialLinks: {} });
    });

    it('answers 404 for unknown and deactivated users, 400 for a malformed id', async () => {
      const inactive = await insertUser(suite.db, { isActive: false });
      for (const id of ['00000000-0000-4000-8000-000000000000', inactive.id]) {
        const response = await suite.app.inject({ method: 'GET', url: `/api/v1/users/${id}/profile` });
        expect(response.statusCode).toBe(404);
        expect(response.json().code).toBe('not_found');
      }
      const malformed = await suite.app.inject({ method: 'GET', url: '/api/v1/users/not-a-uuid/profile' });
      expect(malformed.statusCode).toBe(400);
      expect(malformed.json().errors[0].field).toBe('/params/id');
    });

    it('is read-only: another user’s profile cannot be changed through it', async () => {
      const owner = await signedIn();
      const other = await signedIn();
      await suite.app.inject({
        method: 'PATCH',
        url: '/api/v1/me/profile',
        headers: owner.headers,
        payload: { bio: 'mine' },
      });

      for (const method of ['PATCH', 'PUT', 'POST', 'DELETE'] as const) {
        const response = await suite.app.inject({
          method,
          url: `/api/v1/users/${owner.user.id}/profile`,
          headers: other.headers,
          payload: { bio: 'defaced' },
        });
        // The path exists for GET only: 405 naming it, nothing written (checked below).
        expect(response.statusCode).toBe(405);
        expect(response.headers.allow).toBe('GET, HEAD');
      }
      const [row] = await suite.db.select().from(userProfiles).where(eq(userProfiles.userId, owner.user.id));
      expect(row?.bio).toBe('mine');
    });
  });
});
