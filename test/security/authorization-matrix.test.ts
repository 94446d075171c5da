import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import {
  AUTHORIZATION_TABLE,
  DOUBLY_DECLARED_ROUTES,
  expectedOutcome,
  type MatrixRequest,
  matches,
  type ResourceName,
} from './authorization-table.js';
import { type LeakMarker, markerLeaks, plantLeakMarkers, recipientOf } from './leak-check.js';
import { fillPath, loadOperations, type Operation } from './openapi-operations.js';
import { responseIssues } from './response-checks.js';
import { CALLERS, type Caller, headersOf, insertSecurityCast, type SecurityCast } from './security-cast.js';

/**
 * The authorization matrix: every route of /openapi.json × every caller × every kind of resource,
 * with valid requests, compared with the rows each module declares (collected in authorization-table.ts). A route no rows
 * file declares fails.
 */

interface Check {
  op: Operation;
  caller: Caller;
  resource: ResourceName;
}

const CONCURRENCY = 4;

/**
 * How an answer to a request without a token contradicts the declared security, if it does: a route
 * declared public (`security: []`) never answers 401; one that requires the bearer scheme never
 * answers 2xx. Optional-bearer routes may answer either (a lesson that needs an enrollment is 401).
 */
function declaredSecurityDisagreement(security: Operation['security'], status: number): string | undefined {
  if (security === 'none' && status === 401) return 'declared public (security: []) but answers 401';
  if (security === 'required' && status >= 200 && status < 300) {
    return `declares the bearer scheme but answers ${status} without a token`;
  }
  return undefined;
}

describe('authorization matrix', () => {
  let testApp: TestApp;
  let app: App;
  let operations: Operation[];
  let sharedWorld: SecurityCast;
  let sharedMarkers: LeakMarker[];

  beforeAll(async () => {
    testApp = await buildTestApp({ rateLimit: { globalPerMinute: 10_000_000, authPerMinute: 10_000_000 } });
    app = testApp.app;
    await app.ready();
    operations = await loadOperations(app);
    sharedWorld = await insertSecurityCast(testApp);
    sharedMarkers = await plantLeakMarkers(testApp.db, sharedWorld);
  });

  afterAll(async () => {
    await testApp?.close();
  });

  it('declares every route of /openapi.json, and only those', () => {
    const keys = new Set(operations.map((op) => op.key));
    expect(
      operations.filter((op) => !(op.key in AUTHORIZATION_TABLE)).map((op) => op.key),
      'routes no authorization.rows.ts declares',
    ).toEqual([]);
    expect(
      Object.keys(AUTHORIZATION_TABLE).filter((key) => !keys.has(key)),
      'table entries for routes that do not exist',
    ).toEqual([]);
    expect(DOUBLY_DECLARED_ROUTES, 'routes declared by two rows files').toEqual([]);
  });

  it('expects of anonymous callers what each route declares in its OpenAPI `security`', () => {
    const disagreements = operations.flatMap((op) => {
      const entry = AUTHORIZATION_TABLE[op.key];
      if (!entry) return [];
      return (entry.resources ?? ['none']).flatMap((resource) => {
        const expected = expectedOutcome(entry, 'anonymous', resource);
        const status = typeof expected === 'number' ? expected : expected === '2xx' ? 200 : undefined;
        const disagreement =
          status === undefined ? undefined : declaredSecurityDisagreement(op.security, status);
        return disagreement
          ? [`${op.key} on ${resource}: the table expects ${expected}: ${disagreement}`]
          : [];
      });
    });
    expect(disagreements).toEqual([]);
  });

  it('answers every route, caller and resource as the table says', async () => {
    const checks: Check[] = operations.flatMap((op) => {
      const entry = AUTHORIZATION_TABLE[op.key];
      if (!entry) return [];
      return (entry.resources ?? ['none']).flatMap((resource) =>
        CALLERS.map((caller) => ({ op, caller, resource })),
      );
    });
    const failures: string[] = [];
    const checked: string[] = [];
    /** Route × caller pairs that ran, whatever the resources: every route must be tried by every caller. */
    const checkedPairs = new Set<string>();

    const run = async ({ op, caller, resource }: Check) => {
      const entry = AUTHORIZATION_TABLE[op.key]!;
      const label = `${op.key} as ${caller}${resource === 'none' ? '' : ` on ${resource}`}`;
      const expected = expectedOutcome(entry, caller, resource);
      if (expected === undefined) {
        failures.push(`${label}: no expectation in the table`);
        return;
      }
      // Reads share one world; every write gets a fresh one, so no check sees another's effects.
      const world = op.method === 'GET' ? sharedWorld : await insertSecurityCast(testApp);
      const markers = world === sharedWorld ? sharedMarkers : await plantLeakMarkers(testApp.db, world);
      const spec: MatrixRequest =
        (await entry.request?.({ app, db: testApp.db, world, caller, resource })) ?? {};
      const params = Object.fromEntries(
        Object.entries(spec.params ?? {}).map(([k, v]) => [k, encodeURIComponent(v)]),
      );
      const query = new URLSearchParams(spec.query ?? {}).toString();
      const response = await app.inject({
        method: op.method as 'GET',
        url: `${fillPath(op.path, params)}${query ? `?${query}` : ''}`,
        headers: { ...headersOf(world, caller), ...spec.headers },
        ...(spec.body === undefined ? {} : { payload: spec.body as Record<string, unknown> }),
      });
      if (caller === 'anonymous') {
        const disagreement = declaredSecurityDisagreement(op.security, response.statusCode);
        if (disagreement) failures.push(`${label}: ${disagreement}`);
      }
      if (!matches(expected, response.statusCode)) {
        failures.push(
          `${label}: expected ${expected}, got ${response.statusCode} ${response.body.slice(0, 300)}`,
        );
      }
      const issues = responseIssues({
        statusCode: response.statusCode,
        headers: response.headers,
        body: response.body,
      });
      issues.push(...markerLeaks(markers, recipientOf(op.key, caller), response.body));
      if (issues.length > 0) failures.push(`${label}: ${issues.join('; ')}`);
      checked.push(label);
      checkedPairs.add(`${op.key} as ${caller}`);
    };

    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < checks.length) await run(checks[next++]!);
      }),
    );

    const routes = new Set(checks.map((check) => check.op.key)).size;
    console.info(
      `authorization matrix: ${routes} routes × ${CALLERS.length} callers × their resources = ${checks.length} checks`,
    );
    expect(failures, failures.join('\n')).toEqual([]);
    // Every planned check ran to its end (a worker that stopped early would leave some unchecked), and
    // every route of /openapi.json was among them.
    expect(checked.length, 'checks that ran').toBe(checks.length);
    expect(routes).toBe(operations.length);
    expect(checkedPairs.size, 'route × caller pairs that ran').toBe(operations.length * CALLERS.length);
  }, 120_000);
});
