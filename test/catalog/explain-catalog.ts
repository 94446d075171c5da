/**
 * Catalog query plans and timings at scale. Creates a scratch database on a PostgreSQL server,
 * migrates it, bulk-inserts published courses (with outlines), then runs EXPLAIN ANALYZE on the
 * catalog's real list query (coursePageQuery) for the first page and a deep page (reached by
 * following cursors) of every sort, text search and filters. Drops the database afterwards.
 *
 *   npx tsx test/catalog/explain-catalog.ts [--url postgresql://postgres@127.0.0.1:5432/postgres]
 *     [--courses 100000] [--page 50] [--plans] [--keep]
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { createDatabaseClient } from '../../src/infrastructure/database/client/client.js';
import { runMigrations } from '../../src/infrastructure/database/migrations/migrator.js';
import {
  type CatalogCursor,
  type CatalogFilters,
  type CatalogSort,
  type CourseListRow,
  coursePageQuery,
  selectCoursePage,
} from '../../src/modules/catalog/catalog.queries.js';
import { bulkInsertPublishedCourses } from '../helpers/factories/index.js';

const { values: options } = parseArgs({
  options: {
    url: {
      type: 'string',
      default: process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres',
    },
    courses: { type: 'string', default: '100000' },
    page: { type: 'string', default: '50' },
    plans: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});

const PAGE_SIZE = 20;
const deepPage = Number(options.page);

interface Scenario {
  name: string;
  sort: CatalogSort;
  filters: CatalogFilters;
}

const scenarios: Scenario[] = [
  { name: 'newest', sort: 'newest', filters: {} },
  { name: 'title', sort: 'title', filters: {} },
  { name: 'popular', sort: 'popular', filters: {} },
  { name: 'relevance q="python"', sort: 'relevance', filters: { q: 'python' } },
  { name: 'relevance q="python testing"', sort: 'relevance', filters: { q: 'python testing' } },
  { name: 'relevance q="projects" (matches every course)', sort: 'relevance', filters: { q: 'projects' } },
  { name: 'newest q="python"', sort: 'newest', filters: { q: 'python' } },
  { name: 'newest tag=data', sort: 'newest', filters: { tag: 'data' } },
  { name: 'newest tag=rare (1 in 1000)', sort: 'newest', filters: { tag: 'rare' } },
  { name: 'popular tag=data', sort: 'popular', filters: { tag: 'data' } },
  { name: 'newest category=music', sort: 'newest', filters: { category: 'music' } },
  { name: 'newest beginner+free', sort: 'newest', filters: { difficulty: 'beginner', free: true } },
  { name: 'title price 1000..3000', sort: 'title', filters: { minPrice: 1000, maxPrice: 3000 } },
];

function cursorOf(sort: CatalogSort, row: CourseListRow): CatalogCursor {
  if (sort === 'newest') return { s: 'newest', p: row.published_at_key, id: row.id };
  if (sort === 'title') return { s: 'title', t: row.title, id: row.id };
  if (sort === 'popular') return { s: 'popular', n: row.enrollment_count, id: row.id };
  return { s: 'relevance', r: row.rank ?? 0, id: row.id };
}

function databaseUrl(server: string, name: string): string {
  const url = new URL(server);
  url.pathname = `/${name}`;
  return url.toString();
}

const name = `catalog_explain_${randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ connectionString: options.url });
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
const url = databaseUrl(options.url, name);
const client = createDatabaseClient(url, { max: 2 });
try {
  await runMigrations({ databaseUrl: url });
  let started = performance.now();
  await bulkInsertPublishedCourses(client.pool, {
    courses: Number(options.courses),
    modulesPerCourse: 2,
    lessonsPerModule: 4,
  });
  console.log(
    `inserted ${options.courses} courses (+2 modules, 8 lessons each) in ${Math.round(performance.now() - started)} ms`,
  );
  started = performance.now();
  await client.pool.query('VACUUM ANALYZE courses, lessons, users');
  console.log(`vacuum analyze: ${Math.round(performance.now() - started)} ms\n`);
  const instructor = await client.pool.query<{ id: string }>(
    "SELECT id FROM users WHERE role = 'instructor' ORDER BY email LIMIT 1",
  );
  scenarios.push({
    name: 'newest instructorId',
    sort: 'newest',
    filters: { instructorId: instructor.rows[0]!.id },
  });

  console.log(`| query | page 1 (ms) | page ${deepPage} (ms) | courses scan (page ${deepPage}) |`);
  console.log('| --- | --- | --- | --- |');
  for (const scenario of scenarios) {
    // Follow cursors to the deep page, as a client would.
    let after: CatalogCursor | undefined;
    let reached = 1;
    for (; reached < deepPage; reached++) {
      const rows = await selectCoursePage(client.db, scenario.filters, scenario.sort, after, PAGE_SIZE + 1);
      if (rows.length <= PAGE_SIZE) break;
      after = cursorOf(scenario.sort, rows[PAGE_SIZE - 1]!);
    }
    const timings: string[] = [];
    let deepPlan = '';
    for (const cursor of [undefined, after]) {
      const query = coursePageQuery(scenario.filters, scenario.sort, cursor, PAGE_SIZE + 1);
      let best = Number.POSITIVE_INFINITY;
      let plan = '';
      // Best of 5: the first run warms the buffer cache for this query's pages.
      for (let run = 0; run < 5; run++) {
        const result = await client.db.execute<{ 'QUERY PLAN': string }>(
          sql`EXPLAIN (ANALYZE, BUFFERS) ${query}`,
        );
        plan = result.rows.map((row) => row['QUERY PLAN']).join('\n');
        const execution = /Execution Time: ([\d.]+) ms/.exec(plan);
        best = Math.min(best, Number(execution?.[1]));
      }
      timings.push(best.toFixed(2));
      if (cursor === after) deepPlan = plan;
    }
    const coursesScan =
      /(Index Only Scan|Index Scan|Bitmap Heap Scan|Seq Scan)( Backward)?( using (\w+))? on courses/.exec(
        deepPlan,
      );
    const scanLabel = coursesScan
      ? `${coursesScan[1]}${coursesScan[2] ?? ''} ${coursesScan[4] ?? ''}`.trim()
      : '?';
    const pageLabel = reached < deepPage ? ` (only ${reached} pages)` : '';
    console.log(`| ${scenario.name} | ${timings[0]} | ${timings[1]}${pageLabel} | ${scanLabel} |`);
    if (options.plans) console.log(`\n${scenario.name}, page ${deepPage}:\n${deepPlan}\n`);
  }
} finally {
  await client.close();
  if (options.keep) console.log(`\nkept database ${name}`);
  else await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}
