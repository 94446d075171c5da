import { randomBytes } from 'node:crypto';
import type pg from 'pg';

const uniqueSuffix = () => randomBytes(5).toString('hex');

// Never verified: the bulk instructors are only there to own courses.
const UNUSABLE_PASSWORD_HASH = '$argon2id$v=19$m=19456,t=2,p=1$unusable$unusable';

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
