import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { Config } from '../../src/config.js';
import type { Cache } from '../../src/infrastructure/cache/cache.js';
import { MemoryCache } from '../../src/infrastructure/cache/memory-cache.js';
import { RedisCache } from '../../src/infrastructure/cache/redis-cache.js';
import type { Database } from '../../src/infrastructure/database/client/client.js';
import {
  type Course,
  type CourseModule,
  courseModules,
  courses,
  type Enrollment,
  enrollments,
  type Lesson,
  lessons,
  type NewCourse,
  type NewEnrollment,
  type NewLesson,
  type Role,
  type User,
  users,
} from '../../src/infrastructure/database/schema/index.js';
import { createAccessTokens } from '../../src/infrastructure/security/access-tokens.js';
import { type CatalogCache, createCatalogCache } from '../../src/modules/catalog/catalog-cache.js';
import { catalogModule } from '../../src/modules/catalog/index.js';
import type { TestApp } from './test-app.js';

/**
 * Catalog test data inserted straight into the database (no authoring endpoints), respecting the
 * schema's CHECK constraints: slug format, published courses have published_at, 0-based positions.
 */

const uniqueSuffix = () => randomBytes(5).toString('hex');

// Never verified: these rows are only signed in through minted access tokens.
const UNUSABLE_PASSWORD_HASH = '$argon2id$v=19$m=19456,t=2,p=1$unusable$unusable';

export async function insertUser(
  db: Database,
  overrides: { role?: Role; name?: string; email?: string } = {},
): Promise<User> {
  const role = overrides.role ?? 'student';
  const [user] = await db
    .insert(users)
    .values({
      email: overrides.email ?? `${role}-${uniqueSuffix()}@example.test`,
      passwordHash: UNUSABLE_PASSWORD_HASH,
      name: overrides.name ?? `Test ${role}`,
      role,
    })
    .returning();
  return user!;
}

