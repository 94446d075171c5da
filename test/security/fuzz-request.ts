import type { Operation } from './openapi-operations.js';
import { fillPath } from './openapi-operations.js';
import { COERCED, EXACT, isDefinitelyInvalid } from './schema-oracle.js';
import type { CastCourse, CastUser, SecurityCast } from './security-cast.js';

/**
 * A request under construction: the generator builds a valid one for an operation, mutations make it
 * hostile, and `rejectionReasons` says whether it must now be refused (and why).
 */

export const FUZZ_CALLERS = ['anonymous', 'student', 'instructor', 'admin'] as const;
export type FuzzCaller = (typeof FUZZ_CALLERS)[number];

/** Methods whose requests carry a body Fastify parses. */
export const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** A status, and for a 400 the field errors the response must list (each message when given). */
export interface ExpectedAnswer {
  status: number;
  errors?: Array<{ field: string; message?: string }>;
  /** For a 405: the methods the `Allow` header must list. */
  allow?: string[];
}

export type BodyDraft =
  | { kind: 'none' }
  | { kind: 'json'; value: unknown }
  /** Sent as is; `contentType` undefined sends none. */
  | { kind: 'raw'; payload: string | Buffer; contentType: string | undefined };

export interface Draft {
  op: Operation;
  caller: FuzzCaller;
  method: string;
  course: CastCourse;
  user: CastUser;
  /** Percent-encoded path parameter values. */
  path: Record<string, string>;
  query: Array<{ name: string; encoded: string }>;
  headers: Record<string, string>;
  body: BodyDraft;
  /** JSON text replacing string placeholders (numbers JSON.stringify cannot write, e.g. `1e309`). */
  rawJson: Map<string, string>;
  /** Content type sent with a JSON body (default application/json). */
  contentType: string;
  labels: string[];
  /** Rejections that mutations guarantee beyond the schemas (unknown id, stale If-Match, ...). */
  reasons: string[];
  /** The exact answer a mutation guarantees, when it does (e.g. 400 naming the field it broke). */
  expected?: ExpectedAnswer;
  /** The serialised JSON body, once computed (large bodies are costly to serialise twice). */
  jsonTextCache?: string;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?:^|[^\ud800-\udbff])[\udc00-\udfff]/;

