import {
  FREE_MUTATIONS,
  guaranteedRejections,
  type MutationContext,
  mutationsFor,
} from './fuzz-mutations.js';
import {
  BODY_METHODS,
  type Draft,
  type ExpectedAnswer,
  FUZZ_CALLERS,
  type FuzzCaller,
  finish,
  pathParameterKind,
  percentEncode,
  realIdFor,
  realIdsFor,
  rejectionReasons,
} from './fuzz-request.js';
import { HOSTILE_STRINGS } from './hostile-values.js';
import type { JsonSchema, Operation } from './openapi-operations.js';
import { createRandom, type Random } from './random.js';
import { acceptsType, EXACT, isDefinitelyInvalid, propertyPaths } from './schema-oracle.js';
import { COURSE_NAMES, type SecurityCast } from './security-cast.js';

/**
 * Turns the OpenAPI operations into a deterministic list of hostile requests (same seed, same list).
 * - `rejected`: requests that are invalid by construction (every write request is one): each must
 *   be answered 4xx and none may change the database.
 * - `read`: GET requests with hostile values that may legitimately succeed.
 * - `accepted`: valid write requests carrying hostile strings where the schema allows them: they may
 *   be stored, and must still never fail with a 5xx or leak.
 */

export type FuzzPhase = 'rejected' | 'read' | 'accepted';

export interface FuzzCase {
  index: number;
  phase: FuzzPhase;
  operation: string;
  caller: FuzzCaller;
  mutations: string[];
  /** Why the request must be refused (empty when it may be accepted). */
  rejectionReasons: string[];
  /** The exact answer the mutation guarantees, if any (checked by the runner). */
  expected?: ExpectedAnswer;
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string | Buffer;
}

export interface FuzzPlan {
  seed: number;
  cases: FuzzCase[];
}

export interface FuzzPlanOptions extends Omit<MutationContext, 'methodsByPath'> {
  seed: number;
  /** At least this many cases in total (the last operation's share is rounded up). */
  totalCases: number;
  /** Share of the total for the `accepted` phase. */
  acceptedShare?: number;
}

function clone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/** A schema-valid value for `schema`, with real ids for id-like names. */
function synthesize(schema: JsonSchema, name: string, draft: Draft, world: SecurityCast): unknown {
  const branches = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (Array.isArray(branches) && branches[0]) return synthesize(branches[0], name, draft, world);
  if (schema.default !== undefined) return clone(schema.default);
  if (Array.isArray(schema.enum)) return schema.enum[0];
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string':
      if (schema.format === 'uuid') return realIdFor(name, draft.course, draft.user, world);
      if (schema.format === 'uri') return 'https://example.com/fuzz';
      if (schema.format === 'date-time') return new Date(Date.now() + 86_400_000).toISOString();
      return 'Fuzzed value'.slice(0, Math.max(Number(schema.maxLength ?? 12), 1));
    case 'integer':
    case 'number':
      return typeof schema.minimum === 'number' ? schema.minimum : 0;
    case 'boolean':
      return false;
    case 'array': {
      const items = (schema.items as JsonSchema | undefined) ?? {};
      if (items.format === 'uuid') return realIdsFor(name, draft.course, draft.user, world);
      return typeof schema.minItems === 'number' && schema.minItems > 0
        ? [synthesize(items, name, draft, world)]
        : [];
    }
    case 'object': {
      const properties = (schema.properties as Record<string, JsonSchema> | undefined) ?? {};
      const required = (schema.required as string[] | undefined) ?? [];
      return Object.fromEntries(
        required.map((key) => [key, synthesize(properties[key] ?? {}, key, draft, world)]),
      );
    }
    default:
      return null;
  }
}

/** Replaces ids in a documentation example (made-up UUIDs) with ids of the world. */
function withRealIds(
  value: unknown,
  schema: JsonSchema,
  name: string,
  draft: Draft,
  world: SecurityCast,
): unknown {
  if (schema.format === 'uuid' && typeof value === 'string')
    return realIdFor(name, draft.course, draft.user, world);
  if (Array.isArray(value) && (schema.items as JsonSchema | undefined)?.format === 'uuid') {
    return realIdsFor(name, draft.course, draft.user, world);
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const properties = (schema.properties as Record<string, JsonSchema> | undefined) ?? {};
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        withRealIds(item, properties[key] ?? {}, key, draft, world),
      ]),
    );
  }
  return value;
}

