/**
 * What `npm run bench` measures. Each feature adds its scenarios here; `prepare` runs once per
 * scale against the seeded database (sign in, pick ids) and returns what the scenarios need.
 */
import { DEMO_PASSWORD, demoEmail, UNIT } from '../src/seed/seed-demo-data.js';
import type { RotatingRequest } from './harness.js';

export interface Fixture {
  accessToken: string;
  courseSlug: string;
  /** The text-search scenario's query string (same query and a full page at every scale). */
  searchQuery: string;
  /** One login body per seeded demo student (`student1@…` … `student<40 × scale>@…`). */
  studentLoginBodies: string[];
  /** The verification code of a seeded certificate (the first demo student's who has one). */
  verificationCode: string;
  /**
   * The first unit's students that have an active enrollment with an unlocked lesson: each one's
   * token, that enrollment and that lesson. The learner routes read the first one's.
   */
  learners: Learner[];
}

export interface Learner {
  accessToken: string;
  userId: string;
  courseId: string;
  enrollmentId: string;
  lessonId: string;
}

/** A ceiling other than the bare route, served by bench/bench-server.ts, measured right before. */
export interface Ceiling {
  name: string;
  method: 'PUT';
  path: string;
  /** Sent in turn, in the same order as the scenario's `rotation`. */
  bodies: (fixture: Fixture) => string[];
}

export interface Scenario {
  name: string;
  method: 'GET' | 'POST' | 'PUT';
  path: (fixture: Fixture) => string;
  headers?: (fixture: Fixture) => Record<string, string>;
  body?: (fixture: Fixture) => string;
  /** Requests sent in turn, one per request: each may set its own path, headers and body. */
  rotation?: (fixture: Fixture) => RotatingRequest[];
  /** Lists must keep their latency as data grows: p50 at 10x <= 1.2 x p50 at 1x. */
  isList: boolean;
  /** Minimum req/s as a fraction of the ceiling (bare Fastify unless `ceiling`); undefined = report only. */
  targetRatio?: number;
  /** Compare with this instead of the bare route (a write with the raw SQL that does the same write). */
  ceiling?: Ceiling;
  note?: string;
  /** The hottest route: profiled once per run (a separate load run) for the report. */
  profile?: boolean;
  /** Exempt from the p99 target (say why in `note`), e.g. a route bound by password hashing. */
  noLatencyTarget?: boolean;
}

/** At 64 connections, every scenario not marked `noLatencyTarget`. */
export const P99_TARGET_MS = 25;
/** The server process's peak resident set size over a whole scale's run. */
export const PEAK_RSS_TARGET_MB = 250;

const json = { 'content-type': 'application/json' };
/** What browsers and mobile HTTP stacks send; the catalog serves cached responses precompressed. */
const browser = { 'accept-encoding': 'gzip, deflate, br' };

/**
 * The text search compared across scales: the same query, and a page size the smallest scale fills
 * (8 published courses match "learn" in the first seed unit, which every scale contains), so that
 * the 10x/1x latency ratio measures the data growing, not the response growing (a term taken from
 * each scale's most popular course matched 3 courses at 1x and 20 at 10x: 2 KB against 14 KB).
 */
const SEARCH = { term: 'learn', limit: 8 } as const;

/** `scale`: the `db:seed --scale` of the database behind `appOrigin` (first seed: batch 1). */
export async function prepareFixture(appOrigin: string, scale: number): Promise<Fixture> {
  const studentLoginBodies = Array.from({ length: UNIT.students * scale }, (_, i) =>
    JSON.stringify({ email: demoEmail(`student${i + 1}`, 1), password: DEMO_PASSWORD }),
  );
  const login = await fetch(`${appOrigin}/api/v1/auth/login`, {
    method: 'POST',
    headers: json,
    body: studentLoginBodies[0],
  });
  if (!login.ok) throw new Error(`bench: demo login failed with ${login.status}: ${await login.text()}`);
  const { accessToken } = (await login.json()) as { accessToken: string };
  const list = await fetch(`${appOrigin}/api/v1/courses?limit=1&sort=popular`);
  const { data } = (await list.json()) as { data: { slug: string; title: string }[] };
  const first = data[0];
  if (!first) throw new Error('bench: the catalog is empty; did the seed run?');
  const searchQuery = `q=${SEARCH.term}&limit=${SEARCH.limit}`;
  const search = await fetch(`${appOrigin}/api/v1/courses?${searchQuery}`);
  const found = ((await search.json()) as { data: unknown[] }).data.length;
  if (found !== SEARCH.limit) {
    throw new Error(
      `bench: "${SEARCH.term}" fills ${found} of ${SEARCH.limit} results at scale ${scale}; the scales would not compare like for like`,
    );
  }
  const learners = await prepareLearners(appOrigin, studentLoginBodies.slice(0, UNIT.students));
  if (learners.length === 0) {
    throw new Error(
      'bench: no demo student of the first unit has an active enrollment with an unlocked lesson',
    );
  }
  return {
    accessToken,
    courseSlug: first.slug,
    searchQuery,
    studentLoginBodies,
    learners,
    verificationCode: await firstVerificationCode(appOrigin, studentLoginBodies),
  };
}