/** Percent-encodes any string, lone surrogates included (as the invalid UTF-8 a sloppy client sends). */
export function percentEncode(value: string): string {
  if (!LONE_SURROGATE.test(value)) {
    return encodeURIComponent(value).replace(
      /[!'()*]/g,
      (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
    );
  }
  let encoded = '';
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    const next = value.charCodeAt(i + 1);
    if (code >= 0xd800 && code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      encoded += encodeURIComponent(value.slice(i, i + 2));
      i++;
    } else if (code >= 0xd800 && code <= 0xdfff) {
      const bytes = [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)];
      encoded += bytes.map((byte) => `%${byte.toString(16).toUpperCase()}`).join('');
    } else {
      encoded += encodeURIComponent(value[i] as string).replace(
        /[!'()*]/g,
        (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
      );
    }
  }
  return encoded;
}

export function tryDecode(encoded: string): string | undefined {
  try {
    return decodeURIComponent(encoded);
  } catch {
    return undefined;
  }
}

/** The JSON text of a JSON body, with raw placeholders substituted. */
/** The JSON text of the draft's JSON body (cached: mutate the body before the first call). */
function draftJsonText(draft: Draft & { body: { kind: 'json' } }): string {
  draft.jsonTextCache ??= jsonText(draft, draft.body.value);
  return draft.jsonTextCache;
}

export function jsonText(draft: Draft, value: unknown): string {
  let text = JSON.stringify(value) ?? 'null';
  for (const [placeholder, raw] of draft.rawJson) text = text.replace(JSON.stringify(placeholder), raw);
  return text;
}

function isJsonContentType(contentType: string | undefined): boolean {
  return contentType !== undefined && /^application\/json\s*(;|$)/i.test(contentType.trim());
}

/** Why the finished request must be refused; empty when it may be accepted. */
export function rejectionReasons(draft: Draft, routedMethods: ReadonlySet<string>): string[] {
  const { op } = draft;
  const reasons = [...draft.reasons];
  if (!routedMethods.has(draft.method)) reasons.push(`no ${draft.method} route on this path`);

  for (const parameter of op.parameters.filter((p) => p.in === 'path')) {
    const encoded = draft.path[parameter.name] ?? '';
    const decoded = tryDecode(encoded);
    if (decoded === undefined) reasons.push(`path ${parameter.name} is not valid percent-encoding`);
    else if (decoded === '' || isDefinitelyInvalid(parameter.schema, decoded, COERCED)) {
      reasons.push(`path ${parameter.name} breaks its schema`);
    }
  }

  const queryValues = new Map<string, Array<string | undefined>>();
  for (const { name, encoded } of draft.query) {
    queryValues.set(name, [...(queryValues.get(name) ?? []), tryDecode(encoded)]);
  }
  for (const parameter of op.parameters.filter((p) => p.in === 'query')) {
    const values = queryValues.get(parameter.name);
    if (values === undefined) {
      if (parameter.required && parameter.schema.default === undefined) {
        reasons.push(`query ${parameter.name} missing`);
      }
      continue;
    }
    // Values that are not valid percent-encoding are decoded leniently by the server: no verdict.
    if (values.some((value) => value === undefined)) continue;
    const value = values.length === 1 ? values[0] : values;
    if (isDefinitelyInvalid(parameter.schema, value, COERCED))
      reasons.push(`query ${parameter.name} breaks its schema`);
  }

  if (op.security === 'required' && draft.headers.authorization === undefined)
    reasons.push('no access token');

  if (BODY_METHODS.has(draft.method)) {
    if (draft.body.kind === 'none') {
      if (op.body?.required) reasons.push('body missing');
    } else {
      const raw = draft.body.kind === 'raw' ? draft.body : undefined;
      const contentType = raw ? raw.contentType : draft.contentType;
      const text =
        draft.body.kind === 'raw'
          ? Buffer.isBuffer(draft.body.payload)
            ? draft.body.payload.toString('utf8')
            : draft.body.payload
          : draftJsonText(draft as Draft & { body: { kind: 'json' } });
      // A body over the limit is refused before it is parsed.
      if (!draft.reasons.includes('body too large') && isJsonContentType(contentType)) {
        let parsed: unknown;
        let parses = true;
        try {
          parsed = JSON.parse(text);
        } catch {
          parses = false;
        }
        if (!parses) reasons.push(text.trim() === '' ? 'empty JSON body' : 'malformed JSON');
        else if (/"(?:__proto__|constructor)"\s*:/.test(text)) reasons.push('prototype poisoning keys');
        else if (op.body && isDefinitelyInvalid(op.body.schema, parsed, EXACT))
          reasons.push('body breaks its schema');
      }
    }
  }
  return reasons;
}

export interface FinishedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string | Buffer;
}

export function finish(draft: Draft): FinishedRequest {
  const query = draft.query.map(({ name, encoded }) => `${percentEncode(name)}=${encoded}`).join('&');
  const url = `${fillPath(draft.op.path, draft.path)}${query ? `?${query}` : ''}`;
  const headers = { ...draft.headers };
  if (draft.body.kind === 'none') return { method: draft.method, url, headers };
  if (draft.body.kind === 'raw') {
    if (draft.body.contentType !== undefined) headers['content-type'] = draft.body.contentType;
    return { method: draft.method, url, headers, payload: draft.body.payload };
  }
  headers['content-type'] = draft.contentType;
  return {
    method: draft.method,
    url,
    headers,
    payload: draftJsonText(draft as Draft & { body: { kind: 'json' } }),
  };
}

// ---------------------------------------------------------------------------------------------
// Real values, so requests get past "not found" and reach validation and the services.

/** A real id for a property or parameter named `name` (lessonIds, moduleId, instructorId, ...). */
export function realIdFor(name: string, course: CastCourse, user: CastUser, world: SecurityCast): string {
  const lower = name.toLowerCase();
  if (lower.includes('lesson')) return course.lessonId;
  if (lower.includes('module')) return course.moduleId;
  if (lower.includes('course')) return course.id;
  if (lower.includes('instructor')) return world.users.instructor.id;
  if (lower.includes('user')) return user.id;
  return course.id;
}

export function realIdsFor(name: string, course: CastCourse, user: CastUser, world: SecurityCast): string[] {
  if (name.toLowerCase().includes('lesson')) return [course.lessonId, course.previewLessonId];
  return [realIdFor(name, course, user, world)];
}

/** The resource kind a path parameter names: by its own name, else by the segment before it. */
export function pathParameterKind(
  path: string,
  name: string,
): 'course' | 'module' | 'lesson' | 'user' | 'quiz' | 'question' | 'quizAttempt' | 'other' {
  const lower = name.toLowerCase();
  if (lower.startsWith('lesson')) return 'lesson';
  if (lower.startsWith('module')) return 'module';
  if (lower.startsWith('user')) return 'user';
  if (lower.startsWith('course')) return 'course';
  const segments = path.split('/');
  const segment = segments[segments.indexOf(`{${name}}`) - 1] ?? '';
  if (segment === 'users') return 'user';
  if (segment === 'courses') return 'course';
  if (segment === 'modules') return 'module';
  if (segment === 'lessons') return 'lesson';
  if (segment === 'quizzes') return 'quiz';
  if (segment === 'questions') return 'question';
  if (segment === 'quiz-attempts') return 'quizAttempt';
  return 'other';
}