/** A bearer token the app's guard accepts for `user`. */
export function accessTokenFor(config: Config, user: Pick<User, 'id' | 'role' | 'tokenVersion'>): string {
  return createAccessTokens(config.jwtSecret, config.accessTokenTtlSeconds).sign({
    sub: user.id,
    role: user.role,
    tv: user.tokenVersion,
  });
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** A course; `status: 'published'` (the default) gets a published_at unless one is given. */
export async function insertCourse(
  db: Database,
  instructorId: string,
  overrides: Partial<Omit<NewCourse, 'instructorId'>> = {},
): Promise<Course> {
  const status = overrides.status ?? 'published';
  const [course] = await db
    .insert(courses)
    .values({
      slug: `course-${uniqueSuffix()}`,
      title: 'Untitled course',
      ...overrides,
      instructorId,
      status,
      publishedAt: overrides.publishedAt ?? (status === 'draft' ? null : new Date()),
      archivedAt: overrides.archivedAt ?? (status === 'archived' ? new Date() : null),
    })
    .returning();
  return course!;
}

export async function insertModule(
  db: Database,
  courseId: string,
  position: number,
  title = `Module ${position + 1}`,
): Promise<CourseModule> {
  const [module] = await db.insert(courseModules).values({ courseId, position, title }).returning();
  return module!;
}

export async function insertLesson(
  db: Database,
  module: Pick<CourseModule, 'id' | 'courseId'>,
  position: number,
  overrides: Partial<Omit<NewLesson, 'moduleId' | 'courseId' | 'position'>> = {},
): Promise<Lesson> {
  const [lesson] = await db
    .insert(lessons)
    .values({
      title: `Lesson ${position + 1}`,
      type: 'text',
      content: { body: `Body of lesson ${position + 1}` },
      durationSeconds: 300,
      ...overrides,
      moduleId: module.id,
      courseId: module.courseId,
      position,
    })
    .returning();
  return lesson!;
}

export async function insertEnrollment(
  db: Database,
  userId: string,
  courseId: string,
  overrides: Partial<Omit<NewEnrollment, 'userId' | 'courseId'>> = {},
): Promise<Enrollment> {
  const status = overrides.status ?? 'active';
  const [enrollment] = await db
    .insert(enrollments)
    .values({
      ...overrides,
      userId,
      courseId,
      status,
      completedAt: overrides.completedAt ?? (status === 'completed' ? new Date() : null),
    })
    .returning();
  return enrollment!;
}

/** The cache implementation the app under test uses: Redis when TEST_REDIS_URL is set, else in-process. */
export function cacheLike(testApp: Pick<TestApp, 'redis'>): Cache {
  return testApp.redis ? new RedisCache(testApp.redis) : new MemoryCache();
}

/**
 * Mounts the catalog routes a second time, at `prefix`, with a catalog cache the test holds, so it
 * can call `courseChanged` as a writer would (the app's own instance is private to src/app.ts).
 * Call before the app is ready.
 */
export async function mountCatalogWithCache(
  testApp: TestApp,
  prefix: string,
  ttlSeconds = 300,
): Promise<CatalogCache> {
  const catalogCache = createCatalogCache(cacheLike(testApp), ttlSeconds);
  await testApp.app.register(catalogModule, { prefix, db: testApp.database.db, catalogCache });
  return catalogCache;
}

/** Vocabulary for generated titles and descriptions: a few words common, most rare. */
const BULK_WORDS = [
  'python',
  'javascript',
  'typescript',
  'testing',
  'design',
  'databases',
  'postgresql',
  'cooking',
  'photography',
  'finance',
  'marketing',
  'statistics',
  'guitar',
  'drawing',
  'writing',
  'physics',
  'chemistry',
  'biology',
  'history',
  'spanish',
  'french',
  'yoga',
  'leadership',
  'negotiation',
  'kubernetes',
  'docker',
  'security',
  'networking',
  'algorithms',
  'compilers',
  'robotics',
  'gardening',
];
const BULK_TAGS = [
  'programming',
  'web',
  'data',
  'cloud',
  'music',
  'art',
  'business',
  'language',
  'science',
  'health',
  'career',
  'math',
  'devops',
  'mobile',
  'games',
  'ai',
  'writing',
  'photo',
  'food',
  'diy',
];
const BULK_CATEGORIES = ['development', 'business', 'design', 'music', 'science', 'lifestyle', 'languages'];

export interface BulkCatalogOptions {
  courses: number;
  instructors?: number;
  /** Modules per course (each with `lessonsPerModule` lessons); 0 inserts no outline at all. */
  modulesPerCourse?: number;
  lessonsPerModule?: number;
}

/**
 * Bulk-inserts published courses (and optionally their outlines) with INSERT ... SELECT
 * generate_series: 100k courses take a few seconds. Values vary deterministically with the row
 * number: ~1/4 free, three difficulties, 20 tags (2 per course; 'rare' on 1 in 1000), 7 categories, enrollment counts with
 * a long tail of zeros (as in a real catalog) and distinct published_at values one minute apart.
 */
export async function bulkInsertPublishedCourses(
  pool: Pick<pg.Pool, 'query'>,
  options: BulkCatalogOptions,
): Promise<void> {
  const instructorCount = options.instructors ?? 200;
  const batch = uniqueSuffix();
  await pool.query(
    `INSERT INTO users (email, password_hash, name, role)
     SELECT 'bulk-instructor-' || $1 || '-' || i || '@example.test', $2, 'Instructor ' || i, 'instructor'
     FROM generate_series(1, $3::int) AS i`,
    [batch, UNUSABLE_PASSWORD_HASH, instructorCount],
  );
  await pool.query(
    `WITH instructors AS (
       SELECT array_agg(id ORDER BY email) AS ids FROM users WHERE email LIKE 'bulk-instructor-' || $1 || '-%'
     ), words AS (SELECT $2::text[] AS w, $3::text[] AS tags, $4::text[] AS categories)
     INSERT INTO courses (instructor_id, slug, title, subtitle, description, status, difficulty, price_cents,
                          currency, category, tags, published_at, enrollment_count)
     SELECT ids[1 + i % cardinality(ids)],
            'bulk-' || $1 || '-' || i,
            initcap(w[1 + i % 32]) || ' ' || w[1 + (i / 32) % 32] || ' ' || i,
            'Generated course ' || i,
            'Learn ' || w[1 + (i * 7) % 32] || ' and ' || w[1 + (i * 13) % 32] || ' with practical projects.',
            'published',
            (ARRAY['beginner', 'intermediate', 'advanced'])[1 + i % 3]::difficulty,
            CASE WHEN i % 4 = 0 THEN 0 ELSE 500 + (i % 40) * 250 END,
            'USD',
            categories[1 + i % cardinality(categories)],
            ARRAY[tags[1 + i % 20], tags[1 + (i / 20) % 20]]
              || CASE WHEN i % 1000 = 0 THEN ARRAY['rare'] ELSE ARRAY[]::text[] END,
            now() - make_interval(mins => i),
            CASE WHEN i % 10 < 6 THEN 0 ELSE (i * 7919) % 5000 END
     FROM generate_series(1, $5::int) AS i, instructors, words`,
    [batch, BULK_WORDS, BULK_TAGS, BULK_CATEGORIES, options.courses],
  );
  const modulesPerCourse = options.modulesPerCourse ?? 0;
  if (modulesPerCourse > 0) {
    await pool.query(
      `INSERT INTO course_modules (course_id, title, position)
       SELECT c.id, 'Module ' || (m + 1), m
       FROM courses c, generate_series(0, $2::int - 1) AS m
       WHERE c.slug LIKE 'bulk-' || $1 || '-%'`,
      [batch, modulesPerCourse],
    );
    await pool.query(
      `INSERT INTO lessons (module_id, course_id, title, type, position, duration_seconds, content)
       SELECT m.id, m.course_id, 'Lesson ' || (l + 1), 'text', l, 60 * (l + 1), '{"markdown": "..."}'
       FROM course_modules m JOIN courses c ON c.id = m.course_id, generate_series(0, $2::int - 1) AS l
       WHERE c.slug LIKE 'bulk-' || $1 || '-%'`,
      [batch, options.lessonsPerModule ?? 3],
    );
  }
  await pool.query('ANALYZE users, courses, course_modules, lessons');
}
