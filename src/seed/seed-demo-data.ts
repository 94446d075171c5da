import { randomFillSync } from 'node:crypto';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type pg from 'pg';
import { loadConfig, type SigningKey } from '../config.js';
import { hashPassword } from '../infrastructure/security/password.js';
import {
  buildCredential,
  type CertificateFacts,
  type CredentialSigner,
  certificateUrls,
  createCredentialSigner,
  newVerificationCode,
} from '../modules/certificates/index.js';
import { MAX_SLUG_LENGTH, slugify } from '../shared/slug.js';
import {
  type AssignmentDraft,
  type CourseDraft,
  type DemoLessonType,
  generateCourse,
  mixSeed,
  personName,
  profileFor,
  type QuizDraft,
  Random,
} from './demo-generator.js';

/**
 * Demo data for a fresh installation: what a new user sees after `npm run db:seed`.
 *
 * The data is built from "units". One unit is scale 1: 5 instructors, 40 students, 36 courses
 * (30 published, 4 drafts, 2 archived) with their outlines (modules, lessons, and the quizzes with
 * questions and the assignments that quiz / assignment lessons point at), the students' enrollments
 * in the unit's published courses and their lesson progress. `--scale N` seeds N units (plus one admin),
 * so users and courses grow together, linearly. Each unit draws from its own PRNG seeded by
 * (batch, unit number), so the same scale always yields the same content, whatever the chunking.
 * Ids are generated here (time-ordered UUIDs, see `uuidv7`), so children reference parents without
 * round trips.
 *
 * Rows go in with `INSERT ... SELECT FROM unnest($1::uuid[], ...)`: one statement per table and
 * 5,000 rows, a handful of parameters whatever the row count, and a prepared plan reused per batch.
 */

export const DEMO_PASSWORD = 'learning-platform-demo';
export const DEMO_EMAIL_DOMAIN = 'demo.learningplatform.dev';

export const UNIT = {
  instructors: 5,
  students: 40,
  courses: 36,
  drafts: 4,
  archived: 2,
} as const;

/**
 * Units per transaction. Scales up to this many units are seeded in ONE transaction (all or
 * nothing). Larger scales commit one chunk of units at a time: a chunk is self-contained (its
 * students enroll only in its own courses, its enrollment counts are final), so every commit
 * leaves a consistent dataset, an interruption keeps the work done so far, and autovacuum can
 * analyze the growing tables instead of seeing nothing until a multi-minute transaction ends.
 * It also lets two chunks insert on two connections at once.
 */
export const UNITS_PER_TRANSACTION = 20;
const ROWS_PER_STATEMENT = 5_000;
const DAY = 86_400_000;
const HOUR = 3_600_000;

export const SEEDED_TABLES = [
  'users',
  'user_profiles',
  'courses',
  'course_modules',
  'lessons',
  'quizzes',
  'questions',
  'assignments',
  'enrollments',
  'lesson_progress',
  'certificates',
] as const;
export type SeededTable = (typeof SEEDED_TABLES)[number];

export interface SeedOptions {
  /** Number of units (default 1). A positive integer. */
  scale?: number;
  onProgress?: (done: number, total: number, phase: string) => void;
  /** Chunks inserted at once on separate connections (default 2; the pool must allow as many). */
  concurrency?: number;
  /**
   * What the completed enrollments' certificates are signed with and link to (default: the
   * configuration's CERTIFICATE_SIGNING_KEYS and PUBLIC_API_URL, as the server would sign them).
   */
  certificates?: { signingKeys: SigningKey[]; publicApiUrl: string };
}

export interface SeedSummary {
  scale: number;
  /** 1 for the first demo batch in a database; 2, 3, ... for batches added with --force. */
  batch: number;
  counts: Record<SeededTable, number>;
  credentials: { password: string; admin: string; instructor: string; student: string };
  durationMs: number;
}

// ---------------------------------------------------------------------------------------------
// Ids

/**
 * Time-ordered UUIDs (version 7, RFC 9562) instead of random v4 ones: each table's ids, and the
 * foreign keys pointing at rows created just before, then grow monotonically, so every B-tree
 * insert lands on the index's right-most pages instead of a random page. On a load of millions of
 * rows whose indexes outgrow shared_buffers that is the difference between appending and thrashing.
 * 48-bit Unix ms timestamp, 12-bit sequence within the millisecond, 62 random bits.
 */
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const randomPool = Buffer.alloc(8 * 1024);
let randomOffset = randomPool.length;
let lastMs = 0;
let sequence = 0;

