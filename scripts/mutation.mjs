#!/usr/bin/env node
// `npm run test:mutation [-- --area <name>[,<name>]] [-- <more stryker options>]`
//
// Mutation testing (StrykerJS) of the code where a surviving bug costs most, one area at a time or all
// of them in one run. Each area names the source it mutates and the test files allowed to kill its
// mutants (Stryker then runs, per mutant, only the tests that cover it: coverageAnalysis perTest).
// The tests run against TEST_DATABASE_URL (and TEST_REDIS_URL when set), like `npm test`.
// Reports: reports/mutation/mutation.html and .json (git-ignored); the score per area is printed at the end.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The default scope. An entry is a whole file, or `{ file, ranges }` where each range runs from the line
 * containing its first text to the line before the one containing its second (null: to the end), found
 * afresh on every run so that edits elsewhere in the file do not shift it; a text that is no longer there
 * stops the run. `--list` prints what a run would mutate and which tests it would run, and stops.
 * Add an area, or files to one, when an issue adds code of the same weight.
 */
export const AREAS = {
  /** Who may act on what: role checks, course ownership, admin-only user administration. */
  access: {
    mutate: [
      'src/shared/actor.ts',
      'src/modules/courses/course-access.ts',
      {
        file: 'src/modules/courses/course-writes.ts',
        ranges: [['export function createCourseWriter(', 'export type CourseWriter']],
      },
      'src/modules/courses/courses.service.ts',
      {
        file: 'src/modules/users/users.service.ts',
        ranges: [['/** Admin: every account', 'export type UsersService']],
      },
    ],
    tests: [
      'test/courses/course-access.test.ts',
      'test/courses/courses.test.ts',
      'test/courses/lifecycle.test.ts',
      'test/courses/modules.test.ts',
      'test/courses/lessons.test.ts',
      'test/courses/slug-probing.test.ts',
      'test/courses/catalog-invalidation.test.ts',
      'test/users/admin-users.test.ts',
    ],
  },
  /** Sign-in, sessions (refresh rotation, reuse detection, logout), tokens and the auth guard. */
  auth: {
    mutate: [
      'src/modules/auth/sessions.ts',
      { file: 'src/modules/auth/auth.service.ts', ranges: [['async login(', 'export type AuthService']] },
      'src/infrastructure/security/access-tokens.ts',
      'src/infrastructure/security/opaque-tokens.ts',
      'src/infrastructure/security/password.ts',
      'src/http/authenticate.ts',
    ],
    tests: [
      'test/auth/sessions.test.ts',
      'test/auth/change-password.test.ts',
      'test/auth/password-reset.test.ts',
      'test/auth/access-token-expiry.test.ts',
      'test/auth/password-hashing.test.ts',
      'test/auth/unicode-credentials.test.ts',
      'test/security/auth-hardening.test.ts',
      'test/users/user-cache-invalidation.test.ts',
      'test/auth/token-rules.test.ts',
      'test/http/authenticate.test.ts',
    ],
  },
  /** What the public catalog shows: published courses only, outlines and lesson bodies by entitlement. */
  catalog: {
    mutate: [
      {
        file: 'src/modules/catalog/catalog.queries.ts',
        ranges: [
          ['function filterConditions(', 'function sortClauses('],
          ['export async function selectCourseAccess(', 'export async function selectCourseWithInstructor('],
        ],
      },
      {
        file: 'src/modules/catalog/catalog.service.ts',
        ranges: [
          ['function viewOf(', 'const courseNotFound'],
          ['async function learnerLocked(', 'async listCourses('],
          ['async getCourse(', 'export type CatalogService'],
        ],
      },
    ],
    tests: [
      'test/catalog/catalog-list.test.ts',
      'test/catalog/catalog-detail.test.ts',
      'test/catalog/catalog-cache.test.ts',
      // The lesson read and outline of sequential courses (the learner-access port).
      'test/progress/lesson-access.test.ts',
    ],
  },
  /**
   * Enrolment state changes in bulk and over time: the bulk request's rows and rules, the chunked job
   * (outcomes, reactivation, counts, resumption), the staff rule of rosters and bulk, CSV cells, the
   * expiry sweep and the idempotency-key purge.
   */
  enrollments: {
    mutate: [
      'src/modules/enrollments/email-list.ts',
      'src/modules/enrollments/enrollment-expiry.ts',
      {
        file: 'src/modules/enrollments/bulk-enrolment.ts',
        ranges: [
          ['export function createBulkEnrolments(', 'export type BulkEnrolments'],
          ['export async function runBulkEnrolment(', null],
        ],
      },
      {
        file: 'src/modules/enrollments/enrollment-rules.ts',
        ranges: [['export function authorizeCourseStaff', null]],
      },
      {
        file: 'src/modules/enrollments/roster.ts',
        ranges: [['export function csvCell(', 'const isoOrNull']],
      },
    ],
    tests: [
      'test/enrollments/email-list.test.ts',
      'test/enrollments/bulk.test.ts',
      'test/enrollments/roster.test.ts',
      'test/enrollments/expiry.test.ts',
    ],
  },
  /** Scores: objective grading of every question type, answer rules, late penalties, grade versions. */
  assessments: {
    mutate: [
      'src/modules/quizzes/grading.ts',
      'src/modules/quizzes/question-rules.ts',
      'src/modules/assignments/late-penalty.ts',
      'src/modules/assignments/grade-version.ts',
    ],
    tests: [
      'test/quizzes/grading.test.ts',
      'test/assignments/late-penalty.test.ts',
      'test/assignments/grading.test.ts',
    ],
  },
  /** The migrator's safety checks: the lock, checksums, order, one transaction per migration. */
  migrator: {
    mutate: [
      {
        file: 'src/infrastructure/database/migrations/migrator.ts',
        ranges: [['export async function withMigrationLock', 'export interface MigrationStatus']],
      },
      {
        file: 'src/infrastructure/database/migrations/migration-tracking.ts',
        ranges: [['export function planMigrations(', null]],
      },
    ],
    tests: ['test/migrations/migrator.test.ts'],
  },
};

