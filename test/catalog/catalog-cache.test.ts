import { once } from 'node:events';
import { eq } from 'drizzle-orm';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cache } from '../../src/infrastructure/cache/cache.js';
import { MemoryCache } from '../../src/infrastructure/cache/memory-cache.js';
import { RedisCache } from '../../src/infrastructure/cache/redis-cache.js';
import { type Course, courses } from '../../src/infrastructure/database/schema/index.js';
import {
  type CatalogCache,
  cachedResponse,
  createCatalogCache,
} from '../../src/modules/catalog/catalog-cache.js';
import { mountCatalogWithCache } from '../helpers/catalog-cache.js';
import {
  bearer,
  insertCourse,
  insertLesson,
  insertModule,
  insertUser,
  mintAccessToken,
  type TestUser,
} from '../helpers/factories/index.js';
import { requireRedis } from '../helpers/suite-requirements.js';
import { buildTestApp, createTestRedis, type TestApp } from '../helpers/test-app.js';

const withRedis = await requireRedis('createCatalogCache over the Redis cache (4 tests of catalog-cache)');

describe.each([
  ['in-process', false],
  ['Redis', true],
] as const)('createCatalogCache over the %s cache', (_name, useRedis) => {
  let redis: Redis | undefined;
  let backing: Cache;
  let cache: CatalogCache;
  const response = (body: unknown) => cachedResponse(JSON.stringify(body));

  beforeAll(async () => {
    backing = new MemoryCache();
    if (useRedis && withRedis.available) {
      redis = createTestRedis();
      // Commands fail fast (no offline queue) until connected, and a failing cache reads as a miss.
      if (redis && redis.status !== 'ready') await once(redis, 'ready');
      if (redis) backing = new RedisCache(redis);
    }
    cache = createCatalogCache(backing, 60);
  });

  afterAll(() => {
    redis?.disconnect();
  });

  it.skipIf(useRedis && !withRedis.available)(
    'stores list pages and course details, and courseChanged drops them',
    async () => {
      const listGeneration = await cache.listGeneration();
      await cache.setList('page-1', listGeneration, response({ page: 1 }));
      const courseA = await cache.detailGeneration('course-a');
      await cache.setDetail('course-a', 'public', courseA, response({ course: 'a' }));
      const courseB = await cache.detailGeneration('course-b');
      await cache.setDetail('course-b', 'public', courseB, response({ course: 'b' }));
      await cache.setCourseIdBySlug('slug-a', listGeneration, 'course-a');

      expect(await cache.getList('page-1')).toEqual(response({ page: 1 }));
      expect(await cache.getDetail('course-a', 'public')).toEqual(response({ course: 'a' }));
      expect(await cache.getDetail('course-a', 'full')).toBeUndefined();
      expect(await cache.getCourseIdBySlug('slug-a')).toBe('course-a');

      await cache.courseChanged('course-a');
      expect(await cache.getList('page-1')).toBeUndefined();
      expect(await cache.getDetail('course-a', 'public')).toBeUndefined();
      expect(await cache.getCourseIdBySlug('slug-a')).toBeUndefined();
      // Other courses' details are unaffected.
      expect(await cache.getDetail('course-b', 'public')).toEqual(response({ course: 'b' }));
    },
  );

  it.skipIf(useRedis && !withRedis.available)(
    'never keeps data read before a write that invalidated it (read/invalidate race)',
    async () => {
      // A reader takes the generation, then queries the database; meanwhile a writer commits and
      // calls courseChanged; then the reader stores what it read, which is already stale.
      const listGeneration = await cache.listGeneration();
      const detailGeneration = await cache.detailGeneration('course-c');
      await cache.courseChanged('course-c');
      await cache.setList('page-stale', listGeneration, response({ stale: true }));
      await cache.setDetail('course-c', 'public', detailGeneration, response({ stale: true }));
      expect(await cache.getList('page-stale')).toBeUndefined();
      expect(await cache.getDetail('course-c', 'public')).toBeUndefined();

      // The next reader, starting after the write, does fill the cache.
      const fresh = await cache.listGeneration();
      await cache.setList('page-stale', fresh, response({ stale: false }));
      expect(await cache.getList('page-stale')).toEqual(response({ stale: false }));
    },
  );

  it.skipIf(useRedis && !withRedis.available)(
    'instances sharing the cache: one fills, the other serves it; one invalidates, neither serves its copy',
    async () => {
      // Two API instances: each keeps its own copies of the bytes it served, both share `backing`.
      const other = createCatalogCache(backing, 60);
      const generation = await cache.listGeneration();
      await cache.setList('shared-page', generation, response({ version: 1 }));
      expect(await other.getList('shared-page')).toEqual(response({ version: 1 }));
      expect(await cache.getList('shared-page')).toEqual(response({ version: 1 }));

      await other.courseChanged('any-course');
      expect(await cache.getList('shared-page')).toBeUndefined();
      expect(await other.getList('shared-page')).toBeUndefined();

      // A stale local copy is not resurrected by a later fill under the new generation elsewhere.
      const next = await other.listGeneration();
      await other.setList('shared-page', next, response({ version: 2 }));
      expect(await cache.getList('shared-page')).toEqual(response({ version: 2 }));
    },
  );

  it.skipIf(useRedis && !withRedis.available)(
    'entries expire after the TTL, local copies included',
    async () => {
      const shortLived = createCatalogCache(backing, 1);
      const generation = await shortLived.listGeneration();
      await shortLived.setList('short-page', generation, response({ short: true }));
      expect(await shortLived.getList('short-page')).toEqual(response({ short: true }));
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      expect(await shortLived.getList('short-page')).toBeUndefined();
    },
  );
});