export function uuidv7(): string {
  let ms = Date.now();
  if (ms <= lastMs) {
    ms = lastMs;
    sequence++;
    if (sequence > 0xfff) {
      // More than 4,096 ids in one millisecond: borrow the next millisecond.
      ms = ++lastMs;
      sequence = 0;
    }
  } else {
    lastMs = ms;
    sequence = 0;
  }
  if (randomOffset + 8 > randomPool.length) {
    randomFillSync(randomPool);
    randomOffset = 0;
  }
  const r = randomPool;
  const o = randomOffset;
  randomOffset += 8;
  const high = Math.floor(ms / 0x1000000); // upper 24 bits of the 48-bit timestamp
  const low = ms % 0x1000000;
  const h = (n: number) => HEX[n & 0xff] as string;
  return (
    h(high >>> 16) +
    h(high >>> 8) +
    h(high) +
    h(low >>> 16) +
    '-' +
    h(low >>> 8) +
    h(low) +
    '-' +
    h(0x70 | (sequence >>> 8)) +
    h(sequence) +
    '-' +
    h(0x80 | (r[o]! & 0x3f)) +
    h(r[o + 1]!) +
    '-' +
    h(r[o + 2]!) +
    h(r[o + 3]!) +
    h(r[o + 4]!) +
    h(r[o + 5]!) +
    h(r[o + 6]!) +
    h(r[o + 7]!)
  );
}

// ---------------------------------------------------------------------------------------------
// Column-oriented row buffers and the unnest() insert

type ColumnType = 'uuid' | 'text' | 'int4' | 'bool' | 'timestamptz' | 'jsonb' | 'text[]' | `enum:${string}`;

/** Parameter type of the column's array, and how the selected value is turned into the column. */
function columnSql(type: ColumnType, ref: string): { param: string; select: string } {
  if (type === 'timestamptz') return { param: 'float8[]', select: `to_timestamp(${ref})` };
  if (type === 'jsonb') return { param: 'text[]', select: `${ref}::jsonb` };
  if (type === 'text[]') return { param: 'text[]', select: `${ref}::text[]` };
  if (type.startsWith('enum:')) return { param: 'text[]', select: `${ref}::"${type.slice(5)}"` };
  return { param: `${type}[]`, select: ref };
}

function quoteElement(value: string): string {
  return value.includes('"') || value.includes('\\') ? `"${value.replace(/["\\]/g, '\\$&')}"` : `"${value}"`;
}

function textArrayLiteral(values: readonly string[]): string {
  return `{${values.map(quoteElement).join(',')}}`;
}

/**
 * A column slice as one PostgreSQL array literal. Cheaper than handing pg a JS array, which it
 * serialises element by element (about a fifth of the seeder's own CPU time).
 */
function arrayLiteral(values: readonly unknown[], start: number, end: number, quoted: boolean): string {
  const parts = new Array<string>(end - start);
  for (let i = start; i < end; i++) {
    const value = values[i];
    parts[i - start] = value === null ? 'NULL' : quoted ? quoteElement(String(value)) : String(value);
  }
  return `{${parts.join(',')}}`;
}

class TableBuffer<K extends string> {
  private readonly keys: K[];
  private readonly columns: unknown[][];
  length = 0;

  constructor(
    readonly table: SeededTable,
    private readonly spec: Record<K, ColumnType>,
  ) {
    this.keys = Object.keys(spec) as K[];
    this.columns = this.keys.map(() => []);
  }

  /** Timestamps are epoch milliseconds; jsonb values are objects; text[] values are string arrays. */
  add(row: Record<K, unknown>): void {
    for (let i = 0; i < this.keys.length; i++) {
      const key = this.keys[i] as K;
      const value = row[key];
      const type = this.spec[key];
      let stored: unknown = value;
      if (value === null || value === undefined) stored = null;
      else if (type === 'timestamptz') stored = (value as number) / 1000;
      else if (type === 'jsonb') stored = JSON.stringify(value);
      else if (type === 'text[]') stored = textArrayLiteral(value as string[]);
      (this.columns[i] as unknown[]).push(stored);
    }
    this.length++;
  }

  async insertInto(client: pg.PoolClient): Promise<void> {
    const names = this.keys.map((key) => `"${key}"`);
    const columns = this.keys.map((key, i) => columnSql(this.spec[key], names[i]!));
    const params = columns.map(({ param }, i) => `$${i + 1}::${param}`);
    const selects = columns.map(({ select }) => select);
    // e.g. INSERT INTO "users" ("id", "role", ...) SELECT "id", "role"::"role", ... FROM unnest($1::uuid[], $2::text[], ...) AS s("id", "role", ...)
    const text = `INSERT INTO "${this.table}" (${names.join(', ')}) SELECT ${selects.join(', ')} FROM unnest(${params.join(', ')}) AS s(${names.join(', ')})`;
    const quoted = columns.map(({ param }) => param === 'text[]');
    for (let offset = 0; offset < this.length; offset += ROWS_PER_STATEMENT) {
      const end = Math.min(this.length, offset + ROWS_PER_STATEMENT);
      const values = this.columns.map((column, i) => arrayLiteral(column, offset, end, quoted[i]!));
      await client.query({ name: `seed_${this.table}`, text, values });
    }
  }
}

