import { compactVerify, createLocalJWKSet } from 'jose';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { verifyPassword } from '../../src/infrastructure/security/password.js';
import { createCredentialSigner } from '../../src/modules/certificates/index.js';
import { checkLessonFields } from '../../src/modules/courses/lesson-content.js';
import {
  DEMO_PASSWORD,
  isDatabaseEmpty,
  type SeedSummary,
  seedDemoData,
  UNIT,
} from '../../src/seed/seed-demo-data.js';
import { runCli } from '../helpers/run-cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const databases: TestDatabase[] = [];
const pools: pg.Pool[] = [];

async function freshDatabase(): Promise<{ database: TestDatabase; pool: pg.Pool }> {
  const database = await createTestDatabase();
  databases.push(database);
  const pool = new pg.Pool({ connectionString: database.url, max: 3 });
  pools.push(pool);
  return { database, pool };
}

async function count(pool: pg.Pool, sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await pool.query<{ count: string }>(sql, params);
  return Number(rows[0]?.count);
}

/** The catalog in creation order: what determinism must reproduce. */
async function catalog(pool: pg.Pool) {
  const { rows } = await pool.query<{ title: string }>(
    'SELECT title, slug, status, price_cents, currency, enrollment_count FROM courses ORDER BY created_at, slug',
  );
  return rows;
}

let scale1: { database: TestDatabase; pool: pg.Pool };
let summary: SeedSummary;
let scale1Catalog: Awaited<ReturnType<typeof catalog>>;
const progress: { done: number; total: number; phase: string }[] = [];

beforeAll(async () => {
  scale1 = await freshDatabase();
  expect(await isDatabaseEmpty(scale1.pool)).toBe(true);
  summary = await seedDemoData(scale1.pool, {
    scale: 1,
    onProgress: (done, total, phase) => progress.push({ done, total, phase }),
  });
  scale1Catalog = await catalog(scale1.pool);
});

afterAll(async () => {
  await Promise.all(pools.map((pool) => pool.end()));
  await Promise.all(databases.map((database) => database.drop()));
});

