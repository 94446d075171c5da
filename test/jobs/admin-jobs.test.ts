import { sql } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { insertJob, queuedJobs } from '../helpers/factories/index.js';
import { useTestApp } from '../helpers/use-test-app.js';

const suite = useTestApp({ cast: ['student', 'instructor', 'admin'] });
const { student, instructor, admin } = suite.cast;

const get = (url: string, headers: Record<string, string> = admin.headers) =>
  suite.app.inject({ method: 'GET', url: `/api/v1${url}`, headers });
const post = (url: string, headers: Record<string, string> = admin.headers) =>
  suite.app.inject({ method: 'POST', url: `/api/v1${url}`, headers });

const SECRET_PAYLOAD = { email: 'someone-private@example.test', note: 'payload only admins may read' };

beforeEach(async () => {
  await suite.db.execute(sql`DELETE FROM graphile_worker._private_jobs`);
});

describe('GET /admin/jobs', () => {
  it('lists jobs newest first with their state, attempts and last error, without payloads', async () => {
    const queued = await insertJob(suite.db, { task: 'test.alpha', payload: SECRET_PAYLOAD });
    const scheduled = await insertJob(suite.db, { task: 'test.alpha', state: 'scheduled' });
    const running = await insertJob(suite.db, { task: 'test.beta', state: 'running' });
    const failed = await insertJob(suite.db, {
      task: 'test.beta',
      state: 'failed',
      maxAttempts: 4,
      lastError: 'the mail server refused',
    });

    const response = await get('/admin/jobs');
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    const body = response.json();
    expect(body.nextCursor).toBeNull();
    expect(body.data.map((job: { id: string; state: string }) => [job.id, job.state])).toEqual([
      [failed.id, 'failed'],
      [running.id, 'running'],
      [scheduled.id, 'scheduled'],
      [queued.id, 'queued'],
    ]);
    expect(body.data[0]).toEqual({
      id: failed.id,
      task: 'test.beta',
      state: 'failed',
      attempts: 4,
      maxAttempts: 4,
      lastError: 'the mail server refused',
      runAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
    expect(response.body).not.toContain(SECRET_PAYLOAD.email);
  });

  it('filters by state and by task', async () => {
    const failedAlpha = await insertJob(suite.db, { task: 'test.alpha', state: 'failed' });
    await insertJob(suite.db, { task: 'test.alpha' });
    const failedBeta = await insertJob(suite.db, { task: 'test.beta', state: 'failed' });
    await insertJob(suite.db, { task: 'test.beta', state: 'scheduled' });

    const ids = async (query: string) =>
      ((await get(`/admin/jobs?${query}`)).json().data as { id: string }[]).map((job) => job.id);
    expect(await ids('state=failed')).toEqual([failedBeta.id, failedAlpha.id]);
    expect(await ids('state=failed&task=test.alpha')).toEqual([failedAlpha.id]);
    expect(await ids('task=test.gamma')).toEqual([]);
    expect((await ids('state=queued')).length).toBe(1);
    expect((await ids('state=scheduled')).length).toBe(1);
  });

  it('pages with a cursor, each job exactly once', async () => {
    const inserted: string[] = [];
    for (let i = 0; i < 7; i++) inserted.push((await insertJob(suite.db, { task: 'test.page' })).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const response = await get(`/admin/jobs?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(response.statusCode, response.body).toBe(200);
      const body = response.json();
      seen.push(...body.data.map((job: { id: string }) => job.id));
      cursor = body.nextCursor;
      pages++;
    } while (cursor !== null);
    expect(pages).toBe(3);
    expect(seen).toEqual([...inserted].reverse());
  });

  it('shows a short last error: no stack trace, at most 500 characters', async () => {
    const long = `${'x'.repeat(800)}\n    at secretFunction (/srv/app/secret-path.js:1:1)`;
    await insertJob(suite.db, { state: 'failed', lastError: long });
    const withStack =
      'Error: connection refused\n    at Socket.connect (/srv/app/node_modules/pg/lib/x.js:9:9)';
    await insertJob(suite.db, { state: 'failed', lastError: withStack });
    const [stack, truncated] = (await get('/admin/jobs')).json().data as { lastError: string }[];
    expect(stack?.lastError).toBe('Error: connection refused');
    expect(truncated?.lastError).toHaveLength(500);
    expect(truncated?.lastError).not.toContain('secret-path');
  });

  it('rejects a bad state, limit or cursor with 400 and the field', async () => {
    for (const query of [
      'state=done',
      'limit=0',
      'limit=101',
      'cursor=not-a-cursor',
      'cursor=eyJpZCI6IjAifQ',
    ]) {
      const response = await get(`/admin/jobs?${query}`);
      expect(response.statusCode, query).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json().errors?.[0]?.field ?? '').toMatch(/^\/querystring\//);
    }
  });
});

describe('GET /admin/jobs/:id', () => {
  it('shows one job with its payload, key, queue and lock to an admin', async () => {
    const job = await insertJob(suite.db, {
      task: 'test.detail',
      payload: SECRET_PAYLOAD,
      key: 'detail-key',
    });
    const response = await get(`/admin/jobs/${job.id}`);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({
      id: job.id,
      task: 'test.detail',
      state: 'queued',
      attempts: 0,
      maxAttempts: 3,
      lastError: null,
      payload: SECRET_PAYLOAD,
      key: 'detail-key',
      queueName: null,
      priority: 0,
      lockedAt: null,
      lockedBy: null,
    });
  });

  it('answers 404 for an unknown job and 400 for an id that is not a job id', async () => {
    expect((await get('/admin/jobs/999999999')).statusCode).toBe(404);
    for (const id of ['0', '12a', '1234567890123456789', '0b6f4b2e-9f1c-4d8e-9a51-3c2d7e8f9a10']) {
      const response = await get(`/admin/jobs/${id}`);
      expect(response.statusCode, id).toBe(400);
      expect(response.json().code).toBe('validation_failed');
    }
  });
});

describe('POST /admin/jobs/:id/retry', () => {
  it('makes a failed job due now with its attempts reset', async () => {
    const job = await insertJob(suite.db, { state: 'failed', lastError: 'boom' });
    const response = await post(`/admin/jobs/${job.id}/retry`);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({ id: job.id, state: 'queued', attempts: 0, lastError: 'boom' });
    const [row] = await queuedJobs(suite.db);
    expect(row).toMatchObject({ id: job.id, attempts: 0 });
    expect(row!.runAt.getTime()).toBeLessThanOrEqual(Date.now() + 1_000);
  });

  it('refuses a job that has not failed with 409 job_not_failed, and changes nothing', async () => {
    for (const state of ['queued', 'scheduled', 'running'] as const) {
      const job = await insertJob(suite.db, { state });
      const [before] = await queuedJobs(suite.db).then((jobs) => jobs.filter((j) => j.id === job.id));
      const response = await post(`/admin/jobs/${job.id}/retry`);
      expect(response.statusCode, state).toBe(409);
      expect(response.json()).toMatchObject({ code: 'job_not_failed', state });
      const [after] = await queuedJobs(suite.db).then((jobs) => jobs.filter((j) => j.id === job.id));
      expect(after).toEqual(before);
    }
  });

  it('answers 404 for an unknown job', async () => {
    const response = await post('/admin/jobs/424242424242/retry');
    expect(response.statusCode).toBe(404);
    expect(response.json().code).toBe('not_found');
  });
});

describe('only admins', () => {
  it('refuses students and instructors with 403 and anonymous callers with 401, revealing nothing', async () => {
    const failed = await insertJob(suite.db, {
      state: 'failed',
      payload: SECRET_PAYLOAD,
      lastError: 'secret-ish',
    });
    const requests = [
      { method: 'GET', url: '/admin/jobs' },
      { method: 'GET', url: `/admin/jobs/${failed.id}` },
      { method: 'POST', url: `/admin/jobs/${failed.id}/retry` },
    ] as const;
    for (const { method, url } of requests) {
      for (const [who, headers, status] of [
        ['student', student.headers, 403],
        ['instructor', instructor.headers, 403],
        ['anonymous', {}, 401],
      ] as const) {
        const response = await suite.app.inject({ method, url: `/api/v1${url}`, headers });
        expect(response.statusCode, `${method} ${url} as ${who}`).toBe(status);
        expect(response.body).not.toContain(SECRET_PAYLOAD.email);
        expect(response.body).not.toContain('secret-ish');
        expect(response.body).not.toContain('test.inserted');
      }
    }
    // The refused retries changed nothing.
    expect(await queuedJobs(suite.db)).toEqual([expect.objectContaining({ id: failed.id, attempts: 3 })]);
  });
});