function newChunk() {
  return {
    users: new TableBuffer('users', {
      id: 'uuid',
      email: 'text',
      password_hash: 'text',
      name: 'text',
      role: 'enum:role',
      email_verified_at: 'timestamptz',
      last_login_at: 'timestamptz',
      created_at: 'timestamptz',
      updated_at: 'timestamptz',
    }),
    user_profiles: new TableBuffer('user_profiles', {
      id: 'uuid',
      user_id: 'uuid',
      bio: 'text',
      avatar_url: 'text',
      headline: 'text',
      timezone: 'text',
      locale: 'text',
      website_url: 'text',
      social_links: 'jsonb',
      created_at: 'timestamptz',
      updated_at: 'timestamptz',
    }),
    courses: new TableBuffer('courses', {
      id: 'uuid',
      instructor_id: 'uuid',
      slug: 'text',
      title: 'text',
      subtitle: 'text',
      description: 'text',
      status: 'enum:course_status',
      difficulty: 'enum:difficulty',
      price_cents: 'int4',
      currency: 'text',
      language: 'text',
      category: 'text',
      tags: 'text[]',
      thumbnail_url: 'text',
      published_at: 'timestamptz',
      archived_at: 'timestamptz',
      enrollment_count: 'int4',
      created_at: 'timestamptz',
      updated_at: 'timestamptz',
    }),
    course_modules: new TableBuffer('course_modules', {
      id: 'uuid',
      course_id: 'uuid',
      title: 'text',
      description: 'text',
      position: 'int4',
      created_at: 'timestamptz',
      updated_at: 'timestamptz',
    }),
    lessons: new TableBuffer('lessons', {
      id: 'uuid',
      module_id: 'uuid',
      course_id: 'uuid',
      title: 'text',
      type: 'enum:lesson_type',
      position: 'int4',
      content: 'jsonb',
      video_url: 'text',
      duration_seconds: 'int4',
      is_preview: 'bool',
      created_at: 'timestamptz',
      updated_at: 'timestamptz',
    }),
    quizzes: new TableBuffer('quizzes', {
      id: 'uuid',
      course_id: 'uuid',
      lesson_id: 'uuid',
      title: 'text',
      description: 'text',
      type: 'enum:quiz_type',
      time_limit_minutes: 'int4',
      max_attempts: 'int4',
      passing_score: 'int4',
      shuffle_questions: 'bool',
      show_correct_answers: 'bool',
      is_published: 'bool',
      created_at: 'timestamptz',
      updated_at: 'timestamptz',
    }),
    questions: new TableBuffer('questions', {
      id: 'uuid',
      quiz_id: 'uuid',
      type: 'enum:question_type',
      difficulty: 'enum:question_difficulty',
      prompt: 'text',
      options: 'jsonb',
      correct_answer: 'jsonb',
      explanation: 'text',
      points: 'int4',
      position: 'int4',
      created_at: 'timestamptz',
      updated_at: 'timestamptz',
    }),
    assignments: new TableBuffer('assignments', {
      id: 'uuid',
      course_id: 'uuid',
      lesson_id: 'uuid',
      title: 'text',
      instructions: 'text',
      due_at: 'timestamptz',
      max_points: 'int4',
      allow_late: 'bool',
      late_penalty_percent: 'int4',
      max_attempts: 'int4',
      allowed_file_types: 'text[]',
      is_published: 'bool',
      created_at: 'timestamptz',
      updated_at: 'timestamptz',
    }),
    enrollments: new TableBuffer('enrollments', {
      id: 'uuid',
      user_id: 'uuid',
      course_id: 'uuid',
      status: 'enum:enrollment_status',
      enrolled_at: 'timestamptz',
      completed_at: 'timestamptz',
      progress_percent: 'int4',
      completed_lesson_count: 'int4',
      time_spent_seconds: 'int4',
      last_accessed_at: 'timestamptz',
      dropped_at: 'timestamptz',
      created_at: 'timestamptz',
      updated_at: 'timestamptz',
    }),
    certificates: new TableBuffer('certificates', {
      id: 'uuid',
      enrollment_id: 'uuid',
      user_id: 'uuid',
      course_id: 'uuid',
      verification_code: 'text',
      issued_at: 'timestamptz',
      credential: 'text',
      metadata: 'jsonb',
      created_at: 'timestamptz',
      updated_at: 'timestamptz',
    }),
    lesson_progress: new TableBuffer('lesson_progress', {
      id: 'uuid',
      user_id: 'uuid',
      lesson_id: 'uuid',
      enrollment_id: 'uuid',
      status: 'enum:progress_status',
      progress_percent: 'int4',
      time_spent_seconds: 'int4',
      started_at: 'timestamptz',
      completed_at: 'timestamptz',
      last_position_seconds: 'int4',
      created_at: 'timestamptz',
      updated_at: 'timestamptz',
    }),
  };
}
type Chunk = ReturnType<typeof newChunk> & { certificatePlans?: CertificatePlan[] };