/** A request to `op` as `caller` that reaches real resources: the starting point of every case. */
export function baseDraft(op: Operation, caller: FuzzCaller, world: SecurityCast, random: Random): Draft {
  const courseName =
    caller === 'student'
      ? random.pick(['enrolledCourse', 'publishedCourse'] as const)
      : random.pick(COURSE_NAMES);
  const course = world.courses[courseName];
  const user = random.pick(Object.values(world.users));
  const draft: Draft = {
    op,
    caller,
    method: op.method,
    course,
    user,
    path: {},
    query: [],
    headers: caller === 'anonymous' ? {} : { ...world.users[caller].headers },
    body: { kind: 'none' },
    rawJson: new Map(),
    contentType: 'application/json',
    labels: [],
    reasons: [],
  };
  for (const parameter of op.parameters) {
    if (parameter.in === 'path') {
      const kind = pathParameterKind(op.path, parameter.name);
      let value: string;
      if (kind === 'user') value = user.id;
      else if (kind === 'module') value = course.moduleId;
      else if (kind === 'lesson') value = random.pick([course.lessonId, course.previewLessonId]);
      else if (kind === 'quiz') value = world.quiz.id;
      else if (kind === 'question') value = world.quiz.questionId;
      else if (kind === 'quizAttempt') value = world.quiz.attemptId;
      else if (kind === 'course' && parameter.schema.format !== 'uuid' && random.chance(0.3))
        value = course.slug;
      else value = realIdFor(parameter.name, course, user, world);
      draft.path[parameter.name] = percentEncode(value);
    } else if (parameter.in === 'query' && parameter.required && parameter.schema.default === undefined) {
      const value = synthesize(parameter.schema, parameter.name, draft, world);
      draft.query.push({ name: parameter.name, encoded: percentEncode(String(value)) });
    } else if (parameter.in === 'header' && parameter.name === 'if-match' && op.method !== 'GET') {
      draft.headers['if-match'] = `"${course.version}"`;
    }
  }
  if (op.body && BODY_METHODS.has(op.method)) {
    const example = op.body.examples.length > 0 ? clone(random.pick(op.body.examples)) : undefined;
    const value =
      example === undefined
        ? synthesize(op.body.schema, 'body', draft, world)
        : withRealIds(example, op.body.schema, 'body', draft, world);
    draft.body = { kind: 'json', value };
  }
  return draft;
}

function toCase(index: number, phase: FuzzPhase, draft: Draft, reasons: string[]): FuzzCase {
  const request = finish(draft);
  return {
    index,
    phase,
    operation: draft.op.key,
    caller: draft.caller,
    mutations: draft.labels,
    rejectionReasons: reasons,
    ...(draft.expected === undefined ? {} : { expected: draft.expected }),
    ...request,
  };
}

function methodsByPath(operations: Operation[]): Map<string, Set<string>> {
  const map = new Map<string, Set<string>>();
  for (const op of operations) {
    const methods = map.get(op.path) ?? new Set<string>();
    methods.add(op.method);
    if (op.method === 'GET') methods.add('HEAD');
    map.set(op.path, methods);
  }
  return map;
}

/** Hostile cases for every operation: the `rejected` and `read` phases. */
function hostileCases(
  operations: Operation[],
  context: MutationContext,
  random: Random,
  perOperation: number,
  firstIndex: number,
): FuzzCase[] {
  const cases: FuzzCase[] = [];
  for (const op of operations) {
    const primaries = mutationsFor(op, context);
    const fallbacks = guaranteedRejections(op);
    const routed = context.methodsByPath.get(op.path) ?? new Set<string>();
    const count = Math.max(perOperation, primaries.length);
    for (let i = 0; i < count; i++) {
      const firstPass = i < primaries.length;
      const caller = firstPass ? FUZZ_CALLERS[i % FUZZ_CALLERS.length]! : random.pick(FUZZ_CALLERS);
      const draft = baseDraft(op, caller, context.world, random);
      const primary = firstPass ? primaries[i]! : random.pick(primaries);
      draft.labels.push(primary.label);
      primary.apply(draft, random);
      for (let extra = random.chance(0.35) ? 1 + random.int(2) : 0; extra > 0; extra--) {
        const free = random.pick(FREE_MUTATIONS);
        draft.labels.push(free.label);
        free.apply(draft, random);
      }
      let reasons = rejectionReasons(draft, routed);
      // Only GET may succeed in this phase: a write request nothing made invalid gets a sure rejection.
      if (reasons.length === 0 && draft.method !== 'GET' && draft.method !== 'HEAD') {
        const fallback = random.pick(fallbacks);
        draft.labels.push(fallback.label);
        draft.expected = undefined;
        draft.jsonTextCache = undefined;
        fallback.apply(draft, random);
        reasons = rejectionReasons(draft, routed);
        if (reasons.length === 0)
          throw new Error(`${op.key}: "${fallback.label}" did not make the request invalid`);
      }
      cases.push(toCase(firstIndex + cases.length, reasons.length > 0 ? 'rejected' : 'read', draft, reasons));
    }
  }
  return cases;
}

