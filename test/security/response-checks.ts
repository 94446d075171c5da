import { ERROR_CATALOG } from '../../src/shared/errors.js';
import type { ExpectedAnswer } from './fuzz-request.js';

/**
 * What every response must satisfy whatever was sent: errors are RFC 9457 problem details with the
 * project's members, and no body reveals internals (stack traces, SQL, password hashes).
 */

export interface ObservedResponse {
  statusCode: number;
  headers: Record<string, unknown>;
  body: string;
}

/**
 * Text only a leak would put in a response. The fuzzer's own payloads contain SQL-like text and are
 * sometimes echoed back (e.g. "No route matches GET /api/v1/users/' OR 1=1 --"), so SQL is recognised
 * by what PostgreSQL, pg and Drizzle write (error wording, quoted identifiers), never by keywords alone.
 */
const LEAK_SIGNATURES: Array<{ what: string; pattern: RegExp }> = [
  // Inside a JSON string a stack's newlines are escaped (`\\n    at fn (/app/src/x.ts:1:2)`).
  { what: 'stack trace', pattern: /(?:\n|\\n)\s*at (?:async )?\S+ \(?(?:\/|file:|node:|[A-Za-z]:\\)/ },
  { what: 'stack trace', pattern: /\bat (?:async )?[\w.$<>]+ \((?:\/|file:\/\/|node:)[^)]*:\d+:\d+\)/ },
  { what: 'source path', pattern: /(?:\/src\/|\/node_modules\/)[\w./-]+\.(?:ts|js|mjs|cjs)\b/ },
  { what: 'password hash', pattern: /password_?hash|\$argon2(?:id|i|d)\$/i },
  { what: 'token hash', pattern: /token_?hash/i },
  {
    what: 'SQL error',
    pattern:
      /Failed query|syntax error at or near|invalid input syntax for|violates (?:check|foreign key|unique|not-null) constraint|duplicate key value|current transaction is aborted|column \\?"[^"\\]*\\?" (?:does not exist|of relation)|relation \\?"[^"\\]*\\?" does not exist/i,
  },
  // Drizzle's SQL quotes identifiers: `from "users"`, `"users"."id"` (backslash-escaped inside JSON).
  {
    what: 'SQL text',
    pattern: /\b(?:from|into|update|join)\s+\\?"[a-z_]+\\?"|\\?"[a-z_]+\\?"\.\\?"[a-z_]+\\?"/i,
  },
  { what: 'SQL parameters', pattern: /\bparams: \[|= \$\d+\b/ },
  { what: 'PostgreSQL error', pattern: /\bSQLSTATE\b|"severity"\s*:\s*"ERROR"|\bpg_catalog\./ },
];

export function leaksIn(body: string): string[] {
  return LEAK_SIGNATURES.filter(({ pattern }) => pattern.test(body)).map(({ what }) => what);
}

function header(response: ObservedResponse, name: string): string | undefined {
  const value = response.headers[name];
  return typeof value === 'string' ? value : Array.isArray(value) ? value.join(', ') : undefined;
}

/** Problems with an error response's shape (empty when it is a proper problem document). */
export function problemShapeIssues(response: ObservedResponse): string[] {
  const issues: string[] = [];
  const contentType = header(response, 'content-type') ?? '';
  if (!contentType.startsWith('application/problem+json')) {
    issues.push(`content-type is "${contentType}", not application/problem+json`);
  }
  let problem: Record<string, unknown>;
  try {
    problem = JSON.parse(response.body) as Record<string, unknown>;
  } catch {
    return [...issues, 'body is not JSON'];
  }
  if (problem === null || typeof problem !== 'object' || Array.isArray(problem)) {
    return [...issues, 'body is not a JSON object'];
  }
  for (const member of ['type', 'title', 'code', 'requestId'] as const) {
    if (typeof problem[member] !== 'string' || problem[member] === '') issues.push(`"${member}" missing`);
  }
  if (problem.status !== response.statusCode) {
    issues.push(`"status" is ${String(problem.status)}, the response is ${response.statusCode}`);
  }
  if (typeof problem.code === 'string' && !(problem.code in ERROR_CATALOG)) {
    issues.push(`"code" ${problem.code} is not in the error catalog`);
  }
  const requestId = header(response, 'x-request-id');
  if (requestId !== undefined && problem.requestId !== requestId) {
    issues.push('"requestId" differs from the x-request-id header');
  }
  return issues;
}

/** Every rule that applies to `response`: no 5xx, problem+json for errors, no leaks. */
export function responseIssues(response: ObservedResponse): string[] {
  const issues: string[] = [];
  if (response.statusCode >= 500) issues.push(`server error ${response.statusCode}`);
  if (response.statusCode >= 400) issues.push(...problemShapeIssues(response));
  if (response.statusCode === 401 && !/^Bearer\b/.test(header(response, 'www-authenticate') ?? '')) {
    issues.push('401 without WWW-Authenticate: Bearer');
  }
  if (response.statusCode === 405 && !header(response, 'allow')) issues.push('405 without an Allow header');
  for (const leak of leaksIn(response.body)) issues.push(`body leaks a ${leak}`);
  return issues;
}

/** How `response` differs from the answer a mutation guarantees (status, listed fields, Allow). */
export function expectationIssues(expected: ExpectedAnswer, response: ObservedResponse): string[] {
  if (response.statusCode !== expected.status) {
    return [`must be answered ${expected.status}, was ${response.statusCode}`];
  }
  const issues: string[] = [];
  if (expected.errors) {
    let listed: Array<{ field?: unknown; message?: unknown }> = [];
    try {
      const problem = JSON.parse(response.body) as { code?: unknown; errors?: unknown };
      if (problem.code !== 'validation_failed')
        issues.push(`code is ${String(problem.code)}, not validation_failed`);
      if (Array.isArray(problem.errors)) listed = problem.errors;
    } catch {
      return ['body is not JSON'];
    }
    for (const { field, message } of expected.errors) {
      // The field itself or inside it (`/querystring/tags/0` for a coerced one-item array).
      const found = listed.some(
        (error) =>
          typeof error.field === 'string' &&
          (error.field === field || error.field.startsWith(`${field}/`)) &&
          (message === undefined || error.message === message),
      );
      if (!found) issues.push(`no error listed for ${field}${message === undefined ? '' : ` (${message})`}`);
    }
  }
  if (expected.allow) {
    const allow = (header(response, 'allow') ?? '')
      .split(',')
      .map((method) => method.trim())
      .filter(Boolean);
    if ([...allow].sort().join() !== [...expected.allow].sort().join()) {
      issues.push(`Allow is "${allow.join(', ')}", the path routes ${[...expected.allow].sort().join(', ')}`);
    }
  }
  return issues;
}