/** A completed enrollment's certificate, waiting to be signed (signing is asynchronous). */
interface CertificatePlan {
  enrollmentId: string;
  userId: string;
  courseId: string;
  issuedAt: number;
  facts: CertificateFacts;
}

// ---------------------------------------------------------------------------------------------
// Generation of one unit

interface SeedContext {
  batch: number;
  nowMs: number;
  passwordHash: string;
  /** Slugs already used (in the database or by this run) and the next numeric suffix per base. */
  takenSlugs: Set<string>;
  nextSlugSuffix: Map<string, number>;
}

export function demoEmail(local: string, batch: number): string {
  return `${local}${batch > 1 ? `.b${batch}` : ''}@${DEMO_EMAIL_DOMAIN}`;
}

function uniqueSlug(context: SeedContext, title: string): string {
  // Room for a "-123456" suffix within the courses module's 80-character limit.
  const base = slugify(title, MAX_SLUG_LENGTH - 8);
  if (!context.takenSlugs.has(base)) {
    context.takenSlugs.add(base);
    return base;
  }
  let suffix = context.nextSlugSuffix.get(base) ?? 2;
  while (context.takenSlugs.has(`${base}-${suffix}`)) suffix++;
  context.nextSlugSuffix.set(base, suffix + 1);
  const slug = `${base}-${suffix}`;
  context.takenSlugs.add(slug);
  return slug;
}

interface PlannedLesson {
  id: string;
  type: DemoLessonType;
  durationSeconds: number;
}

interface PlannedCourse {
  id: string;
  instructorId: string;
  instructorName: string;
  draft: CourseDraft;
  slug: string;
  status: 'draft' | 'published' | 'archived';
  createdAt: number;
  publishedAt: number | null;
  archivedAt: number | null;
  enrollmentCount: number;
  popularity: number;
  lessons: PlannedLesson[];
}

function addUser(
  chunk: Chunk,
  context: SeedContext,
  rng: Random,
  user: { email: string; name: string; role: 'admin' | 'instructor' | 'student'; createdAt: number },
): string {
  const id = uuidv7();
  const { nowMs } = context;
  const verified = user.role !== 'student' || rng.chance(0.92);
  const lastLoginAt = rng.chance(0.85) ? Math.max(user.createdAt, nowMs - rng.next() * 30 * DAY) : null;
  chunk.users.add({
    id,
    email: user.email,
    password_hash: context.passwordHash,
    name: user.name,
    role: user.role,
    email_verified_at: verified ? user.createdAt + rng.int(1, 120) * 60_000 : null,
    last_login_at: lastLoginAt,
    created_at: user.createdAt,
    updated_at: lastLoginAt ?? user.createdAt,
  });
  const profile = profileFor(rng, user.role, user.name);
  chunk.user_profiles.add({
    id: uuidv7(),
    user_id: id,
    bio: profile.bio,
    avatar_url: profile.avatarUrl,
    headline: profile.headline,
    timezone: profile.timezone,
    locale: profile.locale,
    website_url: profile.websiteUrl,
    social_links: profile.socialLinks,
    created_at: user.createdAt,
    updated_at: user.createdAt,
  });
  return id;
}