/** Valid write requests with one string field replaced by a hostile string the schema accepts. */
function acceptedCases(
  operations: Operation[],
  context: MutationContext,
  random: Random,
  budget: number,
  firstIndex: number,
): FuzzCase[] {
  const writers = operations.filter((op) => op.body && BODY_METHODS.has(op.method));
  const callers: FuzzCaller[] = ['instructor', 'admin', 'student'];
  const perOperation: Array<Array<() => FuzzCase | undefined>> = writers.map((op) => {
    const builders: Array<() => FuzzCase | undefined> = [];
    const routed = context.methodsByPath.get(op.path) ?? new Set<string>();
    const schema = op.body?.schema ?? {};
    const strings = propertyPaths(schema).filter(
      ({ schema: property }) =>
        acceptsType(property, 'string') && property.format !== 'uuid' && !Array.isArray(property.enum),
    );
    for (const { path, schema: property } of strings) {
      for (const hostile of HOSTILE_STRINGS) {
        const caller = op.security === 'none' ? 'anonymous' : callers[builders.length % callers.length]!;
        builders.push(() => {
          const draft = baseDraft(op, caller, context.world, random);
          if (draft.body.kind !== 'json') return undefined;
          const body = draft.body.value as Record<string, unknown>;
          let node = body;
          for (const key of path.slice(0, -1)) {
            if (node[key] === null || typeof node[key] !== 'object') node[key] = {};
            node = node[key] as Record<string, unknown>;
          }
          const key = path.at(-1)!;
          const current = typeof node[key] === 'string' ? (node[key] as string) : '';
          // Whole, or spliced into the example (so that patterned fields such as emails still match).
          const candidates = [
            hostile,
            `${current.slice(0, 1)}${hostile}${current.slice(1)}`,
            `${current}${hostile}`,
          ];
          const value = candidates.find((candidate) => !isDefinitelyInvalid(property, candidate, EXACT));
          if (value === undefined) return undefined;
          node[key] = value;
          draft.labels.push(`body /${path.join('/')}: hostile but allowed`);
          const reasons = rejectionReasons(draft, routed);
          if (reasons.length > 0) return undefined;
          return toCase(0, 'accepted', draft, reasons);
        });
      }
    }
    builders.push(() => {
      const draft = baseDraft(op, op.security === 'none' ? 'anonymous' : 'instructor', context.world, random);
      if (draft.body.kind !== 'json') return undefined;
      draft.body = { kind: 'json', value: [draft.body.value] };
      draft.labels.push('body: valid body wrapped in an array');
      return toCase(0, 'accepted', draft, rejectionReasons(draft, routed));
    });
    return builders;
  });
  const cases: FuzzCase[] = [];
  // Round-robin over the operations, so a small budget still reaches all of them.
  for (let round = 0; cases.length < budget; round++) {
    let progressed = false;
    for (const builders of perOperation) {
      const build = builders[round];
      if (!build) continue;
      progressed = true;
      const built = build();
      if (built && cases.length < budget) cases.push({ ...built, index: firstIndex + cases.length });
    }
    if (!progressed) break;
  }
  return cases;
}

export function planFuzzing(operations: Operation[], options: FuzzPlanOptions): FuzzPlan {
  const random = createRandom(options.seed);
  const context: MutationContext = { ...options, methodsByPath: methodsByPath(operations) };
  const accepted = acceptedCases(
    operations,
    context,
    random,
    Math.round(options.totalCases * (options.acceptedShare ?? 0.15)),
    0,
  );
  const remaining = Math.max(options.totalCases - accepted.length, 0);
  const hostile = hostileCases(
    operations,
    context,
    random,
    Math.ceil(remaining / operations.length),
    accepted.length,
  );
  return { seed: options.seed, cases: [...accepted, ...hostile] };
}
