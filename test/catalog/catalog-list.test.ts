import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { sql } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Course } from '../../src/infrastructure/database/schema/index.js';
import { encodeCursor } from '../../src/shared/keyset.js';
import {
  bearer,
  insertCourse,
  insertLesson,
  insertModule,
  insertUser,
  mintAccessToken,
  type TestUser,
} from '../helpers/factories/index.js';
import { useTestApp } from '../helpers/use-test-app.js';

const PROBLEM_JSON = /^application\/problem\+json/;
const DAY = 24 * 3600 * 1000;
const base = Date.parse('2025-01-01T00:00:00.000Z');
const daysAfterBase = (days: number) => new Date(base + days * DAY);

interface Item {
  id: string;
  title: string;
  [key: string]: unknown;
}
interface Page {
  data: Item[];
  nextCursor: string | null;
}

describe('GET /api/v1/courses', () => {
  const suite = useTestApp();
  let ada: TestUser;
  let grace: TestUser;
  const published: Course[] = [];
  let kubernetesInTitle: Course;
  let kubernetesInDescription: Course;
  let unitTests: Course;
  let freeCourse: Course;
  let draft: Course;
  let archived: Course;

  async function list(query = '', headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    return suite.app.inject({ method: 'GET', url: `/api/v1/courses${query}`, headers });
  }
  async function listOk(query = ''): Promise<Page> {
    const response = await list(query);
    expect(response.statusCode, response.body).toBe(200);
    return response.json() as Page;
  }
  const ids = (page: Page) => page.data.map((item) => item.id);

  /** Every page of a query, following nextCursor. */
  async function walk(query: string): Promise<Item[]> {
    const items: Item[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 100; pages++) {
      const separator = query === '' ? '?' : '&';
      const page: Page = await listOk(
        `${query}${cursor === null ? '' : `${query === '' ? '?' : separator}cursor=${cursor}`}`,
      );
      items.push(...page.data);
      cursor = page.nextCursor;
      if (cursor === null) return items;
    }
    throw new Error('more than 100 pages');
  }

  beforeAll(async () => {
    const db = suite.db;
    ada = await insertUser(db, { role: 'instructor', name: 'Ada Lovelace' });
    grace = await insertUser(db, { role: 'instructor', name: 'Grace Hopper' });

    // Titles with distinct first letters, so every collation sorts them the same way.
    kubernetesInTitle = await insertCourse(db, ada.id, {
      title: 'Kubernetes Operations',
      description: 'Run clusters in production.',
      difficulty: 'advanced',
      priceCents: 9900,
      currency: 'EUR',
      category: 'devops',
      tags: ['cloud', 'ops'],
      publishedAt: daysAfterBase(1),
      enrollmentCount: 40,
    });
    kubernetesInDescription = await insertCourse(db, grace.id, {
      title: 'Cloud Basics',
      description: 'Virtual machines, storage, and a first look at kubernetes.',
      difficulty: 'beginner',
      priceCents: 1900,
      category: 'devops',
      tags: ['cloud'],
      publishedAt: daysAfterBase(2),
      enrollmentCount: 40,
    });
    unitTests = await insertCourse(db, ada.id, {
      title: 'Unit Tests in Practice',
      description: 'Write fast, focused checks for your code.',
      difficulty: 'intermediate',
      priceCents: 4900,
      category: 'programming',
      tags: ['testing', 'web'],
      publishedAt: daysAfterBase(3),
      enrollmentCount: 7,
    });
    freeCourse = await insertCourse(db, grace.id, {
      title: 'Algebra Refresher',
      description: 'Equations and functions.',
      difficulty: 'beginner',
      priceCents: 0,
      category: 'math',
      tags: ['math'],
      publishedAt: daysAfterBase(4),
      enrollmentCount: 120,
    });
    const extra = [];
    for (const [i, title] of ['Baking Bread', 'Drawing Faces', 'Excel Tricks', 'French Verbs'].entries()) {
      extra.push(
        await insertCourse(db, i % 2 === 0 ? ada.id : grace.id, {
          title,
          difficulty: 'intermediate',
          priceCents: 1000 * (i + 1),
          publishedAt: daysAfterBase(5 + i),
          enrollmentCount: i === 3 ? 120 : 3,
        }),
      );
    }
    published.push(kubernetesInTitle, kubernetesInDescription, unitTests, freeCourse, ...extra);
    draft = await insertCourse(db, ada.id, { title: 'Kubernetes Draft', status: 'draft' });
    archived = await insertCourse(db, ada.id, { title: 'Kubernetes Archived', status: 'archived' });

    const module = await insertModule(db, unitTests.id, 0);
    await insertLesson(db, module, 0, { durationSeconds: 120 });
    await insertLesson(db, module, 1, { durationSeconds: 480 });
  });

  describe('what is listed', () => {
    it('lists only published courses, newest first, with the documented fields', async () => {
      const page = await listOk();
      expect(ids(page)).toEqual(
        [...published]
          .sort((a, b) => b.publishedAt!.getTime() - a.publishedAt!.getTime())
          .map((course) => course.id),
      );
      expect(ids(page)).not.toContain(draft.id);
      expect(ids(page)).not.toContain(archived.id);
      expect(page.nextCursor).toBeNull();

      const item = page.data.find((course) => course.id === unitTests.id);
      expect(item).toEqual({
        id: unitTests.id,
        slug: unitTests.slug,
        title: 'Unit Tests in Practice',
        subtitle: null,
        difficulty: 'intermediate',
        priceCents: 4900,
        currency: 'USD',
        isFree: false,
        category: 'programming',
        tags: ['testing', 'web'],
        language: 'en',
        thumbnailUrl: null,
        publishedAt: daysAfterBase(3).toISOString(),
        enrollmentCount: 7,
        instructor: { id: ada.id, name: 'Ada Lovelace' },
        lessonCount: 2,
        totalDurationSeconds: 600,
      });
      expect(page.data.find((course) => course.id === freeCourse.id)).toMatchObject({
        isFree: true,
        lessonCount: 0,
        totalDurationSeconds: 0,
      });
    });

    it('is open to anonymous callers and to signed-in ones alike; an invalid token is 401', async () => {
      const student = await insertUser(suite.db);
      const token = await mintAccessToken(suite.testApp, student);
      const signedIn = await list('', bearer(token));
      expect(signedIn.statusCode).toBe(200);
      expect(signedIn.json()).toEqual(await listOk());

      const invalid = await list('', bearer('not.a.token'));
      expect(invalid.statusCode).toBe(401);
      expect(invalid.headers['content-type']).toMatch(PROBLEM_JSON);
    });
  });

  describe('filters', () => {
    it('difficulty', async () => {
      const page = await listOk('?difficulty=beginner');
      expect(new Set(ids(page))).toEqual(new Set([kubernetesInDescription.id, freeCourse.id]));
    });

    it('category', async () => {
      const page = await listOk('?category=devops');
      expect(new Set(ids(page))).toEqual(new Set([kubernetesInTitle.id, kubernetesInDescription.id]));
    });

    it('tag (case-insensitive, as tags are stored lower-case)', async () => {
      expect(new Set(ids(await listOk('?tag=cloud')))).toEqual(
        new Set([kubernetesInTitle.id, kubernetesInDescription.id]),
      );
      expect(ids(await listOk('?tag=Testing'))).toEqual([unitTests.id]);
      expect(ids(await listOk('?tag=nope'))).toEqual([]);
    });

    it('instructorId', async () => {
      const page = await listOk(`?instructorId=${grace.id}`);
      const expected = published.filter((course) => course.instructorId === grace.id).map((c) => c.id);
      expect(new Set(ids(page))).toEqual(new Set(expected));
      expect(expected.length).toBeGreaterThan(1);
    });

    it('free=true and free=false', async () => {
      expect(ids(await listOk('?free=true'))).toEqual([freeCourse.id]);
      const paid = ids(await listOk('?free=false'));
      expect(paid).toHaveLength(published.length - 1);
      expect(paid).not.toContain(freeCourse.id);
    });

    it('price range (inclusive) and currency', async () => {
      const page = await listOk('?minPrice=1900&maxPrice=4900');
      const expected = published
        .filter((course) => course.priceCents >= 1900 && course.priceCents <= 4900)
        .map((course) => course.id);
      expect(new Set(ids(page))).toEqual(new Set(expected));
      expect(expected).toContain(kubernetesInDescription.id);
      expect(expected).toContain(unitTests.id);
      expect(ids(await listOk('?currency=EUR'))).toEqual([kubernetesInTitle.id]);
      expect(ids(await listOk('?minPrice=9000&currency=USD'))).toEqual([]);
    });

    it('filters combine with AND', async () => {
      expect(ids(await listOk(`?category=devops&difficulty=advanced&instructorId=${ada.id}`))).toEqual([
        kubernetesInTitle.id,
      ]);
      expect(ids(await listOk(`?category=devops&instructorId=${ada.id}&difficulty=beginner`))).toEqual([]);
    });
  });

  describe('search', () => {
    it('ranks a title match above a description-only match, and never lists drafts or archived courses', async () => {
      const page = await listOk('?q=kubernetes');
      expect(ids(page)).toEqual([kubernetesInTitle.id, kubernetesInDescription.id]);
    });

    it('stems English words: "testing" finds "Unit Tests in Practice"', async () => {
      expect(ids(await listOk('?q=testing'))).toEqual([unitTests.id]);
    });

    it('combines search with filters and with another sort', async () => {
      expect(ids(await listOk('?q=kubernetes&difficulty=beginner'))).toEqual([kubernetesInDescription.id]);
      expect(ids(await listOk('?q=kubernetes&sort=newest'))).toEqual([
        kubernetesInDescription.id,
        kubernetesInTitle.id,
      ]);
    });

    it('a query of stop words only matches nothing rather than failing', async () => {
      expect(ids(await listOk('?q=the'))).toEqual([]);
    });
  });

  describe('sort orders', () => {
    it('title: A to Z', async () => {
      const page = await listOk('?sort=title');
      expect(page.data.map((item) => item.title)).toEqual(
        published.map((course) => course.title).sort((a, b) => (a < b ? -1 : 1)),
      );
    });

    it('popular: most enrollments first, ties broken by id (descending)', async () => {
      const page = await listOk('?sort=popular');
      const expected = [...published]
        .sort((a, b) => b.enrollmentCount - a.enrollmentCount || (a.id < b.id ? 1 : -1))
        .map((course) => course.id);
      expect(ids(page)).toEqual(expected);
    });

    it('newest: ties on published_at are broken by id, consistently across pages', async () => {
      const db = suite.db;
      const sameInstant = daysAfterBase(-100);
      const twins: Course[] = [];
      for (let i = 0; i < 5; i++) {
        twins.push(await insertCourse(db, ada.id, { title: `Zeta ${i}`, publishedAt: sameInstant }));
      }
      const walked = await walk('?limit=2');
      const tail = walked.slice(-5).map((item) => item.id);
      expect(tail).toEqual(
        twins
          .map((course) => course.id)
          .sort()
          .reverse(),
      );
      await db.execute(sql`DELETE FROM courses WHERE title LIKE 'Zeta %'`);
    });
  });

  describe('keyset pagination', () => {
    for (const sort of ['newest', 'title', 'popular'] as const) {
      it(`${sort}: walking pages of 3 yields every course exactly once, in the same order as one page`, async () => {
        const all = ids(await listOk(`?sort=${sort}&limit=100`));
        const walked = (await walk(`?sort=${sort}&limit=3`)).map((item) => item.id);
        expect(walked).toEqual(all);
        expect(walked).toHaveLength(published.length);
      });
    }

    it('relevance: pages of 1 follow the ranking with no repeats', async () => {
      const walked = (await walk('?q=kubernetes&limit=1')).map((item) => item.id);
      expect(walked).toEqual([kubernetesInTitle.id, kubernetesInDescription.id]);
    });

    it('newest: courses published between page requests neither repeat nor hide pre-existing ones', async () => {
      const db = suite.db;
      const before = ids(await listOk('?limit=100'));
      const seen: string[] = [];
      let cursor: string | null = null;
      let inserted = 0;
      do {
        const page: Page = await listOk(`?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        seen.push(...ids(page));
        cursor = page.nextCursor;
        // Newer than everything: lands on page 1, which we have already read.
        await insertCourse(db, grace.id, { title: `Breaking News ${inserted}`, publishedAt: new Date() });
        inserted++;
      } while (cursor !== null);
      expect(inserted).toBeGreaterThan(2);
      const preExisting = seen.filter((id) => before.includes(id));
      expect(preExisting).toEqual(before);
      expect(new Set(seen).size).toBe(seen.length);
      await db.execute(sql`DELETE FROM courses WHERE title LIKE 'Breaking News %'`);
    });

    it('a tampered cursor is a 400 problem naming the cursor', async () => {
      const first = await listOk('?limit=2');
      const tampered = [
        `${first.nextCursor}x`,
        'bm90LWpzb24',
        encodeCursor({ s: 'newest', p: '2025-01-01', id: published[0]!.id }),
        encodeCursor({ s: 'newest', p: '2025-02-31T00:00:00.000000Z', id: published[0]!.id }),
        encodeCursor({ s: 'newest', p: '0000-01-01T00:00:00.000000Z', id: published[0]!.id }),
        encodeCursor({ s: 'newest', p: '2025-13-01T25:00:00.000000Z', id: published[0]!.id }),
        encodeCursor({ s: 'relevance', r: 1e39, id: published[0]!.id }),
        encodeCursor({ s: 'newest', p: '2025-01-01T00:00:00.000000Z', id: 'nope' }),
        encodeCursor({ s: 'title', t: 'a\u0000b', id: published[0]!.id }),
        encodeCursor({ s: 'popular', n: -1, id: published[0]!.id }),
        encodeCursor({ s: 'popular', n: 1, id: published[0]!.id, extra: true }),
        encodeCursor([1, 2]),
      ];
      for (const cursor of tampered) {
        const response = await list(`?cursor=${cursor}`);
        expect(response.statusCode, cursor).toBe(400);
        expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
        expect(response.json().errors).toEqual([
          { field: '/querystring/cursor', message: 'is not a cursor this endpoint issued' },
        ]);
      }
    });

    it('a cursor from another sort is a 400', async () => {
      const first = await listOk('?sort=title&limit=2');
      const response = await list(`?sort=popular&cursor=${first.nextCursor}`);
      expect(response.statusCode).toBe(400);
      expect(response.json().detail).toMatch(/"title" sort/);
      const withoutSort = await list(`?cursor=${first.nextCursor}`);
      expect(withoutSort.statusCode).toBe(400);
    });
  });

  describe('bad query parameters', () => {
    it('lists each bad field in one 400 problem', async () => {
      const response = await list(
        '?difficulty=expert&free=maybe&minPrice=-1&limit=1000&instructorId=42&currency=usd&sort=random&q=',
      );
      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
      const body = response.json();
      expect(body.code).toBe('validation_failed');
      const fields = new Set(body.errors.map((error: { field: string }) => error.field));
      for (const field of [
        'difficulty',
        'free',
        'minPrice',
        'limit',
        'instructorId',
        'currency',
        'sort',
        'q',
      ]) {
        expect(fields, field).toContain(`/querystring/${field}`);
      }
    });

    it('rejects unknown parameters, a NUL character and an overlong query', async () => {
      expect((await list('?colour=red')).json().errors).toEqual([
        { field: '/querystring/colour', message: 'is not allowed' },
      ]);
      for (const parameter of ['q', 'category', 'tag']) {
        const response = await list(`?${parameter}=a%00b`);
        expect(response.statusCode, parameter).toBe(400);
        expect(response.json().errors[0].field).toBe(`/querystring/${parameter}`);
      }
      expect((await list(`?q=${'a'.repeat(201)}`)).statusCode).toBe(400);
    });

    it('rejects contradictory combinations, naming the fields', async () => {
      const range = await list('?minPrice=500&maxPrice=100');
      expect(range.statusCode).toBe(400);
      expect(range.json().errors.map((error: { field: string }) => error.field)).toEqual([
        '/querystring/minPrice',
        '/querystring/maxPrice',
      ]);
      const relevance = await list('?sort=relevance');
      expect(relevance.statusCode).toBe(400);
      expect(relevance.json().errors).toEqual([
        { field: '/querystring/sort', message: 'relevance needs a search query (q)' },
      ]);
      expect((await list('?free=true&minPrice=100')).statusCode).toBe(400);
    });
  });

  describe('conditional GET', () => {
    it('sends a strong ETag and answers If-None-Match with 304 and no body', async () => {
      const first = await list('?sort=title');
      const etag = first.headers.etag as string;
      expect(etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
      expect(first.headers['cache-control']).toBe('public, max-age=0, must-revalidate');

      const again = await list('?sort=title', { 'if-none-match': etag });
      expect(again.statusCode).toBe(304);
      expect(again.body).toBe('');
      expect(again.headers.etag).toBe(etag);

      const weakAndListed = await list('?sort=title', { 'if-none-match': `"other", W/${etag}` });
      expect(weakAndListed.statusCode).toBe(304);

      const stale = await list('?sort=title', { 'if-none-match': '"something-else"' });
      expect(stale.statusCode).toBe(200);
      expect(stale.headers.etag).toBe(etag);

      const otherQuery = await list('?sort=popular', { 'if-none-match': etag });
      expect(otherQuery.statusCode).toBe(200);
    });
  });

  describe('compressed responses', () => {
    const BROWSER = 'gzip, deflate, br, zstd';

    it('sends brotli to a browser and gzip to a gzip-only client: the same JSON, its own ETag, Vary', async () => {
      const identity = await list('?sort=title');
      expect(identity.headers['content-encoding']).toBeUndefined();
      expect(identity.rawPayload.length).toBeGreaterThan(1024);

      const br = await list('?sort=title', { 'accept-encoding': BROWSER });
      expect(br.statusCode).toBe(200);
      expect(br.headers['content-encoding']).toBe('br');
      expect(br.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(br.headers.vary).toBe('Authorization, Accept-Encoding');
      expect(br.headers.etag).toBe(`${(identity.headers.etag as string).slice(0, -1)}-br"`);
      expect(Number(br.headers['content-length'])).toBe(br.rawPayload.length);
      expect(br.rawPayload.length).toBeLessThan(identity.rawPayload.length / 2);
      expect(brotliDecompressSync(br.rawPayload).equals(identity.rawPayload)).toBe(true);

      const gzip = await list('?sort=title', { 'accept-encoding': 'gzip' });
      expect(gzip.headers['content-encoding']).toBe('gzip');
      expect(gzip.headers.etag).toBe(`${(identity.headers.etag as string).slice(0, -1)}-gzip"`);
      expect(gunzipSync(gzip.rawPayload).equals(identity.rawPayload)).toBe(true);

      // Served again (from the cached copy), the same bytes.
      const again = await list('?sort=title', { 'accept-encoding': BROWSER });
      expect(again.rawPayload.equals(br.rawPayload)).toBe(true);
    });

    it('sends the bytes as they are when the client refuses both codings or the page is small', async () => {
      for (const acceptEncoding of ['identity', 'br;q=0, gzip;q=0', 'deflate', '']) {
        const response = await list('?sort=title', { 'accept-encoding': acceptEncoding });
        expect(response.headers['content-encoding'], acceptEncoding).toBeUndefined();
        expect(response.json().data).toHaveLength(published.length);
      }
      const small = await list('?category=math', { 'accept-encoding': BROWSER });
      expect(small.rawPayload.length).toBeLessThan(1024);
      expect(small.headers['content-encoding']).toBeUndefined();
      expect(small.json().data).toHaveLength(1);
    });

    it('revalidates across codings: a compressed copy’s ETag gets 304, and so does the identity one', async () => {
      const br = await list('?sort=title', { 'accept-encoding': BROWSER });
      const identityEtag = (await list('?sort=title')).headers.etag as string;

      const plainClient = await list('?sort=title', { 'if-none-match': br.headers.etag as string });
      expect(plainClient.statusCode).toBe(304);
      expect(plainClient.headers.etag).toBe(identityEtag);

      const browser = await list('?sort=title', {
        'accept-encoding': BROWSER,
        'if-none-match': identityEtag,
      });
      expect(browser.statusCode).toBe(304);
      expect(browser.body).toBe('');
      expect(browser.headers.etag).toBe(br.headers.etag);

      const stale = await list('?sort=title', { 'accept-encoding': BROWSER, 'if-none-match': '"other-br"' });
      expect(stale.statusCode).toBe(200);
    });
  });
});
