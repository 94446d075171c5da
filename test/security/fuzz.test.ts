import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { type DatabaseFingerprint, fingerprintChanges, fingerprintDatabase } from './database-fingerprint.js';
import { baseDraft, type FuzzCase, type FuzzPlan, planFuzzing } from './fuzz-generator.js';
import { setAt } from './fuzz-mutations.js';
import { finish } from './fuzz-request.js';
import {
  describeFinding,
  FUZZ_REQUEST_ID_PREFIX,
  type FuzzRun,
  harvestCursors,
  runFuzzCases,
} from './fuzz-runner.js';
import { HOSTILE_STRINGS, SCRIPT_INJECTIONS, SQL_INJECTIONS } from './hostile-values.js';
import { type LeakMarker, markerLeaks, plantLeakMarkers, recipientOf } from './leak-check.js';
import { loadOperations, type Operation } from './openapi-operations.js';
import { createRandom, seedFrom } from './random.js';
import { leaksIn, type ObservedResponse, responseIssues } from './response-checks.js';
import { acceptsType, propertyPaths } from './schema-oracle.js';
import { insertSecurityCast, type SecurityCast } from './security-cast.js';

/**
 * OpenAPI-driven fuzzing: every operation in /openapi.json gets hostile requests generated from its
 * schemas, as anonymous, student, instructor and admin, against real resources. Deterministic from
 * FUZZ_SEED (printed); FUZZ_REQUESTS raises the request count; FUZZ_CASE=<n> replays one case.
 */

const DEFAULT_SEED = '20240607';
const seedText = process.env.FUZZ_SEED ?? DEFAULT_SEED;
const SEED = seedFrom(seedText);
const TOTAL_CASES = Math.max(Number(process.env.FUZZ_REQUESTS ?? 10_000), 1);
const ONLY_CASE = process.env.FUZZ_CASE === undefined ? undefined : Number(process.env.FUZZ_CASE);
const CONCURRENCY = 8;
const MAX_REPORTED = 25;
const LOG_CAPTURE_MARK = 'security fuzz: log capture check';

const selected = (cases: FuzzCase[]) =>
  ONLY_CASE === undefined ? cases : cases.filter((fuzzCase) => fuzzCase.index === ONLY_CASE);

function report(run: FuzzRun, what: string): string {
  if (run.findings.length === 0) return '';
  const shown = run.findings.slice(0, MAX_REPORTED).map(describeFinding).join('\n\n');
  const more =
    run.findings.length > MAX_REPORTED ? `\n\n…and ${run.findings.length - MAX_REPORTED} more` : '';
  return `${run.findings.length} ${what} (replay: FUZZ_SEED=${seedText} FUZZ_CASE=<#>):\n\n${shown}${more}`;
}