describe('seedDemoData at scale 1', () => {
  it('creates the documented users, courses and learning data', async () => {
    const { pool } = scale1;
    expect(await isDatabaseEmpty(pool)).toBe(false);
    const roles = await pool.query<{ role: string; count: string }>(
      'SELECT role, count(*) FROM users GROUP BY role ORDER BY role',
    );
    expect(Object.fromEntries(roles.rows.map((row) => [row.role, Number(row.count)]))).toEqual({
      admin: 1,
      instructor: 5,
      student: 40,
    });
    expect(await count(pool, 'SELECT count(*) FROM user_profiles')).toBe(46);

    const statuses = await pool.query<{ status: string; count: string }>(
      'SELECT status, count(*) FROM courses GROUP BY status',
    );
    expect(Object.fromEntries(statuses.rows.map((row) => [row.status, Number(row.count)]))).toEqual({
      published: 30,
      draft: 4,
      archived: 2,
    });
    // 3–6 modules per course, 3–6 lessons per module.
    const modules = await pool.query<{ min: number; max: number }>(
      'SELECT min(n)::int AS min, max(n)::int AS max FROM (SELECT count(*) AS n FROM course_modules GROUP BY course_id) t',
    );
    expect(modules.rows[0]!.min).toBeGreaterThanOrEqual(3);
    expect(modules.rows[0]!.max).toBeLessThanOrEqual(6);
    const lessons = await pool.query<{ min: number; max: number }>(
      'SELECT min(n)::int AS min, max(n)::int AS max FROM (SELECT count(*) AS n FROM lessons GROUP BY module_id) t',
    );
    expect(lessons.rows[0]!.min).toBeGreaterThanOrEqual(3);
    expect(lessons.rows[0]!.max).toBeLessThanOrEqual(6);
    expect(
      await count(
        pool,
        'SELECT count(*) FROM courses c WHERE NOT EXISTS (SELECT 1 FROM course_modules m WHERE m.course_id = c.id)',
      ),
    ).toBe(0);

    // Videos have a URL and a duration; other lesson types have no video URL.
    expect(
      await count(
        pool,
        "SELECT count(*) FROM lessons WHERE (type = 'video') <> (video_url IS NOT NULL) OR (type = 'video' AND duration_seconds = 0)",
      ),
    ).toBe(0);
    expect(await count(pool, 'SELECT count(DISTINCT type) FROM lessons')).toBeGreaterThanOrEqual(5);

    // Every student takes 2–7 published courses; some lessons are in progress or done.
    const perStudent = await pool.query<{ min: number; max: number; students: number }>(
      `SELECT min(n)::int AS min, max(n)::int AS max, count(*)::int AS students
         FROM (SELECT count(*) AS n FROM enrollments GROUP BY user_id) t`,
    );
    expect(perStudent.rows[0]).toEqual({ min: expect.any(Number), max: expect.any(Number), students: 40 });
    expect(perStudent.rows[0]!.min).toBeGreaterThanOrEqual(2);
    expect(perStudent.rows[0]!.max).toBeLessThanOrEqual(7);
    expect(
      await count(
        pool,
        "SELECT count(*) FROM enrollments e JOIN courses c ON c.id = e.course_id WHERE c.status <> 'published'",
      ),
    ).toBe(0);
    expect(await count(pool, 'SELECT count(*) FROM lesson_progress')).toBeGreaterThan(100);

    // The summary reports what is in the database.
    for (const [table, rows] of Object.entries(summary.counts)) {
      expect(await count(pool, `SELECT count(*) FROM ${table}`), table).toBe(rows);
    }
    expect(summary).toMatchObject({
      scale: 1,
      batch: 1,
      credentials: {
        password: 'learning-platform-demo',
        admin: 'admin@demo.learningplatform.dev',
        instructor: 'instructor1@demo.learningplatform.dev',
        student: 'student1@demo.learningplatform.dev',
      },
    });
  });

  it("keeps every course's enrollment_count equal to its enrollments", async () => {
    const mismatched = await count(
      scale1.pool,
      `SELECT count(*) FROM courses c
        WHERE c.enrollment_count <> (SELECT count(*) FROM enrollments e WHERE e.course_id = c.id)`,
    );
    expect(mismatched).toBe(0);
    expect(
      await count(scale1.pool, 'SELECT count(*) FROM courses WHERE enrollment_count > 0'),
    ).toBeGreaterThan(10);
  });

  it('numbers module and lesson positions 0..n-1 within each course and module', async () => {
    // With (parent, position) unique, min = 0 and max = n - 1 means exactly 0..n-1.
    const gaps = (table: string, parent: string) =>
      count(
        scale1.pool,
        `SELECT count(*) FROM (SELECT min(position) AS lo, max(position) AS hi, count(*) AS n
           FROM ${table} GROUP BY ${parent}) t WHERE lo <> 0 OR hi <> n - 1`,
      );
    expect(await gaps('course_modules', 'course_id')).toBe(0);
    expect(await gaps('lessons', 'module_id')).toBe(0);
    expect(await gaps('questions', 'quiz_id')).toBe(0);
  });

  it('stores lesson content that the courses module accepts, linked to real quizzes and assignments', async () => {
    const { pool } = scale1;
    const { rows } = await pool.query<{
      id: string;
      type: 'video' | 'text' | 'quiz' | 'assignment' | 'live_session' | 'download';
      video_url: string | null;
      duration_seconds: number;
      content: Record<string, unknown>;
    }>('SELECT id, type, video_url, duration_seconds, content FROM lessons');
    for (const row of rows) {
      const checked = checkLessonFields(
        {
          type: row.type,
          videoUrl: row.video_url,
          durationSeconds: row.duration_seconds,
          content: row.content,
        },
        // A stored live session may lie in the past (it happened); only a changed start must be ahead.
        { now: new Date(), previousStartsAt: row.content.startsAt },
      );
      expect(checked.errors, `${row.type} lesson ${row.id}`).toEqual([]);
    }
    // Each quiz / assignment lesson points at a quiz / assignment of its course that sits in that lesson.
    for (const [type, table, key] of [
      ['quiz', 'quizzes', 'quizId'],
      ['assignment', 'assignments', 'assignmentId'],
    ] as const) {
      expect(await count(pool, `SELECT count(*) FROM lessons WHERE type = '${type}'`)).toBeGreaterThan(0);
      expect(
        await count(
          pool,
          `SELECT count(*) FROM lessons l WHERE l.type = '${type}' AND NOT EXISTS (
             SELECT 1 FROM ${table} x
              WHERE x.id = (l.content->>'${key}')::uuid AND x.course_id = l.course_id AND x.lesson_id = l.id)`,
        ),
      ).toBe(0);
    }
    expect(
      await count(
        pool,
        'SELECT count(*) FROM quizzes q WHERE NOT EXISTS (SELECT 1 FROM questions WHERE quiz_id = q.id)',
      ),
    ).toBe(0);
  });

  it('keeps progress consistent with enrollments', async () => {
    const { pool } = scale1;
    // progress_percent = floor(100 × completed lessons / lessons of the course), as the progress module
    // keeps it (every seeded lesson is required), and completed_lesson_count the count behind it.
    expect(
      await count(
        pool,
        `SELECT count(*) FROM enrollments e
          WHERE e.progress_percent <> floor(100.0 *
            (SELECT count(*) FROM lesson_progress p WHERE p.enrollment_id = e.id AND p.status = 'completed') /
            (SELECT count(*) FROM lessons l WHERE l.course_id = e.course_id))
             OR e.completed_lesson_count <>
            (SELECT count(*) FROM lesson_progress p WHERE p.enrollment_id = e.id AND p.status = 'completed')`,
      ),
    ).toBe(0);
    // Progress rows belong to the enrollment's student and course, and nothing is in the future.
    expect(
      await count(
        pool,
        `SELECT count(*) FROM lesson_progress p JOIN enrollments e ON e.id = p.enrollment_id
           JOIN lessons l ON l.id = p.lesson_id
          WHERE p.user_id <> e.user_id OR l.course_id <> e.course_id OR p.started_at < e.enrolled_at
             OR p.completed_at > now() OR e.completed_at > now() OR e.enrolled_at > now()`,
      ),
    ).toBe(0);
  });

  it('gives every completed enrollment exactly one certificate, as issuance would, and no other enrollment one', async () => {
    const { pool } = scale1;
    const completed = await count(pool, "SELECT count(*) FROM enrollments WHERE status = 'completed'");
    expect(completed).toBeGreaterThan(0);
    expect(await count(pool, 'SELECT count(*) FROM certificates')).toBe(completed);
    expect(
      await count(
        pool,
        `SELECT count(*) FROM certificates c JOIN enrollments e ON e.id = c.enrollment_id
           JOIN users u ON u.id = c.user_id JOIN courses co ON co.id = c.course_id
           JOIN users i ON i.id = co.instructor_id
          WHERE e.status <> 'completed' OR c.user_id <> e.user_id OR c.course_id <> e.course_id
             OR c.issued_at < e.completed_at OR c.issued_at > now() OR c.revoked_at IS NOT NULL
             OR c.verification_code !~ '^[A-Za-z0-9_-]{22}$'
             OR c.metadata->>'learnerName' <> u.name OR c.metadata->>'courseTitle' <> co.title
             OR c.metadata->>'courseSlug' <> co.slug OR c.metadata->>'instructorName' <> i.name
             OR (c.metadata->>'completedAt')::timestamptz <> e.completed_at`,
      ),
    ).toBe(0);
    // Each credential verifies with the configured keys (those the server publishes) and states the row.
    const keys = createLocalJWKSet(createCredentialSigner(loadConfig().certificateSigningKeys).jwks());
    const { rows } = await pool.query<{ credential: string; verification_code: string; name: string }>(
      `SELECT c.credential, c.verification_code, u.name FROM certificates c JOIN users u ON u.id = c.user_id`,
    );
    for (const row of rows) {
      const { payload } = await compactVerify(row.credential, keys);
      const credential = JSON.parse(new TextDecoder().decode(payload));
      expect(credential.verificationCode).toBe(row.verification_code);
      expect(credential.credentialSubject.name).toBe(row.name);
    }
  });

  it('gives the demo accounts the documented password (hashed once, argon2id)', async () => {
    const { rows } = await scale1.pool.query<{ password_hash: string }>(
      "SELECT password_hash FROM users WHERE email = 'admin@demo.learningplatform.dev'",
    );
    const hash = rows[0]!.password_hash;
    expect(hash).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(hash, DEMO_PASSWORD)).toBe(true);
    expect(await verifyPassword(hash, 'wrong-password')).toBe(false);
    expect(await count(scale1.pool, 'SELECT count(DISTINCT password_hash) FROM users')).toBe(1);
  });

  it('reports progress up to the total', () => {
    expect(progress.length).toBeGreaterThan(2);
    const last = progress.at(-1)!;
    expect(last.done).toBe(last.total);
    for (let i = 1; i < progress.length; i++) {
      expect(progress[i]!.done).toBeGreaterThanOrEqual(progress[i - 1]!.done);
    }
  });

  it('is deterministic: another fresh database gets the same catalog in the same order', async () => {
    const other = await freshDatabase();
    await seedDemoData(other.pool, { scale: 1 });
    const titles = await catalog(other.pool);
    expect(titles.length).toBe(36);
    expect(titles).toEqual(scale1Catalog);
  });
});