/** Appends one unit's rows to `chunk`. */
function generateUnit(chunk: Chunk, context: SeedContext, unit: number): void {
  const rng = new Random(mixSeed(context.batch, unit));
  const { batch, nowMs } = context;
  const pastTime = (minDaysAgo: number, maxDaysAgo: number) =>
    Math.round(nowMs - minDaysAgo * DAY - rng.next() * (maxDaysAgo - minDaysAgo) * DAY);

  if (unit === 0) {
    addUser(chunk, context, rng, {
      email: demoEmail('admin', batch),
      name: 'Demo Admin',
      role: 'admin',
      createdAt: pastTime(900, 1000),
    });
  }

  const instructors: { id: string; createdAt: number; name: string }[] = [];
  for (let i = 0; i < UNIT.instructors; i++) {
    const number = unit * UNIT.instructors + i + 1;
    const createdAt = pastTime(760, 900);
    const name = personName(rng);
    const id = addUser(chunk, context, rng, {
      email: demoEmail(`instructor${number}`, batch),
      name,
      role: 'instructor',
      createdAt,
    });
    instructors.push({ id, createdAt, name });
  }

  const students: DemoStudent[] = [];
  for (let i = 0; i < UNIT.students; i++) {
    const number = unit * UNIT.students + i + 1;
    const createdAt = pastTime(3, 720);
    const name = personName(rng);
    const id = addUser(chunk, context, rng, {
      email: demoEmail(`student${number}`, batch),
      name,
      role: 'student',
      createdAt,
    });
    students.push({ id, createdAt, name });
  }

  // Courses: statuses shuffled so drafts and archived courses are spread over the instructors.
  const statuses = rng.shuffle([
    ...Array<'archived'>(UNIT.archived).fill('archived'),
    ...Array<'draft'>(UNIT.drafts).fill('draft'),
    ...Array<'published'>(UNIT.courses - UNIT.archived - UNIT.drafts).fill('published'),
  ]);
  const courses: PlannedCourse[] = [];
  for (let c = 0; c < UNIT.courses; c++) {
    const instructor = instructors[c % instructors.length]!;
    const draft = generateCourse(rng, nowMs);
    const status = statuses[c]!;
    // Created some time after the instructor joined, at least 60 days ago; published 1-30 days later.
    const createdAt = Math.round(
      instructor.createdAt +
        rng.next() * (nowMs - 60 * DAY - instructor.createdAt) +
        rng.int(0, 86_399) * 1000,
    );
    const publishedAt = status === 'draft' ? null : createdAt + rng.int(1, 30) * DAY + rng.int(0, 23) * HOUR;
    const archivedAt =
      status === 'archived' && publishedAt !== null
        ? Math.round(publishedAt + (0.5 + rng.next() * 0.4) * (nowMs - publishedAt))
        : null;
    courses.push({
      id: uuidv7(),
      instructorId: instructor.id,
      instructorName: instructor.name,
      draft,
      slug: uniqueSlug(context, draft.title),
      status,
      createdAt,
      publishedAt,
      archivedAt,
      enrollmentCount: 0,
      // A few courses are much more popular than the rest.
      popularity: 0.2 + rng.next() ** 3 * 10,
      lessons: [],
    });
  }

  for (const course of courses) {
    const { draft } = course;
    let lessonNumber = 0;
    draft.modules.forEach((module, m) => {
      const moduleId = uuidv7();
      const moduleCreatedAt = course.createdAt + (m + 1) * 60_000;
      chunk.course_modules.add({
        id: moduleId,
        course_id: course.id,
        title: module.title,
        description: module.description,
        position: m,
        created_at: moduleCreatedAt,
        updated_at: moduleCreatedAt,
      });
      module.lessons.forEach((lesson, l) => {
        const lessonId = uuidv7();
        const lessonCreatedAt = moduleCreatedAt + (l + 1) * 1000;
        const content = { ...lesson.content };
        if (lesson.quiz) content.quizId = addQuiz(chunk, course, lessonId, lesson.quiz, lessonCreatedAt);
        if (lesson.assignment) {
          content.assignmentId = addAssignment(
            chunk,
            context,
            course,
            lessonId,
            lesson.assignment,
            lessonCreatedAt,
          );
        }
        chunk.lessons.add({
          id: lessonId,
          module_id: moduleId,
          course_id: course.id,
          title: lesson.title,
          type: lesson.type,
          position: l,
          content,
          video_url: lesson.videoUrl,
          duration_seconds: lesson.durationSeconds,
          // The first two lessons of a course are free previews.
          is_preview: lessonNumber < 2,
          created_at: lessonCreatedAt,
          updated_at: lessonCreatedAt,
        });
        course.lessons.push({ id: lessonId, type: lesson.type, durationSeconds: lesson.durationSeconds });
        lessonNumber++;
      });
    });
  }

  // Enrollments: every student takes 2-7 published courses, popular ones more often.
  const published = courses.filter((course) => course.status === 'published');
  for (const student of students) {
    const wanted = Math.min(rng.int(2, 7), published.length);
    const chosen = new Set<PlannedCourse>();
    while (chosen.size < wanted) {
      chosen.add(
        rng.weighted(published.map((course) => [course, chosen.has(course) ? 0 : course.popularity])),
      );
    }
    for (const course of chosen) {
      course.enrollmentCount++;
      addEnrollment(chunk, context, rng, student, course);
    }
  }

  for (const course of courses) {
    const { draft } = course;
    const updatedAt = Math.max(course.createdAt, course.publishedAt ?? 0, course.archivedAt ?? 0);
    chunk.courses.add({
      id: course.id,
      instructor_id: course.instructorId,
      slug: course.slug,
      title: draft.title,
      subtitle: draft.subtitle,
      description: draft.description,
      status: course.status,
      difficulty: draft.difficulty,
      price_cents: draft.priceCents,
      currency: draft.currency,
      language: draft.language,
      category: draft.category,
      tags: draft.tags,
      thumbnail_url: `https://picsum.photos/seed/${course.slug}/640/360`,
      published_at: course.publishedAt,
      archived_at: course.archivedAt,
      enrollment_count: course.enrollmentCount,
      created_at: course.createdAt,
      updated_at: updatedAt,
    });
  }
}

