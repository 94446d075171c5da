import type { App } from '../../src/app.js';
import type { FuzzCase } from './fuzz-generator.js';
import type { Operation } from './openapi-operations.js';
import { fillPath } from './openapi-operations.js';
import { expectationIssues, type ObservedResponse, responseIssues } from './response-checks.js';
import type { SecurityCast } from './security-cast.js';

export const FUZZ_REQUEST_ID_PREFIX = 'fuzz-case-';

export interface FuzzFinding {
  fuzzCase: FuzzCase;
  status: number;
  issues: string[];
  bodyExcerpt: string;
}

export interface FuzzRun {
  findings: FuzzFinding[];
  /** Requests sent, retries after a 412 or 428 included. */
  requests: number;
  statuses: Map<number, number>;
}

const excerpt = (value: string | Buffer | undefined, length = 300) => {
  if (value === undefined) return '';
  const text = Buffer.isBuffer(value) ? value.toString('utf8') : value;
  const escaped = JSON.stringify(
    text.length > length ? `${text.slice(0, length)}…(${text.length} chars)` : text,
  );
  return escaped;
};

/** One line that says what was sent, so a failure can be understood and replayed from the seed. */
export function describeCase(fuzzCase: FuzzCase): string {
  const url =
    fuzzCase.url.length > 300 ? `${fuzzCase.url.slice(0, 300)}…(${fuzzCase.url.length} chars)` : fuzzCase.url;
  const headers = Object.entries(fuzzCase.headers)
    .filter(([name]) => name !== 'authorization' || !fuzzCase.headers.authorization?.startsWith('Bearer eyJ'))
    .map(([name, value]) => `${name}: ${value.length > 80 ? `${value.slice(0, 80)}…` : value}`)
    .join('; ');
  return [
    `#${fuzzCase.index} [${fuzzCase.phase}] ${fuzzCase.operation} as ${fuzzCase.caller}`,
    `  ${fuzzCase.method} ${url}`,
    `  mutations: ${fuzzCase.mutations.join(' + ')}`,
    ...(headers ? [`  headers: ${headers}`] : []),
    ...(fuzzCase.payload !== undefined ? [`  body: ${excerpt(fuzzCase.payload)}`] : []),
    ...(fuzzCase.rejectionReasons.length > 0
      ? [`  must be rejected because: ${fuzzCase.rejectionReasons.join('; ')}`]
      : []),
  ].join('\n');
}

export function describeFinding(finding: FuzzFinding): string {
  return `${describeCase(finding.fuzzCase)}\n  → ${finding.status}: ${finding.issues.join('; ')}\n  response: ${excerpt(finding.bodyExcerpt, 400)}`;
}

/**
 * Sends the cases `concurrency` at a time and checks each response. In the `accepted` phase a 412 or
 * 428 carrying `currentETag` is retried once with that ETag, so the hostile values reach the write.
 */
export async function runFuzzCases(
  app: App,
  cases: FuzzCase[],
  options: {
    concurrency: number;
    mustReject: boolean;
    /** Further checks of each response (the leak check's planted markers). */
    extraIssues?: (fuzzCase: FuzzCase, response: ObservedResponse) => string[];
  },
): Promise<FuzzRun> {
  const run: FuzzRun = { findings: [], requests: 0, statuses: new Map() };
  const send = async (fuzzCase: FuzzCase, headers = fuzzCase.headers): Promise<ObservedResponse> => {
    run.requests += 1;
    const response = await app.inject({
      method: fuzzCase.method as 'GET',
      url: fuzzCase.url,
      // The case number as request id (unless the case sends its own), to find its log lines.
      headers: { 'x-request-id': `${FUZZ_REQUEST_ID_PREFIX}${fuzzCase.index}`, ...headers },
      ...(fuzzCase.payload !== undefined ? { payload: fuzzCase.payload } : {}),
    });
    run.statuses.set(response.statusCode, (run.statuses.get(response.statusCode) ?? 0) + 1);
    return { statusCode: response.statusCode, headers: response.headers, body: response.body };
  };
  const check = (fuzzCase: FuzzCase, response: ObservedResponse) => {
    const issues = responseIssues(response);
    if (fuzzCase.expected) issues.push(...expectationIssues(fuzzCase.expected, response));
    if (options.extraIssues) issues.push(...options.extraIssues(fuzzCase, response));
    if (options.mustReject && (response.statusCode < 400 || response.statusCode >= 500)) {
      issues.push(
        `must be rejected (${fuzzCase.rejectionReasons.join('; ')}) but was answered ${response.statusCode}`,
      );
    }
    if (issues.length > 0) {
      run.findings.push({
        fuzzCase,
        status: response.statusCode,
        issues,
        bodyExcerpt: response.body.slice(0, 2000),
      });
    }
  };

  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const fuzzCase = cases[next++]!;
      let response = await send(fuzzCase);
      // 412: a stale If-Match; 428: a required one is missing. Both name the current ETag.
      if (fuzzCase.phase === 'accepted' && (response.statusCode === 412 || response.statusCode === 428)) {
        const current = (JSON.parse(response.body) as { currentETag?: unknown }).currentETag;
        if (typeof current === 'string') {
          check(fuzzCase, response);
          response = await send(fuzzCase, { ...fuzzCase.headers, 'if-match': current });
        }
      }
      check(fuzzCase, response);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return run;
}

/**
 * Cursors the API itself issues (first page of one item, as every caller, for every value of a
 * `sort` parameter), for the fuzzer to replay, tamper with and use on the wrong endpoint.
 */
export async function harvestCursors(
  app: App,
  operations: Operation[],
  world: SecurityCast,
): Promise<Record<string, string[]>> {
  const cursors: Record<string, string[]> = {};
  const callers = [undefined, ...Object.values(world.users).map((user) => user.headers)];
  for (const op of operations) {
    if (op.method !== 'GET' || !op.parameters.some((p) => p.in === 'query' && p.name === 'cursor')) continue;
    if (op.parameters.some((p) => p.in === 'path')) continue;
    const sort = op.parameters.find((p) => p.in === 'query' && p.name === 'sort');
    const sorts = Array.isArray(sort?.schema.enum) ? sort.schema.enum.map(String) : [undefined];
    const found = new Set<string>();
    for (const headers of callers) {
      for (const sortValue of sorts) {
        const query = `limit=1${sortValue ? `&sort=${sortValue}&q=security` : ''}`;
        const response = await app.inject({
          method: 'GET',
          url: `${fillPath(op.path, {})}?${query}`,
          headers,
        });
        if (response.statusCode !== 200) continue;
        const { nextCursor } = response.json() as { nextCursor?: unknown };
        if (typeof nextCursor === 'string') found.add(nextCursor);
      }
    }
    cursors[op.key] = [...found];
  }
  return cursors;
}