describe('npm run db:seed', () => {
  it('refuses a database that already has users, naming --force, and changes nothing', async () => {
    const before = await count(scale1.pool, 'SELECT count(*) FROM users');
    const result = await runCli('db-seed', [], { DATABASE_URL: scale1.database.url });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/already has 46 user\(s\).*--force/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(await count(scale1.pool, 'SELECT count(*) FROM users')).toBe(before);
  });

  it('with --force adds a second batch with suffixed accounts', async () => {
    const result = await runCli('db-seed', ['--force'], { DATABASE_URL: scale1.database.url });
    expect(result.stderr).not.toMatch(/Error/);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('admin.b2@demo.learningplatform.dev');
    expect(await count(scale1.pool, 'SELECT count(*) FROM users')).toBe(92);
    expect(await count(scale1.pool, 'SELECT count(DISTINCT slug) FROM courses')).toBe(72);
    expect(
      await count(
        scale1.pool,
        `SELECT count(*) FROM courses c
          WHERE c.enrollment_count <> (SELECT count(*) FROM enrollments e WHERE e.course_id = c.id)`,
      ),
    ).toBe(0);
  });

  it('--scale 3 creates three times the users and courses of scale 1, and prints the credentials', async () => {
    const { database, pool } = await freshDatabase();
    const result = await runCli('db-seed', ['--scale', '3'], { DATABASE_URL: database.url });
    expect(result.stderr).not.toMatch(/Error/);
    expect(result.code).toBe(0);
    for (const text of [
      'admin@demo.learningplatform.dev',
      'instructor1@demo.learningplatform.dev',
      'student1@demo.learningplatform.dev',
      'learning-platform-demo',
      'lesson_progress',
    ]) {
      expect(result.stdout).toContain(text);
    }
    const roles = await pool.query<{ role: string; count: string }>(
      'SELECT role, count(*) FROM users GROUP BY role',
    );
    // One admin whatever the scale; instructors and students scale linearly.
    expect(Object.fromEntries(roles.rows.map((row) => [row.role, Number(row.count)]))).toEqual({
      admin: 1,
      instructor: 3 * UNIT.instructors,
      student: 3 * UNIT.students,
    });
    expect(await count(pool, 'SELECT count(*) FROM users')).toBe(1 + 3 * (46 - 1));
    expect(await count(pool, 'SELECT count(*) FROM courses')).toBe(3 * 36);
    expect(
      await count(pool, "SELECT count(*) FROM users WHERE email = 'student120@demo.learningplatform.dev'"),
    ).toBe(1);
    // The first unit of a larger scale is scale 1's data.
    expect((await catalog(pool)).map((course) => course.title)).toEqual(
      expect.arrayContaining(scale1Catalog.map((course) => course.title)),
    );
  });

  it('rejects a bad --scale with one paragraph', async () => {
    const result = await runCli('db-seed', ['--scale', '0'], { DATABASE_URL: scale1.database.url });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/--scale must be a whole number/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});