/** `file` or `file:from-to` patterns for Stryker's --mutate. */
function mutatePatterns(entry) {
  if (typeof entry === 'string') return [entry];
  const lines = readFileSync(path.join(root, entry.file), 'utf8').split('\n');
  const lineOf = (text, after) => {
    if (text === null) return lines.length + 1;
    const index = lines.findIndex((line, i) => i >= after && line.includes(text));
    if (index < 0) fail(`scripts/mutation.mjs: "${text}" is no longer in ${entry.file}; update its range.`);
    return index + 1;
  };
  return entry.ranges.map(([from, to]) => {
    const start = lineOf(from, 0);
    const end = lineOf(to, start) - 1;
    return `${entry.file}:${start}-${end}`;
  });
}

const fileOf = (entry) => (typeof entry === 'string' ? entry : entry.file);

function fail(message) {
  console.error(message);
  process.exit(1);
}

function parseArguments(argv) {
  const rest = [];
  let list = false;
  let areas = Object.keys(AREAS);
  for (let i = 0; i < argv.length; i++) {
    const argument = argv[i];
    if (argument === '--area' || argument.startsWith('--area=')) {
      const value = argument === '--area' ? argv[++i] : argument.slice('--area='.length);
      if (!value) fail(`--area needs a name: ${Object.keys(AREAS).join(', ')}`);
      areas = value.split(',');
      const unknown = areas.filter((area) => !(area in AREAS));
      if (unknown.length > 0) {
        fail(`Unknown area ${unknown.join(', ')}; the areas are ${Object.keys(AREAS).join(', ')}.`);
      }
    } else if (argument === '--list') {
      list = true;
    } else {
      rest.push(argument);
    }
  }
  return { areas, rest, list };
}

