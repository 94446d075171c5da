/**
 * The bulk enrolment scenario of `npm run bench` (`--only bulk` runs just it; it is one of the job
 * scenarios, so `--only jobs` runs it too): the application built in this process with its worker
 * running (WORKER_CONCURRENCY / WORKER_FETCH_BATCH as shipped), 5,000 students and an instructor's
 * published course in a fresh migrated database; timed from the POST of the 5,000 addresses to the
 * moment `GET /bulk-operations/:id` says `completed`, polled every 10 ms; before each poll another
 * student enrols in the same course through the single enrol (its latency shows whether the job blocks
 * the course). Each round uses a new course.
 */
import { sql } from 'drizzle-orm';
import { buildApp } from '../src/app.js';
import { createDatabaseClient } from '../src/infrastructure/database/client/client.js';
import { createAccessTokens } from '../src/infrastructure/security/access-tokens.js';
import { benchProductionConfig, createBenchDatabase } from './harness.js';

export const BULK_STUDENTS = 5_000;
/** The issue's target: request to `completed`. */
export const BULK_TARGET_MS = 5_000;

export interface BulkRound {
  ms: number;
  counts: Record<string, number>;
  /** Single enrolments of other students into the same course made while the job ran, in ms. */
  concurrentEnrolMs: number[];
}

/** Students outside the list who enrol themselves, one per poll, while the bulk job runs. */
const CONCURRENT_STUDENTS = 400;

export async function measureBulkEnrolment(serverUrl: string, rounds: number): Promise<BulkRound[]> {
  const database = await createBenchDatabase(serverUrl);
  const defaults = benchProductionConfig({
    DATABASE_URL: database.url,
    LOG_LEVEL: 'silent',
    RATE_LIMIT_GLOBAL_PER_MINUTE: '1000000',
  });
  const config = { ...defaults, jobs: { ...defaults.jobs, workerEnabled: true } };
  const client = createDatabaseClient(database.url, {
    max: config.databasePoolMax,
    applicationName: 'bench:bulk',
  });
  const mailer = { send: async () => {}, close: () => {} };
  const app = await buildApp({ config, database: client, logger: false, mailer });
  try {
    await app.ready();
    const db = client.db;
    const { rows } = await db.execute<{ id: string }>(sql`
      INSERT INTO users (email, password_hash, name, role)
      VALUES ('bulk-bench-instructor@example.test', 'x', 'Bench instructor', 'instructor') RETURNING id`);
    const instructorId = rows[0]?.id as string;
    await db.execute(sql`
      INSERT INTO users (email, password_hash, name, role)
      SELECT 'bulk-bench-' || n || '@example.test', 'x', 'Bench student ' || n, 'student'
        FROM generate_series(1, ${BULK_STUDENTS}) AS n`);
    const extras = await db.execute<{ id: string }>(sql`
      INSERT INTO users (email, password_hash, name, role)
      SELECT 'bulk-bench-extra-' || n || '@example.test', 'x', 'Bench extra ' || n, 'student'
        FROM generate_series(1, ${CONCURRENT_STUDENTS}) AS n
      RETURNING id`);
    const emails = Array.from({ length: BULK_STUDENTS }, (_, n) => `bulk-bench-${n + 1}@example.test`);
    const tokens = createAccessTokens(config.jwtSecret, config.accessTokenTtlSeconds);
    const bearer = (sub: string, role: 'instructor' | 'student') => ({
      authorization: `Bearer ${tokens.sign({ sub, role, tv: 0 })}`,
    });
    const headers = bearer(instructorId, 'instructor');
    const extraHeaders = extras.rows.map((row) => bearer(row.id, 'student'));
    const results: BulkRound[] = [];
    for (let round = 0; round < rounds; round++) {
      const course = await db.execute<{ id: string }>(sql`
        INSERT INTO courses (slug, title, instructor_id, status, published_at)
        VALUES (${`bulk-bench-${round}-${Date.now()}`}, 'Bulk bench course', ${instructorId}::uuid, 'published', now())
        RETURNING id`);
      const courseId = course.rows[0]?.id as string;
      const started = performance.now();
      const accepted = await app.inject({
        method: 'POST',
        url: `/api/v1/courses/${courseId}/enrollments/bulk`,
        headers,
        payload: { emails },
      });
      if (accepted.statusCode !== 202)
        throw new Error(`bulk enrol answered ${accepted.statusCode}: ${accepted.body}`);
      const { id } = accepted.json() as { id: string };
      const concurrentEnrolMs: number[] = [];
      for (let poll = 0; ; poll++) {
        // Someone else enrols in the same course meanwhile: how long do they wait?
        const learner = extraHeaders[poll % extraHeaders.length];
        if (learner && poll < extraHeaders.length) {
          const before = performance.now();
          const single = await app.inject({
            method: 'POST',
            url: `/api/v1/courses/${courseId}/enrollments`,
            headers: learner,
            payload: {},
          });
          if (single.statusCode !== 201)
            throw new Error(`single enrol answered ${single.statusCode}: ${single.body}`);
          concurrentEnrolMs.push(performance.now() - before);
        }
        const state = await app.inject({
          method: 'GET',
          url: `/api/v1/bulk-operations/${id}?limit=1`,
          headers,
        });
        const body = state.json() as { state: string; counts: Record<string, number>; error: string | null };
        if (body.state === 'completed') {
          results.push({
            ms: Math.round(performance.now() - started),
            counts: body.counts,
            concurrentEnrolMs,
          });
          break;
        }
        if (body.state === 'failed') throw new Error(`bulk enrolment failed: ${body.error}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
    return results;
  } finally {
    await app.close();
    await client.close();
    await database.drop();
  }
}
