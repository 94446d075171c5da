import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CatalogCursor,
  type CatalogFilters,
  type CatalogSort,
  coursePageQuery,
} from '../../src/modules/catalog/catalog.queries.js';
import { bulkInsertPublishedCourses } from '../helpers/factories/index.js';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';

/**
 * The catalog at 100k published courses: walking 50 pages of every sort through the API neither
 * repeats nor skips a course, and the deep-page queries are answered by the sort's index (a row
 * comparison in the Index Cond), never by scanning or sorting the table. Timings are reported by
 * test/catalog/explain-catalog.ts; plans are what can be asserted without flakiness.
 */

const COURSES = 100_000;
const PAGES = 50;
const PAGE_SIZE = 20;

interface Item {
  id: string;
  title: string;
  publishedAt: string;
  enrollmentCount: number;
}

describe(`catalog at ${COURSES / 1000}k courses`, () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await buildTestApp();
    const { pool } = testApp.database;
    await bulkInsertPublishedCourses(pool, { courses: COURSES });
    // Outlines for the newest 20k courses (all 100k would add ~20 s): enough lessons for the planner
    // to have a real choice between aggregating per page row and scanning the lessons table.
    await pool.query(
      `INSERT INTO course_modules (course_id, title, position)
       SELECT id, 'Module', 0 FROM courses ORDER BY published_at DESC LIMIT 20000`,
    );
    await pool.query(
      `INSERT INTO lessons (module_id, course_id, title, type, position, duration_seconds)
       SELECT m.id, m.course_id, 'Lesson ' || l, 'text', l, 60 FROM course_modules m, generate_series(0, 4) AS l`,
    );
    await pool.query('VACUUM ANALYZE courses, course_modules, lessons');
  }, 60_000);

  afterAll(async () => {
    await testApp?.close();
  });

  async function explain(filters: CatalogFilters, sort: CatalogSort, after: CatalogCursor | undefined) {
    const result = await testApp.database.db.execute<{ 'QUERY PLAN': string }>(
      sql`EXPLAIN ANALYZE ${coursePageQuery(filters, sort, after, PAGE_SIZE + 1)}`,
    );
    return result.rows.map((row) => row['QUERY PLAN']).join('\n');
  }

  /**
   * The ids of `items` sorted by (title, id) as PostgreSQL sorts them: titles compare by the database's
   * collation, which JavaScript's string order matches only for "C".
   */
  async function inTitleOrder(items: Item[]): Promise<string[]> {
    const { rows } = await testApp.database.pool.query<{ id: string }>(
      'SELECT id::text AS id FROM unnest($1::text[], $2::uuid[]) AS seen(title, id) ORDER BY title, id',
      [items.map((item) => item.title), items.map((item) => item.id)],
    );
    return rows.map((row) => row.id);
  }

  const expectations: Array<{
    sort: CatalogSort;
    index: string;
    /** Whether b may follow a; 'database' for the title sort, checked with inTitleOrder. */
    inOrder: ((a: Item, b: Item) => boolean) | 'database';
    cursorOf: (last: Item) => CatalogCursor;
  }> = [
    {
      sort: 'newest',
      index: 'courses_status_published_at_idx',
      inOrder: (a, b) => a.publishedAt > b.publishedAt || (a.publishedAt === b.publishedAt && a.id > b.id),
      cursorOf: (last) => ({ s: 'newest', p: last.publishedAt.replace('Z', '000Z'), id: last.id }),
    },
    {
      sort: 'title',
      index: 'courses_status_title_idx',
      inOrder: 'database',
      cursorOf: (last) => ({ s: 'title', t: last.title, id: last.id }),
    },
    {
      sort: 'popular',
      index: 'courses_status_enrollment_count_idx',
      inOrder: (a, b) =>
        a.enrollmentCount > b.enrollmentCount || (a.enrollmentCount === b.enrollmentCount && a.id > b.id),
      cursorOf: (last) => ({ s: 'popular', n: last.enrollmentCount, id: last.id }),
    },
  ];

  for (const { sort, index, inOrder, cursorOf } of expectations) {
    it(`${sort}: ${PAGES} pages through the API, each course once, in order; the deep page is an index range scan`, async () => {
      const seen: Item[] = [];
      let cursor: string | null = null;
      for (let page = 0; page < PAGES; page++) {
        const response = await testApp.app.inject({
          method: 'GET',
          url: `/api/v1/courses?sort=${sort}&limit=${PAGE_SIZE}${cursor ? `&cursor=${cursor}` : ''}`,
        });
        expect(response.statusCode).toBe(200);
        const body = response.json() as { data: Item[]; nextCursor: string | null };
        expect(body.data).toHaveLength(PAGE_SIZE);
        seen.push(...body.data);
        cursor = body.nextCursor;
      }
      expect(new Set(seen.map((item) => item.id)).size).toBe(PAGES * PAGE_SIZE);
      if (inOrder === 'database') {
        expect(seen.map((item) => item.id)).toEqual(await inTitleOrder(seen));
      } else {
        for (let i = 1; i < seen.length; i++) expect(inOrder(seen[i - 1]!, seen[i]!), `row ${i}`).toBe(true);
      }

      // The bulk data's published_at values are whole minutes, so the millisecond ISO string extends
      // exactly to the cursor's microseconds.
      const plan = await explain({}, sort, cursorOf(seen.at(-1)!));
      expect(plan).toContain(`Index Scan using ${index} on courses`);
      expect(plan).toMatch(/Index Cond: \(\(status = 'published'::course_status\) AND \(ROW\(/);
      expect(plan).not.toContain('Seq Scan on courses');
      expect(plan).not.toMatch(/Rows Removed by Filter/);
      // A mixed-direction index (key DESC, id ASC) would need an incremental sort per run of equal keys.
      expect(plan).not.toMatch(/Incremental Sort|top-N heapsort/);
    });
  }

  it('relevance: pages of 7 list exactly what pages of 100 list (rank ties included)', async () => {
    async function walk(limit: number, count: number): Promise<string[]> {
      const ids: string[] = [];
      let cursor: string | null = null;
      while (ids.length < count) {
        const response = await testApp.app.inject({
          method: 'GET',
          url: `/api/v1/courses?q=python&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`,
        });
        const body = response.json() as { data: Item[]; nextCursor: string | null };
        ids.push(...body.data.map((item) => item.id));
        cursor = body.nextCursor;
      }
      return ids.slice(0, count);
    }
    const bigPages = await walk(100, 210);
    expect(new Set(bigPages).size).toBe(210);
    expect(await walk(7, 210)).toEqual(bigPages);
  });

  it('text search uses the GIN index on search_vector; a tag filter the GIN index on tags or a sort index', async () => {
    const search = await explain({ q: 'python testing' }, 'relevance', undefined);
    expect(search).toContain('Bitmap Index Scan on courses_search_vector_idx');
    expect(search).not.toContain('Seq Scan on courses');

    const rareTag = await explain({ tag: 'rare' }, 'newest', undefined);
    expect(rareTag).toContain('courses_tags_idx');
    const commonTag = await explain({ tag: 'data' }, 'newest', undefined);
    expect(commonTag).not.toContain('Seq Scan on courses');
  });

  it('lesson counts are aggregated per page row through lessons_course_id_idx, not over all lessons', async () => {
    const plan = await explain({}, 'newest', undefined);
    // One index probe per page row (limit + 1 = 21 loops).
    expect(plan).toMatch(/lessons_course_id_idx[^\n]*loops=21\)/);
    expect(plan).not.toContain('Seq Scan on lessons');
  });
});