/** The quiz behind a quiz lesson (lessons' content points at it: `{ quizId }`), with its questions. */
function addQuiz(
  chunk: Chunk,
  course: PlannedCourse,
  lessonId: string,
  quiz: QuizDraft,
  createdAt: number,
): string {
  const id = uuidv7();
  chunk.quizzes.add({
    id,
    course_id: course.id,
    lesson_id: lessonId,
    title: quiz.title,
    description: quiz.description,
    type: quiz.type,
    time_limit_minutes: quiz.timeLimitMinutes,
    max_attempts: quiz.maxAttempts,
    passing_score: quiz.passingScore,
    shuffle_questions: quiz.shuffleQuestions,
    show_correct_answers: quiz.showCorrectAnswers,
    is_published: course.status !== 'draft',
    created_at: createdAt,
    updated_at: createdAt,
  });
  quiz.questions.forEach((question, position) => {
    chunk.questions.add({
      id: uuidv7(),
      quiz_id: id,
      type: question.type,
      difficulty: question.difficulty,
      prompt: question.prompt,
      options: question.options,
      correct_answer: question.correctAnswer,
      explanation: question.explanation,
      points: question.points,
      position,
      created_at: createdAt,
      updated_at: createdAt,
    });
  });
  return id;
}

function addAssignment(
  chunk: Chunk,
  context: SeedContext,
  course: PlannedCourse,
  lessonId: string,
  assignment: AssignmentDraft,
  createdAt: number,
): string {
  const id = uuidv7();
  chunk.assignments.add({
    id,
    course_id: course.id,
    lesson_id: lessonId,
    title: assignment.title,
    instructions: assignment.instructions,
    due_at:
      assignment.dueInDays === null
        ? null
        : Math.floor((context.nowMs + assignment.dueInDays * DAY) / HOUR) * HOUR + 17 * HOUR,
    max_points: assignment.maxPoints,
    allow_late: assignment.allowLate,
    late_penalty_percent: assignment.allowLate ? assignment.latePenaltyPercent : 0,
    max_attempts: assignment.maxAttempts,
    allowed_file_types: assignment.allowedFileTypes,
    is_published: course.status !== 'draft',
    created_at: createdAt,
    updated_at: createdAt,
  });
  return id;
}

interface DemoStudent {
  id: string;
  createdAt: number;
  name: string;
}