describe('OpenAPI-driven fuzzing', () => {
  let testApp: TestApp;
  let app: App;
  let world: SecurityCast;
  let markers: LeakMarker[];
  /**
   * The leak check, for the rejected and read phases: the accepted phase may legitimately publish the
   * draft or enrol a caller, after which its markers are no longer secret.
   */
  const leaks = (fuzzCase: FuzzCase, response: ObservedResponse) =>
    markerLeaks(markers, recipientOf(fuzzCase.operation, fuzzCase.caller), response.body);
  let operations: Operation[];
  let plan: FuzzPlan;
  let requests = 0;
  const statusesByPhase: Record<string, Map<number, number>> = {};
  const record = (phase: string, run: FuzzRun) => {
    requests += run.requests;
    statusesByPhase[phase] = run.statuses;
  };
  const started = Date.now();
  const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();
  const logLines: string[] = [];
  const logRecords = () => logLines.map((line) => JSON.parse(line) as Record<string, unknown>);

  beforeAll(async () => {
    testApp = await buildTestApp(
      { rateLimit: { globalPerMinute: 10_000_000, authPerMinute: 10_000_000 } },
      { logger: { level: 'warn', stream: { write: (line: string) => void logLines.push(line) } } },
    );
    app = testApp.app;
    await app.ready();
    app.log.warn(LOG_CAPTURE_MARK);
    world = await insertSecurityCast(testApp);
    markers = await plantLeakMarkers(testApp.db, world);
    operations = await loadOperations(app);
    const cursors = await harvestCursors(app, operations, world);
    plan = planFuzzing(operations, {
      seed: SEED,
      totalCases: TOTAL_CASES,
      world,
      cursors,
      bodyLimitBytes: testApp.config.bodyLimitBytes,
      jwtSecret: testApp.config.jwtSecret,
    });
  });

  afterAll(async () => {
    if (plan) {
      const byPhase = (phase: string) => plan.cases.filter((fuzzCase) => fuzzCase.phase === phase).length;
      console.info(
        `fuzz: seed ${seedText} (${SEED}), ${operations.length} operations, ${plan.cases.length} cases ` +
          `(rejected ${byPhase('rejected')}, read ${byPhase('read')}, accepted ${byPhase('accepted')}), ` +
          `${requests} requests in ${((Date.now() - started) / 1000).toFixed(1)} s`,
      );
      // Inputs that passed validation and were refused only by PostgreSQL (the error handler's safety net).
      const byIndex = new Map(
        plan.cases.map((fuzzCase) => [`${FUZZ_REQUEST_ID_PREFIX}${fuzzCase.index}`, fuzzCase]),
      );
      const safetyNet = new Map<string, number>();
      for (const record of logRecords().filter(
        (r) => r.msg === 'constraint violation reached the database',
      )) {
        const fuzzCase = byIndex.get(String(record.requestId));
        const message = String((record.err as { message?: string } | undefined)?.message ?? '');
        const reason = (/\]: (.*)$/s.exec(message)?.[1] ?? message).replace(/"[^"]*"/g, '"…"').slice(0, 100);
        const key = fuzzCase
          ? `${fuzzCase.operation} (${fuzzCase.mutations[0]}): ${reason}`
          : `a request with its own x-request-id: ${reason}`;
        safetyNet.set(key, (safetyNet.get(key) ?? 0) + 1);
      }
      console.info(
        `fuzz: ${safetyNet.size} kinds of request passed validation and were refused by PostgreSQL (400 via the error handler's safety net):\n` +
          [...safetyNet]
            .sort((a, b) => b[1] - a[1])
            .slice(0, 12)
            .map(([key, count]) => `  ${count}× ${key}`)
            .join('\n'),
      );
      for (const [phase, statuses] of Object.entries(statusesByPhase)) {
        const counts = [...statuses].sort(([a], [b]) => a - b).map(([status, count]) => `${status}×${count}`);
        console.info(`fuzz: ${phase} phase answers: ${counts.join(' ')}`);
      }
    }
    await testApp?.close();
  });

  it('covers every operation of /openapi.json with at least 10,000 requests', () => {
    expect(operations.length).toBeGreaterThan(10);
    const covered = new Set(plan.cases.map((fuzzCase) => fuzzCase.operation));
    expect(operations.filter((op) => !covered.has(op.key)).map((op) => op.key)).toEqual([]);
    if (ONLY_CASE === undefined) expect(plan.cases.length).toBeGreaterThanOrEqual(TOTAL_CASES);
  });

  it('answers every request that must be rejected with a 4xx problem, and writes nothing', async () => {
    const cases = selected(plan.cases.filter((fuzzCase) => fuzzCase.phase === 'rejected'));
    const before: DatabaseFingerprint = await fingerprintDatabase(testApp.database.pool);
    const run = await runFuzzCases(app, cases, {
      concurrency: CONCURRENCY,
      mustReject: true,
      extraIssues: leaks,
    });
    record('rejected', run);
    const after = await fingerprintDatabase(testApp.database.pool);
    expect(run.findings.length, report(run, 'rejected-phase findings')).toBe(0);
    expect(fingerprintChanges(before, after), 'rejected requests changed the database').toEqual([]);
    expect(Object.keys(before).length).toBeGreaterThan(10);
  }, 180_000);

  it('answers hostile reads without server errors or leaks, and reads write nothing', async () => {
    const cases = selected(plan.cases.filter((fuzzCase) => fuzzCase.phase === 'read'));
    const before = await fingerprintDatabase(testApp.database.pool);
    const run = await runFuzzCases(app, cases, {
      concurrency: CONCURRENCY,
      mustReject: false,
      extraIssues: leaks,
    });
    record('read', run);
    const after = await fingerprintDatabase(testApp.database.pool);
    expect(run.findings.length, report(run, 'read-phase findings')).toBe(0);
    expect(fingerprintChanges(before, after), 'GET requests changed the database').toEqual([]);
  }, 180_000);

  // Regression: ajv coerced these strings to ±Infinity and then skipped minimum/maximum, so a module
  // was inserted at position -Infinity (500, with the row committed) and `?limit=-Infinity` answered 200.
  it('refuses "Infinity", "-Infinity" and "1e309" in every numeric field, and writes nothing', async () => {
    const random = createRandom(SEED);
    const before = await fingerprintDatabase(testApp.database.pool);
    const checked: string[] = [];
    for (const op of operations) {
      const numeric = [
        ...op.parameters
          .filter(
            (p) => p.in === 'query' && (acceptsType(p.schema, 'integer') || acceptsType(p.schema, 'number')),
          )
          .filter((p) => p.schema.type !== undefined)
          .map((p) => ({
            field: `/querystring/${p.name}`,
            set: (value: string, draft: ReturnType<typeof baseDraft>) => {
              draft.query = [
                ...draft.query.filter((q) => q.name !== p.name),
                { name: p.name, encoded: value },
              ];
            },
          })),
        ...(op.body
          ? propertyPaths(op.body.schema)
              .filter(({ schema }) => schema.type === 'integer' || schema.type === 'number')
              .map(({ path }) => ({
                field: `/body/${path.join('/')}`,
                set: (value: string, draft: ReturnType<typeof baseDraft>) => {
                  if (draft.body.kind === 'json')
                    setAt(draft.body.value as Record<string, unknown>, path, value);
                },
              }))
          : []),
      ];
      for (const { field, set } of numeric) {
        for (const value of ['Infinity', '-Infinity', '1e309']) {
          const draft = baseDraft(op, 'admin', world, random);
          set(value, draft);
          const request = finish(draft);
          const response = await app.inject({ ...request, method: request.method as 'GET' });
          requests += 1;
          const label = `${op.key} ${field}=${value}`;
          expect(response.statusCode, `${label}: ${response.body}`).toBe(400);
          const problem = response.json() as { code: string; errors?: Array<{ field: string }> };
          expect(problem.code, label).toBe('validation_failed');
          expect(
            problem.errors?.map((error) => error.field),
            label,
          ).toContain(field);
          checked.push(label);
        }
      }
    }
    expect(checked.length).toBeGreaterThan(10);
    expect(fingerprintChanges(before, await fingerprintDatabase(testApp.database.pool))).toEqual([]);
  });

  // Regression: an address with a NUL passed the schema; password reset answered 202 and its lookup
  // after the response failed in PostgreSQL (an error-level log any anonymous client could cause).
  it('refuses control characters in email addresses before they reach PostgreSQL', async () => {
    const bodies = {
      '/api/v1/auth/password-reset': (email: string) => ({ email }),
      '/api/v1/auth/register': (email: string) => ({
        email,
        password: 'a perfectly fine passphrase',
        name: 'Ctrl',
      }),
    };
    for (const [url, body] of Object.entries(bodies)) {
      for (const email of ['a\u0000b@example.com', 'bell\u0007@example.com', 'x@exa\u001fmple.com']) {
        const response = await app.inject({ method: 'POST', url, payload: body(email) });
        requests += 1;
        expect(response.statusCode, `${url} ${JSON.stringify(email)}: ${response.body}`).toBe(400);
        const problem = response.json() as { code: string; errors?: Array<{ field: string }> };
        expect(problem.code).toBe('validation_failed');
        expect(problem.errors?.map((error) => error.field)).toEqual(['/body/email']);
      }
    }
  });

  it('refuses or stores hostile values in valid writes cleanly, and injections stay data', async () => {
    const cases = selected(plan.cases.filter((fuzzCase) => fuzzCase.phase === 'accepted'));
    const tablesBefore = Object.keys(await fingerprintDatabase(testApp.database.pool));
    // One at a time: these writes change versions and outlines that later cases act on.
    const run = await runFuzzCases(app, cases, { concurrency: 1, mustReject: false });
    record('accepted', run);
    expect(run.findings.length, report(run, 'accepted-phase findings')).toBe(0);
    expect(Object.keys(await fingerprintDatabase(testApp.database.pool))).toEqual(tablesBefore);
    expect(Object.getOwnPropertyNames(Object.prototype).sort(), 'Object.prototype was polluted').toEqual(
      prototypeKeys,
    );
  }, 180_000);

  it('stores SQL and script injection strings verbatim, as data', async () => {
    const instructor = world.users.instructor;
    const userIds = async () =>
      (
        await testApp.database.pool.query<{ id: string }>('SELECT id::text AS id FROM users ORDER BY id')
      ).rows.map((row) => row.id);
    const usersBefore = await userIds();
    // The premise: the accounts an injection would remove are there (the cast's five, and more).
    expect(usersBefore, 'the security cast is stored').toEqual(
      expect.arrayContaining(Object.values(world.users).map((user) => user.id)),
    );
    for (const payload of [...SQL_INJECTIONS, ...SCRIPT_INJECTIONS].filter(
      (text) => text.trim().length >= 3,
    )) {
      const created = await app.inject({
        method: 'POST',
        url: '/api/v1/courses',
        headers: instructor.headers,
        payload: { title: payload, description: payload, tags: [payload.slice(0, 40)] },
      });
      requests += 1;
      expect(created.statusCode, created.body).toBe(201);
      const course = created.json() as { id: string; title: string; description: string };
      expect(course.title).toBe(payload);
      expect(course.description).toBe(payload);
      const stored = await testApp.database.pool.query<{ title: string }>(
        'SELECT title FROM courses WHERE id = $1',
        [course.id],
      );
      expect(stored.rows[0]?.title).toBe(payload);
    }
    // Not one account removed or added (or swapped) by an injection string stored as a course.
    expect(await userIds()).toEqual(usersBefore);
  });

  it('logged no error (nothing unhandled, no failure after a response)', () => {
    const errors = logRecords().filter((record) => Number(record.level) >= 50);
    expect(errors.map((record) => `${String(record.requestId)}: ${String(record.msg)}`)).toEqual([]);
    expect(
      logRecords().some((record) => record.msg === LOG_CAPTURE_MARK),
      'the log capture works',
    ).toBe(true);
  });

  it('recognises leaks, and does not mistake its own payloads for one', () => {
    for (const payload of HOSTILE_STRINGS)
      expect(leaksIn(JSON.stringify({ detail: payload })), payload).toEqual([]);
    const problem = (body: Record<string, unknown>) => ({
      statusCode: 500,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const leaky = responseIssues(
      problem({
        message: 'Failed query: select "id", "password_hash" from "users" where "users"."email" = $1',
        stack: 'Error: boom\n    at login (/work/main/src/modules/auth/auth.service.ts:10:5)',
      }),
    );
    expect(leaky).toEqual(
      expect.arrayContaining([
        'server error 500',
        'content-type is "application/json", not application/problem+json',
        'body leaks a stack trace',
        'body leaks a password hash',
        'body leaks a SQL error',
        'body leaks a SQL text',
      ]),
    );
  });
});