describe('catalog HTTP caching and invalidation', () => {
  let testApp: TestApp;
  let catalogCache: CatalogCache;
  let instructor: TestUser;
  let instructorToken: string;
  const PROBE = '/probe/v1';

  const get = (url: string, headers: Record<string, string> = {}) =>
    testApp.app.inject({ method: 'GET', url, headers });
  const setTitle = (course: Course, title: string) =>
    testApp.database.db.update(courses).set({ title }).where(eq(courses.id, course.id));

  beforeAll(async () => {
    testApp = await buildTestApp();
    // The app's own catalog cache is private to src/app.ts; this mount's cache is held by the test,
    // which calls courseChanged as the authoring and enrollment code do after their writes.
    catalogCache = await mountCatalogWithCache(testApp, PROBE);
    instructor = await insertUser(testApp.database.db, { role: 'instructor', name: 'Cache Instructor' });
    instructorToken = await mintAccessToken(testApp, instructor);
  });

  afterAll(async () => {
    await testApp?.close();
  });

  it('the app caches the list: a direct database change is not visible until the TTL or an invalidation', async () => {
    const course = await insertCourse(testApp.database.db, instructor.id, { title: 'Original Title' });
    const before = await get('/api/v1/courses?sort=title&limit=50');
    expect(before.json().data.map((item: { title: string }) => item.title)).toContain('Original Title');
    await setTitle(course, 'Changed Behind The Cache');
    const after = await get('/api/v1/courses?sort=title&limit=50');
    expect(after.json()).toEqual(before.json());
    expect(after.headers.etag).toBe(before.headers.etag);
  });

  it('list: the cached page is served until courseChanged, then the change shows with a new ETag', async () => {
    const course = await insertCourse(testApp.database.db, instructor.id, { title: 'List Title One' });
    const url = `${PROBE}/courses?instructorId=${instructor.id}&sort=newest`;
    const first = await get(url);
    expect(first.json().data[0].title).toBe('List Title One');

    await setTitle(course, 'List Title Two');
    const cached = await get(url, { 'if-none-match': first.headers.etag as string });
    expect(cached.statusCode).toBe(304);
    expect((await get(url)).json().data[0].title).toBe('List Title One');

    await catalogCache.courseChanged(course.id);
    const fresh = await get(url, { 'if-none-match': first.headers.etag as string });
    expect(fresh.statusCode).toBe(200);
    expect(fresh.json().data[0].title).toBe('List Title Two');
    expect(fresh.headers.etag).not.toBe(first.headers.etag);
  });

  it('list: an enrollment_count change shows in the popular sort after courseChanged', async () => {
    const db = testApp.database.db;
    const low = await insertCourse(db, instructor.id, { title: 'Low', enrollmentCount: 1 });
    const high = await insertCourse(db, instructor.id, { title: 'High', enrollmentCount: 2 });
    const url = `${PROBE}/courses?instructorId=${instructor.id}&sort=popular&limit=2`;
    expect((await get(url)).json().data.map((item: { id: string }) => item.id)).toEqual([high.id, low.id]);
    await db.update(courses).set({ enrollmentCount: 3 }).where(eq(courses.id, low.id));
    await catalogCache.courseChanged(low.id);
    expect((await get(url)).json().data.map((item: { id: string }) => item.id)).toEqual([low.id, high.id]);
  });

  it('detail: cached by id and slug until courseChanged', async () => {
    const course = await insertCourse(testApp.database.db, instructor.id, { title: 'Detail One' });
    const first = await get(`${PROBE}/courses/${course.id}`);
    expect(first.json().title).toBe('Detail One');
    expect((await get(`${PROBE}/courses/${course.slug}`)).json().title).toBe('Detail One');

    await setTitle(course, 'Detail Two');
    expect((await get(`${PROBE}/courses/${course.id}`)).json().title).toBe('Detail One');
    expect((await get(`${PROBE}/courses/${course.slug}`)).json().title).toBe('Detail One');

    await catalogCache.courseChanged(course.id);
    expect((await get(`${PROBE}/courses/${course.id}`)).json().title).toBe('Detail Two');
    expect((await get(`${PROBE}/courses/${course.slug}`)).json().title).toBe('Detail Two');
  });

  it('detail: unpublishing and slug changes take effect for cached anonymous views after courseChanged', async () => {
    const db = testApp.database.db;
    const course = await insertCourse(db, instructor.id, { title: 'Soon Hidden', slug: 'soon-hidden' });
    expect((await get(`${PROBE}/courses/soon-hidden`)).statusCode).toBe(200);

    await db.update(courses).set({ slug: 'renamed-slug' }).where(eq(courses.id, course.id));
    await catalogCache.courseChanged(course.id);
    expect((await get(`${PROBE}/courses/soon-hidden`)).statusCode).toBe(404);
    expect((await get(`${PROBE}/courses/renamed-slug`)).statusCode).toBe(200);

    await db.update(courses).set({ status: 'draft' }).where(eq(courses.id, course.id));
    await catalogCache.courseChanged(course.id);
    expect((await get(`${PROBE}/courses/${course.id}`)).statusCode).toBe(404);
    expect((await get(`${PROBE}/courses/renamed-slug`)).statusCode).toBe(404);
    const list = await get(`${PROBE}/courses?instructorId=${instructor.id}&limit=100`);
    expect(list.json().data.map((item: { id: string }) => item.id)).not.toContain(course.id);
  });

  it('a privileged view is never served from cache to an anonymous caller, nor the reverse', async () => {
    const db = testApp.database.db;
    const course = await insertCourse(db, instructor.id, { title: 'Privileged' });
    const module = await insertModule(db, course.id, 0);
    await insertLesson(db, module, 0, { content: { body: 'members only' } });

    // The instructor's full view is computed (and cached) first...
    const full = await get(`${PROBE}/courses/${course.id}`, bearer(instructorToken));
    expect(full.json().contentAccess).toBe('full');
    expect(full.body).toContain('members only');
    // ...yet anonymous callers get the public view, repeatedly (cached) and by slug.
    for (const ref of [course.id, course.id, course.slug]) {
      const anonymous = await get(`${PROBE}/courses/${ref}`);
      expect(anonymous.json().contentAccess).toBe('preview');
      expect(anonymous.body).not.toContain('members only');
      expect(anonymous.headers['cache-control']).toMatch(/^public/);
    }
    // And the cached public view does not downgrade the instructor either.
    const again = await get(`${PROBE}/courses/${course.id}`, bearer(instructorToken));
    expect(again.json().contentAccess).toBe('full');
    expect(again.headers['cache-control']).toMatch(/^private/);
  });

  it('losing access is immediate even while a full view is cached', async () => {
    const db = testApp.database.db;
    const course = await insertCourse(db, instructor.id, { title: 'Taken Over' });
    const module = await insertModule(db, course.id, 0);
    await insertLesson(db, module, 0, { content: { body: 'instructor notes' } });
    expect((await get(`${PROBE}/courses/${course.id}`, bearer(instructorToken))).body).toContain(
      'instructor notes',
    );
    // The course moves to another instructor (no invalidation needed for access decisions).
    const other = await insertUser(db, { role: 'instructor' });
    await db.update(courses).set({ instructorId: other.id }).where(eq(courses.id, course.id));
    const response = await get(`${PROBE}/courses/${course.id}`, bearer(instructorToken));
    expect(response.json().contentAccess).toBe('preview');
    expect(response.body).not.toContain('instructor notes');
  });
});