function addEnrollment(
  chunk: Chunk,
  context: SeedContext,
  rng: Random,
  student: DemoStudent,
  course: PlannedCourse,
): void {
  const { nowMs } = context;
  const earliest = Math.max(course.publishedAt ?? course.createdAt, student.createdAt);
  const enrolledAt = Math.round(earliest + rng.next() * Math.max(0, nowMs - HOUR - earliest));
  const total = course.lessons.length;
  const status = rng.weighted([
    ['active', 72],
    ['completed', 20],
    ['dropped', 8],
  ] as const);
  const completedLessons =
    status === 'completed'
      ? total
      : status === 'dropped'
        ? rng.int(0, Math.min(2, total - 1))
        : Math.floor(rng.next() ** 1.5 * (total - 1));
  const inProgress = status !== 'completed' && completedLessons < total && rng.chance(0.7);
  const touched = completedLessons + (inProgress ? 1 : 0);
  const enrollmentId = uuidv7();

  // Lessons are worked through in order, spread over the time since enrolling.
  const span = Math.max(60_000, nowMs - enrolledAt - 60_000);
  const step = span / (touched + 1);
  let lastActivity: number | null = null;
  let totalTimeSpent = 0;
  for (let i = 0; i < touched; i++) {
    const lesson = course.lessons[i]!;
    const startedAt = Math.round(enrolledAt + step * i + rng.next() * step * 0.3);
    const done = i < completedLessons;
    const seconds = lesson.durationSeconds > 0 ? lesson.durationSeconds : rng.int(30, 120);
    const percent = done ? 100 : rng.int(10, 90);
    const timeSpent = Math.round(seconds * (done ? 0.8 + rng.next() * 0.7 : percent / 100));
    const completedAt = done ? Math.min(startedAt + Math.min(timeSpent * 1000, step * 0.6), nowMs) : null;
    lastActivity = completedAt ?? startedAt + timeSpent * 1000;
    totalTimeSpent += timeSpent;
    chunk.lesson_progress.add({
      id: uuidv7(),
      user_id: student.id,
      lesson_id: lesson.id,
      enrollment_id: enrollmentId,
      status: done ? 'completed' : 'in_progress',
      progress_percent: percent,
      time_spent_seconds: timeSpent,
      started_at: startedAt,
      completed_at: completedAt,
      last_position_seconds:
        lesson.type === 'video' ? Math.round((lesson.durationSeconds * percent) / 100) : 0,
      created_at: startedAt,
      updated_at: lastActivity,
    });
  }
  const completedAt = status === 'completed' ? Math.min((lastActivity ?? enrolledAt) + 60_000, nowMs) : null;
  const lastAccessedAt = lastActivity === null ? null : Math.min(lastActivity, nowMs);
  const droppedAt = status === 'dropped' ? Math.min((lastAccessedAt ?? enrolledAt) + DAY, nowMs) : null;
  chunk.enrollments.add({
    id: enrollmentId,
    user_id: student.id,
    course_id: course.id,
    status,
    enrolled_at: enrolledAt,
    completed_at: completedAt,
    // The progress module's rule: floor(100 × completed required / required), never 100 before the end.
    progress_percent: total === 0 ? 0 : Math.floor((100 * completedLessons) / total),
    completed_lesson_count: completedLessons,
    time_spent_seconds: totalTimeSpent,
    last_accessed_at: lastAccessedAt,
    dropped_at: droppedAt,
    created_at: enrolledAt,
    updated_at: Math.max(enrolledAt, lastAccessedAt ?? 0, completedAt ?? 0, droppedAt ?? 0),
  });
  // The certificates module's rule: every completed enrollment has exactly one certificate, issued
  // shortly after the completion (by its background job).
  if (completedAt !== null) {
    chunk.certificatePlans ??= [];
    chunk.certificatePlans.push({
      enrollmentId,
      userId: student.id,
      courseId: course.id,
      issuedAt: Math.min(completedAt + 5_000, context.nowMs),
      facts: {
        learnerName: student.name,
        courseTitle: course.draft.title,
        courseSlug: course.slug,
        instructorName: course.instructorName,
        completedAt: new Date(completedAt).toISOString(),
      },
    });
  }
}

/**
 * Signs the chunk's planned certificates as issuance does (verification code, Open Badges
 * credential) and adds their rows. Codes are random, not drawn from the seed's PRNG: they are
 * the certificates' secrets, so two databases seeded alike must not share them.
 */
async function addCertificates(chunk: Chunk, signer: CredentialSigner, publicApiUrl: string): Promise<void> {
  for (const plan of chunk.certificatePlans ?? []) {
    const verificationCode = newVerificationCode();
    const urls = certificateUrls(publicApiUrl, verificationCode, plan.facts.courseSlug);
    const credential = await signer.sign(
      buildCredential({
        verificationCode,
        verificationUrl: urls.verificationUrl,
        learnerName: plan.facts.learnerName,
        courseTitle: plan.facts.courseTitle,
        courseUrl: urls.courseUrl,
        instructorName: plan.facts.instructorName,
        issuedAt: new Date(plan.issuedAt),
        completedAt: new Date(plan.facts.completedAt),
        issuerUrl: publicApiUrl,
      }),
    );
    chunk.certificates.add({
      id: uuidv7(),
      enrollment_id: plan.enrollmentId,
      user_id: plan.userId,
      course_id: plan.courseId,
      verification_code: verificationCode,
      issued_at: plan.issuedAt,
      credential,
      metadata: plan.facts,
      created_at: plan.issuedAt,
      updated_at: plan.issuedAt,
    });
  }
  chunk.certificatePlans = [];
}

// ---------------------------------------------------------------------------------------------
// Orchestration

/** True when the users table has no rows (the seed's precondition unless forced). */
export async function isDatabaseEmpty(pool: pg.Pool): Promise<boolean> {
  const { rows } = await pool.query<{ empty: boolean }>('SELECT NOT EXISTS (SELECT 1 FROM users) AS empty');
  return rows[0]?.empty ?? true;
}

