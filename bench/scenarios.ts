/**
 * What `npm run bench` measures. Each feature adds its scenarios here; `prepare` runs once per
 * scale against the seeded database (sign in, pick ids) and returns what the scenarios need.
 */
import { DEMO_PASSWORD } from '../src/infrastructure/database/seed/seed-demo-data.js';

export interface Fixture {
  accessToken: string;
  courseSlug: string;
  searchTerm: string;
  loginBody: string;
}

export interface Scenario {
  name: string;
  method: 'GET' | 'POST';
  path: (fixture: Fixture) => string;
  headers?: (fixture: Fixture) => Record<string, string>;
  body?: (fixture: Fixture) => string;
  /** Lists must keep their latency as data grows: p50 at 10x <= 1.2 x p50 at 1x. */
  isList: boolean;
  /** Minimum req/s as a fraction of the bare-Fastify ceiling; undefined = report only. */
  targetRatio?: number;
  note?: string;
}

const json = { 'content-type': 'application/json' };

export async function prepareFixture(appOrigin: string): Promise<Fixture> {
  const loginBody = JSON.stringify({ email: 'student1@demo.learningplatform.dev', password: DEMO_PASSWORD });
  const login = await fetch(`${appOrigin}/api/v1/auth/login`, {
    method: 'POST',
    headers: json,
    body: loginBody,
  });
  if (!login.ok) throw new Error(`bench: demo login failed with ${login.status}: ${await login.text()}`);
  const { accessToken } = (await login.json()) as { accessToken: string };
  const list = await fetch(`${appOrigin}/api/v1/courses?limit=1&sort=popular`);
  const { data } = (await list.json()) as { data: { slug: string; title: string }[] };
  const first = data[0];
  if (!first) throw new Error('bench: the catalog is empty; did the seed run?');
  const searchTerm = first.title.split(/\s+/).find((word) => word.length > 4) ?? first.title;
  return { accessToken, courseSlug: first.slug, searchTerm, loginBody };
}

export const scenarios: Scenario[] = [
  {
    name: 'catalog list (cached)',
    method: 'GET',
    path: () => '/api/v1/courses?limit=20',
    isList: true,
    targetRatio: 0.5,
  },
  {
    name: 'catalog text search',
    method: 'GET',
    path: (f) => `/api/v1/courses?q=${encodeURIComponent(f.searchTerm)}&limit=20`,
    isList: true,
  },
  {
    name: 'course detail',
    method: 'GET',
    path: (f) => `/api/v1/courses/${f.courseSlug}`,
    isList: false,
  },
  {
    name: 'login',
    method: 'POST',
    path: () => '/api/v1/auth/login',
    headers: () => json,
    body: (f) => f.loginBody,
    isList: false,
    note: 'bound by argon2id (19 MiB, t=2): reported, no target',
  },
  {
    name: 'GET /me (JWT)',
    method: 'GET',
    path: () => '/api/v1/me',
    headers: (f) => ({ authorization: `Bearer ${f.accessToken}` }),
    isList: false,
    targetRatio: 0.35,
  },
];