function areaOf(file) {
  return Object.keys(AREAS).find((area) => AREAS[area].mutate.some((entry) => fileOf(entry) === file));
}

/** Mutation score per area from Stryker's JSON report (killed + timeout over all valid mutants). */
function summarise(reportFile, areas) {
  if (!existsSync(reportFile)) return;
  const report = JSON.parse(readFileSync(reportFile, 'utf8'));
  const totals = Object.fromEntries(areas.map((area) => [area, {}]));
  for (const [file, { mutants }] of Object.entries(report.files)) {
    const area = areaOf(path.relative(root, path.resolve(root, file)).split(path.sep).join('/'));
    if (!area || !totals[area]) continue;
    for (const mutant of mutants) totals[area][mutant.status] = (totals[area][mutant.status] ?? 0) + 1;
  }
  console.info(
    '\nMutation score per area (killed + timed out) / (all but ignored, no coverage counted as survived):',
  );
  for (const [area, counts] of Object.entries(totals)) {
    const detected = (counts.Killed ?? 0) + (counts.Timeout ?? 0);
    const undetected = (counts.Survived ?? 0) + (counts.NoCoverage ?? 0);
    const valid = detected + undetected;
    const score = valid === 0 ? 'n/a' : `${((100 * detected) / valid).toFixed(1)}%`;
    console.info(
      `  ${area.padEnd(9)} ${score.padStart(6)}  killed ${counts.Killed ?? 0}, timeout ${counts.Timeout ?? 0}, ` +
        `survived ${counts.Survived ?? 0}, no coverage ${counts.NoCoverage ?? 0}, ignored ${counts.Ignored ?? 0}, ` +
        `errors ${(counts.RuntimeError ?? 0) + (counts.CompileError ?? 0)}`,
    );
  }
}

const { areas, rest, list } = parseArguments(process.argv.slice(2));
const entries = areas.flatMap((area) => AREAS[area].mutate);
const testFiles = [...new Set(areas.flatMap((area) => AREAS[area].tests))];
for (const file of [...entries.map(fileOf), ...testFiles]) {
  if (!existsSync(path.join(root, file))) fail(`scripts/mutation.mjs names ${file}, which does not exist.`);
}
const mutate = entries.flatMap(mutatePatterns);
if (list) {
  console.info(`mutate:\n  ${mutate.join('\n  ')}\ntests:\n  ${testFiles.join('\n  ')}`);
  process.exit(0);
}
if (!process.env.TEST_DATABASE_URL) {
  fail(
    'npm run test:mutation needs TEST_DATABASE_URL (a PostgreSQL server where the tests may create databases), ' +
      'e.g. TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres. Without it every test run inside ' +
      "Stryker's sandbox would start an embedded PostgreSQL of its own.",
  );
}
if (!process.env.TEST_REDIS_URL) {
  console.warn(
    'test:mutation: TEST_REDIS_URL is not set: the cache runs in-process and Redis-only tests skip.',
  );
}

const stryker = path.join(root, 'node_modules', '.bin', 'stryker');
const started = Date.now();
console.info(
  `test:mutation: areas ${areas.join(', ')}: ${mutate.length} files or line ranges to mutate, ${testFiles.length} test files`,
);
const result = spawnSync(
  stryker,
  ['run', 'stryker.config.json', '--mutate', mutate.join(','), '--testFiles', testFiles.join(','), ...rest],
  {
    cwd: root,
    stdio: 'inherit',
    env: {
      ...process.env,
      // The sandbox runs the same vitest setup as `npm test` (real PostgreSQL, Redis when set).
      NODE_ENV: 'test',
    },
  },
);
summarise(path.join(root, 'reports', 'mutation', 'mutation.json'), areas);
console.info(
  `test:mutation: ${((Date.now() - started) / 60_000).toFixed(1)} min; report: reports/mutation/mutation.html`,
);
process.exit(result.status ?? 1);