/** The next free batch number: 1 on a database without demo accounts. */
async function nextBatch(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ email: string }>(
    `SELECT email FROM users WHERE email LIKE 'admin%@' || $1`,
    [DEMO_EMAIL_DOMAIN],
  );
  let highest = 0;
  for (const { email } of rows) {
    const match = /^admin(?:\.b(\d+))?@/.exec(email);
    if (match) highest = Math.max(highest, match[1] ? Number(match[1]) : 1);
  }
  return highest + 1;
}

async function insertChunk(
  pool: pg.Pool,
  chunk: Chunk,
  report: (work: number, phase: string) => void,
  work: { users: number; courses: number; students: number },
): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    // Foreign-key order.
    await chunk.users.insertInto(client);
    await chunk.user_profiles.insertInto(client);
    report(work.users, 'users');
    await chunk.courses.insertInto(client);
    await chunk.course_modules.insertInto(client);
    await chunk.lessons.insertInto(client);
    await chunk.quizzes.insertInto(client);
    await chunk.questions.insertInto(client);
    await chunk.assignments.insertInto(client);
    report(work.courses, 'courses');
    await chunk.enrollments.insertInto(client);
    await chunk.lesson_progress.insertInto(client);
    await chunk.certificates.insertInto(client);
    report(work.students, 'enrollments');
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

export async function seedDemoData(pool: pg.Pool, options: SeedOptions = {}): Promise<SeedSummary> {
  const started = performance.now();
  const scale = options.scale ?? 1;
  if (!Number.isInteger(scale) || scale < 1)
    throw new RangeError(`scale must be a positive integer, got ${scale}`);
  const concurrency = Math.max(1, options.concurrency ?? 2);
  const onProgress = options.onProgress ?? (() => {});

  const totalUsers = 1 + scale * (UNIT.instructors + UNIT.students);
  const totalCourses = scale * UNIT.courses;
  const total = totalUsers + totalCourses + scale * UNIT.students;
  let done = 0;
  const report = (work: number, phase: string) => {
    done += work;
    onProgress(done, total, phase);
  };
  onProgress(0, total, 'preparing');

  // One hash for every demo account: argon2id costs ~10 ms, a million of them would take hours.
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const batch = await nextBatch(pool);
  const takenSlugs = new Set<string>();
  if (!(await isDatabaseEmpty(pool))) {
    const { rows } = await pool.query<{ slug: string }>('SELECT slug FROM courses');
    for (const { slug } of rows) takenSlugs.add(slug);
  }
  const context: SeedContext = {
    batch,
    nowMs: Date.now(),
    passwordHash,
    takenSlugs,
    nextSlugSuffix: new Map(),
  };

  const signing = options.certificates ?? {
    signingKeys: loadConfig().certificateSigningKeys,
    publicApiUrl: loadConfig().publicApiUrl,
  };
  const signer = createCredentialSigner(signing.signingKeys);

  const counts = Object.fromEntries(SEEDED_TABLES.map((table) => [table, 0])) as Record<SeededTable, number>;
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  for (let first = 0; first < scale && failure === undefined; first += UNITS_PER_TRANSACTION) {
    const last = Math.min(scale, first + UNITS_PER_TRANSACTION);
    const chunk = newChunk();
    for (let unit = first; unit < last; unit++) {
      generateUnit(chunk, context, unit);
      // Let the other chunk's queries progress while this one is generated.
      await yieldToEventLoop();
    }
    await addCertificates(chunk, signer, signing.publicApiUrl);
    for (const table of SEEDED_TABLES) counts[table] += chunk[table].length;
    const units = last - first;
    const work = {
      users: chunk.users.length,
      courses: units * UNIT.courses,
      students: units * UNIT.students,
    };
    const insert: Promise<void> = insertChunk(pool, chunk, report, work).then(
      () => {
        inFlight.delete(insert);
      },
      (error: unknown) => {
        inFlight.delete(insert);
        failure ??= error;
      },
    );
    inFlight.add(insert);
    while (inFlight.size >= concurrency) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  if (failure !== undefined) throw failure;

  // Fresh statistics, so the first queries against the demo data get sensible plans.
  onProgress(total, total, 'analyzing');
  await pool.query(`ANALYZE ${SEEDED_TABLES.join(', ')}`);

  return {
    scale,
    batch,
    counts,
    credentials: {
      password: DEMO_PASSWORD,
      admin: demoEmail('admin', batch),
      instructor: demoEmail('instructor1', batch),
      student: demoEmail('student1', batch),
    },
    durationMs: Math.round(performance.now() - started),
  };
}