/** Signs in demo students in turn until one has a certificate (a completed enrollment): its code. */
async function firstVerificationCode(appOrigin: string, loginBodies: readonly string[]): Promise<string> {
  for (const body of loginBodies) {
    const login = await fetch(`${appOrigin}/api/v1/auth/login`, { method: 'POST', headers: json, body });
    if (!login.ok) continue;
    const { accessToken } = (await login.json()) as { accessToken: string };
    const mine = await fetch(`${appOrigin}/api/v1/me/certificates?limit=1`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    const { data } = (await mine.json()) as { data: { verificationCode: string }[] };
    if (data[0]) return data[0].verificationCode;
  }
  throw new Error('bench: no demo student has a certificate; did the seed run?');
}

/**
 * The first unit's students (the same at every scale: the seed's first unit), each with their first
 * active enrollment and a lesson of it that is not locked; students without one are left out. The
 * learner routes read the first one's, so they answer the same at 1x and 10x and their latency ratio
 * measures the tables growing, not the response.
 */
async function prepareLearners(appOrigin: string, loginBodies: string[]): Promise<Learner[]> {
  const learners: Learner[] = [];
  for (const body of loginBodies) {
    const login = await fetch(`${appOrigin}/api/v1/auth/login`, { method: 'POST', headers: json, body });
    const { accessToken } = (await login.json()) as { accessToken: string };
    const auth = { authorization: `Bearer ${accessToken}` };
    const me = (await (await fetch(`${appOrigin}/api/v1/me`, { headers: auth })).json()) as { id: string };
    const enrollments = (await (
      await fetch(`${appOrigin}/api/v1/me/enrollments?status=active&limit=50`, { headers: auth })
    ).json()) as { data: { id: string; courseId: string }[] };
    for (const enrollment of enrollments.data) {
      const view = (await (
        await fetch(`${appOrigin}/api/v1/me/courses/${enrollment.courseId}`, { headers: auth })
      ).json()) as { modules: { lessons: { id: string; locked: boolean }[] }[] };
      const lesson = view.modules.flatMap((m) => m.lessons).find((l) => !l.locked);
      if (lesson) {
        learners.push({
          accessToken,
          userId: me.id,
          courseId: enrollment.courseId,
          enrollmentId: enrollment.id,
          lessonId: lesson.id,
        });
        break;
      }
    }
  }
  return learners;
}

/** What each progress write reports: a resume point and a few seconds watched. */
const PROGRESS = { positionSeconds: 42, timeSpentSeconds: 5 } as const;

const progressPath = (learner: Learner) => `/api/v1/me/lessons/${learner.lessonId}/progress`;

export const scenarios: Scenario[] = [
  {
    name: 'catalog list (cached)',
    method: 'GET',
    path: () => '/api/v1/courses?limit=20',
    headers: () => browser,
    isList: true,
    targetRatio: 0.5,
    profile: true,
  },
  {
    name: 'catalog list, identity',
    method: 'GET',
    path: () => '/api/v1/courses?limit=20',
    isList: true,
    note: 'the same page to a client that accepts no compression (13 KB instead of ~3 KB): reported, no target',
  },
  {
    name: 'catalog text search',
    method: 'GET',
    path: (f) => `/api/v1/courses?${f.searchQuery}`,
    headers: () => browser,
    isList: true,
  },
  {
    name: 'course detail',
    method: 'GET',
    path: (f) => `/api/v1/courses/${f.courseSlug}`,
    headers: () => browser,
    isList: false,
  },
  {
    name: 'login',
    method: 'POST',
    path: () => '/api/v1/auth/login',
    headers: () => json,
    // Each request signs in the next demo student: 64 concurrent sign-ins to one account would trip
    // its failed-attempt lockout, which counts attempts before checking the password (by design).
    rotation: (f) => f.studentLoginBodies.map((body) => ({ body })),
    isList: false,
    note: 'bound by argon2id (19 MiB, t=2), rotating over the demo students: reported, no target',
    noLatencyTarget: true,
  },
  {
    name: 'certificate verify (public)',
    method: 'GET',
    path: (f) => `/api/v1/certificates/verify/${f.verificationCode}`,
    isList: false,
    targetRatio: 0.5,
    note: 'public, no sign-in: served from the per-code copy (one generation check), invalidated by revocation',
  },
  {
    name: 'GET /me (JWT)',
    method: 'GET',
    path: () => '/api/v1/me',
    headers: (f) => ({ authorization: `Bearer ${f.accessToken}` }),
    isList: false,
    targetRatio: 0.35,
  },
  {
    name: 'my enrollments',
    method: 'GET',
    path: () => '/api/v1/me/enrollments?limit=20',
    headers: (f) => ({ authorization: `Bearer ${f.learners[0]!.accessToken}`, ...browser }),
    isList: true,
    targetRatio: 0.35,
  },
  {
    name: 'my course view',
    method: 'GET',
    path: (f) => `/api/v1/me/courses/${f.learners[0]!.courseId}`,
    headers: (f) => ({ authorization: `Bearer ${f.learners[0]!.accessToken}`, ...browser }),
    // Not a list, but the same response at every scale: held to the lists' 10x/1x rule.
    isList: true,
    targetRatio: 0.35,
  },
  {
    name: 'progress update',
    method: 'PUT',
    // Placeholder path; each request takes one learner's lesson and token from the rotation.
    path: (f) => progressPath(f.learners[0]!),
    headers: () => json,
    body: () => JSON.stringify(PROGRESS),
    rotation: (f) =>
      f.learners.map((learner) => ({
        path: progressPath(learner),
        headers: { authorization: `Bearer ${learner.accessToken}` },
      })),
    isList: false,
    targetRatio: 0.25,
    ceiling: {
      name: 'raw SQL upsert of the same row',
      method: 'PUT',
      path: '/sql/lesson-progress',
      bodies: (f) =>
        f.learners.map((learner) =>
          JSON.stringify({
            userId: learner.userId,
            lessonId: learner.lessonId,
            enrollmentId: learner.enrollmentId,
            ...PROGRESS,
          }),
        ),
    },
    note: 'each request is the next demo learner’s report on their lesson (authenticated; one statement: the enrollment locked and updated, the progress upserted, committed asynchronously); the ceiling upserts the same rows in the same order, committed asynchronously too',
  },
];