describe('catalog invalidation by account writes', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await buildTestApp();
  });

  afterAll(async () => {
    await testApp?.close();
  });

  const get = (url: string) => testApp.app.inject({ method: 'GET', url });
  const instructorNames = async (url: string) =>
    (await get(url)).json().data.map((course: { instructor: { name: string } }) => course.instructor.name);

  it('an instructor’s rename shows at once on cached list pages and course details of all their courses', async () => {
    const db = testApp.database.db;
    const instructor = await insertUser(db, { role: 'instructor', name: 'Before Rename' });
    const courseA = await insertCourse(db, instructor.id, { title: 'Renamed Instructor A' });
    await insertCourse(db, instructor.id, { title: 'Renamed Instructor B' });
    const listUrl = `/api/v1/courses?instructorId=${instructor.id}`;
    expect(await instructorNames(listUrl)).toEqual(['Before Rename', 'Before Rename']);
    expect((await get(`/api/v1/courses/${courseA.id}`)).json().instructor.name).toBe('Before Rename');

    const renamed = await testApp.app.inject({
      method: 'PATCH',
      url: '/api/v1/me',
      headers: bearer(await mintAccessToken(testApp, instructor)),
      payload: { name: 'After Rename' },
    });
    expect(renamed.statusCode).toBe(200);

    expect(await instructorNames(listUrl)).toEqual(['After Rename', 'After Rename']);
    expect((await get(`/api/v1/courses/${courseA.id}`)).json().instructor.name).toBe('After Rename');
  });
});
