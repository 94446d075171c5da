import { NUL_MESSAGE } from '../../src/http/request-validation.js';
import {
  BODY_METHODS,
  type Draft,
  jsonText,
  pathParameterKind,
  percentEncode,
  realIdFor,
  tryDecode,
} from './fuzz-request.js';
import {
  codePoints,
  HOSTILE_STRINGS,
  MALFORMED_JSON,
  MASS_ASSIGNMENT_FIELDS,
  NUMBERISH_STRINGS,
  ODD_HEADER_VALUES,
  ODD_IF_NONE_MATCH,
  operatorHeavyString,
  RAW_ENCODED,
  RAW_JSON_NUMBERS,
  SEARCH_OPERATORS,
  STALE_IF_MATCH,
} from './hostile-values.js';
import { forgedVariants } from './jwt-forgery.js';
import { fillPath, type JsonSchema, type Operation } from './openapi-operations.js';
import type { Random } from './random.js';
import { acceptsType, EXACT, isDefinitelyInvalid, propertyPaths } from './schema-oracle.js';
import type { SecurityCast } from './security-cast.js';

/** One way of making a request hostile. `apply` draws its values from the seeded PRNG. */
export interface Mutation {
  label: string;
  apply(draft: Draft, random: Random): void;
}

export interface MutationContext {
  world: SecurityCast;
  /** nextCursor values the API issued, per operation key. */
  cursors: Record<string, string[]>;
  bodyLimitBytes: number;
  jwtSecret: string;
  /** Methods routed on each OpenAPI path. */
  methodsByPath: Map<string, Set<string>>;
}

// Not OPTIONS: a CORS plugin would legitimately answer it on every path.
const ALL_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'TRACE'];
/** Huge strings are 100k characters; arrays and objects are smaller, their cost is per element. */
const HUGE = 100_000;
const HUGE_ARRAY = 10_000;
const MANY_KEYS = 2_000;

/** Content types the application has no parser for: 415 whatever the body. */
const UNSUPPORTED_CONTENT_TYPES = [
  'application/xml',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=----fuzz',
  'application/octet-stream',
  'text/html',
  'image/png',
];
/** Content types whose handling is the framework's choice: no expectation beyond "no 5xx". */
const ODD_CONTENT_TYPES = [
  // Fastify parses text/plain by default: a route without a body schema then ignores the body.
  'text/plain',
  'text/plain; charset=utf-16',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'APPLICATION/JSON',
  'application/jsonx',
  'application/problem+json',
  'application/json-patch+json',
  ' application/json ',
  'application/json; boundary=x; charset=utf-8; charset=ascii',
  ';;;',
];

const WRONG_TYPE_VALUES: unknown[] = [{}, { $gt: '' }, [1, 2], 42, true, null, 'text', [], [[[]]], -1, 1.5];

let placeholderSequence = 0;
function rawNumber(draft: Draft, raw: string): string {
  placeholderSequence += 1;
  const placeholder = `\u0000raw-json-${placeholderSequence}\u0000`;
  draft.rawJson.set(placeholder, raw);
  return placeholder;
}

function jsonBodyOf(draft: Draft): Record<string, unknown> {
  if (draft.body.kind === 'json' && draft.body.value !== null && typeof draft.body.value === 'object') {
    return draft.body.value as Record<string, unknown>;
  }
  const value: Record<string, unknown> = {};
  draft.body = { kind: 'json', value };
  return value;
}

export function setAt(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const child = node[key];
    if (child === null || typeof child !== 'object' || Array.isArray(child)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path.at(-1) as string] = value;
}

function getAt(target: unknown, path: string[]): unknown {
  let node = target;
  for (const key of path) node = (node as Record<string, unknown> | null | undefined)?.[key];
  return node;
}

function deleteAt(target: Record<string, unknown>, path: string[]): void {
  let node: unknown = target;
  for (const key of path.slice(0, -1)) node = (node as Record<string, unknown> | undefined)?.[key];
  if (node && typeof node === 'object') delete (node as Record<string, unknown>)[path.at(-1) as string];
}

/** `text` with a NUL after its first character (the rest of the value stays as valid as it was). */
function withNul(text: string): string {
  return `${text.slice(0, 1)}\u0000${text.slice(1)}`;
}

function hugeString(random: Random, length = HUGE): string {
  return codePoints(length, random.chance(0.5) ? 'a' : random.pick(['😀', 'é', '\u0000', ' ', '\ud800']));
}

/** Variants of a cursor the API issued: edited leaves, extra or missing keys, other types. */
function tamperedCursor(cursor: string, random: Random): string {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return `${cursor.slice(0, -2)}${random.pick(['A', '_', '-', '9'])}`;
  }
  const leafValues: unknown[] = [
    ...HOSTILE_STRINGS,
    '0000-01-01T00:00:00.000000Z',
    '9999-12-31T23:59:59.999999Z',
    '2025-02-31T00:00:00.000000Z',
    '1969-12-31T23:59:59.999999Z',
    '-infinity',
    'infinity',
    'epoch',
    'allballs',
    '00000000-0000-0000-0000-000000000000',
    -1,
    1e308,
    1.5,
    2147483648,
    null,
    [],
    {},
    true,
  ];
  const tamper = (value: unknown): unknown => {
    if (Array.isArray(value)) {
      const copy = [...value];
      if (copy.length > 0 && random.chance(0.8)) copy[random.int(copy.length)] = random.pick(leafValues);
      else copy.push(random.pick(leafValues));
      return copy;
    }
    if (value !== null && typeof value === 'object') {
      const copy = { ...(value as Record<string, unknown>) };
      const keys = Object.keys(copy);
      const choice = random.int(4);
      if (choice === 0 && keys.length > 0) delete copy[random.pick(keys)];
      else if (choice === 1) copy[random.pick(['extra', '__proto__', 's', 'id'])] = random.pick(leafValues);
      else if (keys.length > 0) copy[random.pick(keys)] = random.pick(leafValues);
      return copy;
    }
    return random.pick(leafValues);
  };
  return Buffer.from(JSON.stringify(tamper(decoded))).toString('base64url');
}

function cursorValue(
  context: MutationContext,
  op: Operation,
  random: Random,
): { value: string; label: string } {
  const own = context.cursors[op.key] ?? [];
  const foreign = Object.entries(context.cursors)
    .filter(([key]) => key !== op.key)
    .flatMap(([, cursors]) => cursors);
  const wrongJson = [
    '{}',
    '[]',
    'null',
    '"x"',
    '1',
    '{"a":1}',
    '[1,2,3]',
    '{"__proto__":{"polluted":1}}',
    `${'['.repeat(3000)}${']'.repeat(3000)}`,
    JSON.stringify({ s: 'newest', p: "' OR 1=1 --", id: "'; DROP TABLE users; --" }),
  ];
  switch (random.int(6)) {
    case 0:
      if (own.length > 0) return { value: random.pick(own), label: 'issued' };
      return { value: random.bytes(24).toString('base64url'), label: 'random' };
    case 1:
      if (own.length > 0) return { value: tamperedCursor(random.pick(own), random), label: 'tampered' };
      return { value: random.bytes(48).toString('base64url'), label: 'random' };
    case 2:
      if (foreign.length > 0) return { value: random.pick(foreign), label: 'another endpoint’s' };
      return { value: random.bytes(8).toString('base64url'), label: 'random' };
    case 3:
      return { value: random.bytes(1 + random.int(300)).toString('base64url'), label: 'random' };
    case 4:
      return { value: Buffer.from(random.pick(wrongJson)).toString('base64url'), label: 'wrong JSON' };
    default:
      return { value: random.bytes(30).toString('base64'), label: 'standard base64' };
  }
}

function queryMutations(op: Operation, context: MutationContext): Mutation[] {
  const mutations: Mutation[] = [];
  const setQuery = (draft: Draft, name: string, encodedValues: string[]) => {
    draft.query = [
      ...draft.query.filter((q) => q.name !== name),
      ...encodedValues.map((encoded) => ({ name, encoded })),
    ];
  };
  for (const parameter of op.parameters.filter((p) => p.in === 'query')) {
    const { name, schema } = parameter;
    const add = (kind: string, values: (draft: Draft, random: Random) => string[]) =>
      mutations.push({
        label: `query ${name}: ${kind}`,
        apply: (draft, random) => setQuery(draft, name, values(draft, random)),
      });
    add('hostile string', (_, random) => [percentEncode(random.pick(HOSTILE_STRINGS))]);
    add('number-like string', (_, random) => [percentEncode(random.pick(NUMBERISH_STRINGS))]);
    add('100k characters', (_, random) => [percentEncode(hugeString(random))]);
    add('repeated', (_, random) => [
      percentEncode(random.pick(['1', 'a', 'true'])),
      percentEncode(random.pick(HOSTILE_STRINGS)),
    ]);
    add('1000 values', () => Array.from({ length: 1000 }, (_, i) => String(i)));
    add('raw percent-encoding', (_, random) => [random.pick(RAW_ENCODED)]);
    add('empty', () => ['']);
    if (acceptsType(schema, 'string')) {
      mutations.push({
        label: `query ${name}: NUL inside a value`,
        apply: (draft) => {
          setQuery(draft, name, [percentEncode(withNul('value'))]);
          draft.expected = { status: 400, errors: [{ field: `/querystring/${name}`, message: NUL_MESSAGE }] };
        },
      });
    }
    add('edge value', (draft, random) => {
      const edges: string[] = [];
      if (Array.isArray(schema.enum))
        edges.push(...schema.enum.map(String), String(schema.enum[0]).toUpperCase());
      if (typeof schema.minimum === 'number') edges.push(String(schema.minimum), String(schema.minimum - 1));
      if (typeof schema.maximum === 'number') edges.push(String(schema.maximum), String(schema.maximum + 1));
      if (schema.type === 'boolean') edges.push('true', 'false', '1', 'yes');
      if (schema.format === 'uuid') {
        edges.push(
          realIdFor(name, draft.course, draft.user, context.world),
          random.uuid(),
          `urn:uuid:${random.uuid()}`,
        );
      }
      edges.push('0');
      return [percentEncode(random.pick(edges))];
    });
    // Free text (no format, enum or number): operator-heavy search strings, one per operator, since a parser of
    // search syntax behind any of them (websearch_to_tsquery today) is where such text breaks things.
    const freeText =
      acceptsType(schema, 'string') &&
      schema.format === undefined &&
      !Array.isArray(schema.enum) &&
      name !== 'cursor';
    if (freeText) {
      for (const operator of [...SEARCH_OPERATORS, undefined]) {
        add(`operator-heavy search text (${operator ?? 'mixed'})`, (_, random) => [
          percentEncode(
            operatorHeavyString(random, operator, Math.min(Number(schema.maxLength ?? 200), 200)),
          ),
        ]);
      }
    }
    if (name === 'cursor') {
      // Twice: cursors are the most interesting query parameter (decoded and used in SQL by the services).
      for (const round of [1, 2]) {
        mutations.push({
          label: `query cursor: forged (${round})`,
          apply: (draft, random) => {
            const { value, label } = cursorValue(context, op, random);
            draft.labels.push(`cursor ${label}`);
            setQuery(draft, name, [percentEncode(value)]);
          },
        });
      }
    }
  }
  return mutations;
}

function pathMutations(op: Operation, context: MutationContext): Mutation[] {
  const mutations: Mutation[] = [];
  for (const parameter of op.parameters.filter((p) => p.in === 'path')) {
    const { name } = parameter;
    const real = (draft: Draft) => draft.path[name] ?? '';
    const add = (kind: string, apply: (draft: Draft, random: Random) => void) =>
      mutations.push({ label: `path ${name}: ${kind}`, apply });
    const unknownId = (value: (random: Random) => string) => (draft: Draft, random: Random) => {
      draft.path[name] = value(random);
      draft.reasons.push(`path ${name} names no resource`);
    };
    add('hostile string', (draft, random) => {
      draft.path[name] = percentEncode(random.pick(HOSTILE_STRINGS));
    });
    add('raw percent-encoding', (draft, random) => {
      draft.path[name] = random.pick(RAW_ENCODED);
    });
    add(
      'random uuid',
      unknownId((random) => random.uuid()),
    );
    add(
      'nil uuid',
      unknownId(() => '00000000-0000-0000-0000-000000000000'),
    );
    add(
      'max uuid',
      unknownId(() => 'ffffffff-ffff-ffff-ffff-ffffffffffff'),
    );
    add('NUL inside the id', (draft) => {
      draft.path[name] = percentEncode(withNul(tryDecode(real(draft)) ?? 'id'));
      draft.expected = { status: 400, errors: [{ field: `/params/${name}`, message: NUL_MESSAGE }] };
    });
    add('upper-case id', (draft) => {
      draft.path[name] = real(draft).toUpperCase();
    });
    add('urn:uuid: id', (draft) => {
      draft.path[name] = `urn%3Auuid%3A${real(draft)}`;
    });
    add('braced id', (draft) => {
      draft.path[name] = `%7B${real(draft)}%7D`;
    });
    add('id without hyphens', (draft) => {
      draft.path[name] = real(draft).replace(/-/g, '');
    });
    add('id of another kind of resource', (draft, random) => {
      const kind = pathParameterKind(op.path, name);
      const { world } = context;
      const others = [
        ...(kind === 'user' ? [] : Object.values(world.users).map((u) => u.id)),
        ...(kind === 'course' ? [] : Object.values(world.courses).map((c) => c.id)),
        ...(kind === 'lesson' ? [] : [draft.course.lessonId]),
        ...(kind === 'module' ? [] : [draft.course.moduleId]),
      ];
      draft.path[name] = random.pick(others);
    });
    add('10k characters', (draft, random) => {
      draft.path[name] = percentEncode(codePoints(10_000, random.pick(['a', '😀', '-'])));
    });
    add('empty', (draft) => {
      draft.path[name] = '';
      draft.reasons.push(`path ${name} is empty`);
    });
    add('dot segments', (draft, random) => {
      draft.path[name] = random.pick(['..', '.', '..%2F..%2Fhealth', '%2e%2e%2f']);
    });
  }
  return mutations;
}

function headerMutations(op: Operation, context: MutationContext): Mutation[] {
  const mutations: Mutation[] = [];
  if (op.security !== 'none') {
    mutations.push({
      label: 'auth: anonymous',
      apply: (draft) => {
        delete draft.headers.authorization;
      },
    });
    mutations.push({
      label: 'auth: bad token',
      apply: (draft, random) => {
        const genuine = context.world.users.student.token;
        const forged = forgedVariants(genuine, context.jwtSecret);
        const choices = [
          ...forged.map(({ name, token }) => ({ name, header: `Bearer ${token}` })),
          { name: 'empty bearer', header: 'Bearer ' },
          { name: 'garbage', header: 'Bearer garbage' },
          { name: 'three dots', header: 'Bearer a.b.c' },
          { name: 'basic scheme', header: 'Basic dXNlcjpwYXNzd29yZA==' },
          { name: 'token with suffix', header: `Bearer ${genuine}x` },
          { name: 'two tokens', header: `Bearer ${genuine}, Bearer ${genuine}` },
          { name: '5000 characters', header: `Bearer ${'A'.repeat(5000)}` },
          { name: 'no scheme', header: genuine },
          { name: 'sql injection', header: "Bearer ' OR 1=1 --" },
        ];
        const choice = random.pick(choices);
        draft.labels.push(`token: ${choice.name}`);
        draft.headers.authorization = choice.header;
        draft.reasons.push('invalid access token');
      },
    });
  }
  if (op.security !== 'none') {
    // The scheme is case-insensitive (RFC 9110 §11.1): the request stays as valid as it was.
    mutations.push({
      label: 'auth: lower-case scheme',
      apply: (draft) => {
        const genuine = draft.headers.authorization?.replace(/^Bearer /, '');
        if (genuine !== undefined) draft.headers.authorization = `bearer ${genuine}`;
      },
    });
  }
  if (op.parameters.some((p) => p.in === 'header' && p.name === 'if-match')) {
    mutations.push({
      label: 'if-match: stale or malformed',
      apply: (draft, random) => {
        draft.headers['if-match'] = random.pick(STALE_IF_MATCH);
        if (op.method !== 'GET') draft.reasons.push('If-Match does not match');
      },
    });
    mutations.push({
      label: 'if-match: absent',
      apply: (draft) => {
        delete draft.headers['if-match'];
      },
    });
  }
  if (op.parameters.some((p) => p.in === 'header' && p.name === 'if-none-match')) {
    mutations.push({
      label: 'if-none-match: odd',
      apply: (draft, random) => {
        draft.headers['if-none-match'] = random.pick(ODD_IF_NONE_MATCH);
      },
    });
  }
  return mutations;
}

function propertyMutations(path: string[], schema: JsonSchema, required: boolean): Mutation[] {
  const pointer = `/${path.join('/')}`;
  const mutations: Mutation[] = [];
  const add = (kind: string, value: (draft: Draft, random: Random) => unknown) =>
    mutations.push({
      label: `body ${pointer}: ${kind}`,
      apply: (draft, random) => setAt(jsonBodyOf(draft), path, value(draft, random)),
    });
  add('hostile string', (_, random) => random.pick(HOSTILE_STRINGS));
  add('wrong type', (_, random) => structuredClone(random.pick(WRONG_TYPE_VALUES)));
  add('null', () => null);
  // Values the query-string coercion would turn into valid ones ("12345", "x", 500): a body is not
  // coerced, so each must be a 400 naming this very field.
  const uncoerced = (kind: string, value: unknown) => {
    if (!isDefinitelyInvalid(schema, value, EXACT)) return;
    mutations.push({
      label: `body ${pointer}: ${kind}`,
      apply: (draft) => {
        setAt(jsonBodyOf(draft), path, structuredClone(value));
        draft.expected = { status: 400, errors: [{ field: `/body${pointer}` }] };
      },
    });
  };
  if (acceptsType(schema, 'string')) {
    uncoerced('number for a string', 12345);
    uncoerced('one-item array for a string', ['x']);
    uncoerced('boolean for a string', true);
    mutations.push({
      label: `body ${pointer}: NUL inside a valid string`,
      apply: (draft) => {
        const current = getAt(draft.body.kind === 'json' ? draft.body.value : undefined, path);
        setAt(jsonBodyOf(draft), path, withNul(typeof current === 'string' ? current : 'valid'));
        draft.expected = { status: 400, errors: [{ field: `/body${pointer}`, message: NUL_MESSAGE }] };
      },
    });
  }
  if (acceptsType(schema, 'integer') || acceptsType(schema, 'number')) {
    uncoerced(
      'numeric string for a number',
      typeof schema.minimum === 'number' ? String(schema.minimum) : '500',
    );
  }
  if (acceptsType(schema, 'boolean')) uncoerced('string for a boolean', 'true');
  if (acceptsType(schema, 'string')) {
    const maxLength = (schema.maxLength ??
      (schema.anyOf as JsonSchema[] | undefined)?.find((b) => b.maxLength)?.maxLength) as number | undefined;
    if (typeof maxLength === 'number') {
      add('one character too long', (_, random) =>
        codePoints(maxLength + 1, random.pick(['a', '😀', 'é', 'e\u0301'])),
      );
    }
    add('100k characters', (_, random) => hugeString(random));
    add('hostile string inside a valid one', (draft, random) => {
      const current = getAt(draft.body.kind === 'json' ? draft.body.value : undefined, path);
      const text = typeof current === 'string' ? current : 'valid';
      const at = random.int(text.length + 1);
      return `${text.slice(0, at)}${random.pick(HOSTILE_STRINGS)}${text.slice(at)}`;
    });
  }
  if (acceptsType(schema, 'integer') || acceptsType(schema, 'number')) {
    add('raw JSON number', (draft, random) => rawNumber(draft, random.pick(RAW_JSON_NUMBERS)));
    add('number-like string', (_, random) => random.pick(NUMBERISH_STRINGS));
  }
  if (acceptsType(schema, 'boolean'))
    add('boolean-like', (_, random) => random.pick(['yes', '1', 'TRUE', 2, 'on']));
  if (acceptsType(schema, 'array')) {
    add('10k items', (_, random) => Array.from({ length: HUGE_ARRAY }, () => random.pick(['x', 1, null])));
    add('duplicate items', (draft) => {
      const current = getAt(draft.body.kind === 'json' ? draft.body.value : undefined, path);
      const first = Array.isArray(current) && current.length > 0 ? current[0] : 'x';
      return [first, first];
    });
    add('nested arrays', () => [[['deep']]]);
  }
  if (required) {
    mutations.push({
      label: `body ${pointer}: missing`,
      apply: (draft) => deleteAt(jsonBodyOf(draft), path),
    });
  }
  return mutations;
}

function bodyMutations(op: Operation, context: MutationContext): Mutation[] {
  if (!BODY_METHODS.has(op.method)) return [];
  const mutations: Mutation[] = [];
  const raw = (label: string, apply: (draft: Draft, random: Random) => void) =>
    mutations.push({ label, apply });
  const bodyText = (draft: Draft) => (draft.body.kind === 'json' ? jsonText(draft, draft.body.value) : '{}');
  const withKeys = (text: string, members: string) =>
    text.trim() === '{}' || !text.trim().startsWith('{')
      ? `{${members}}`
      : text.replace(/^\s*\{/, `{${members},`);

  if (op.body) {
    const schema = op.body.schema;
    for (const { path, schema: property, required } of propertyPaths(schema)) {
      mutations.push(...propertyMutations(path, property, required));
    }
    const known = new Set(Object.keys((schema.properties as Record<string, unknown> | undefined) ?? {}));
    raw('body: extra field', (draft, random) => {
      const candidates = MASS_ASSIGNMENT_FIELDS.filter((name) => !known.has(name));
      setAt(
        jsonBodyOf(draft),
        [random.pick(candidates)],
        random.pick([...HOSTILE_STRINGS, 'admin', true, 1]),
      );
    });
    raw('body: not an object', (draft, random) => {
      draft.body = {
        kind: 'json',
        value: structuredClone(random.pick(['text', 42, true, [1, 2], [], null, 0])),
      };
    });
    raw('body: empty object', (draft) => {
      draft.body = { kind: 'json', value: {} };
    });
    raw(`body: ${MANY_KEYS} unknown keys`, (draft) => {
      draft.body = {
        kind: 'json',
        value: Object.fromEntries(Array.from({ length: MANY_KEYS }, (_, i) => [`k${i}`, i])),
      };
    });
  }
  raw('body: __proto__ key', (draft) => {
    draft.body = {
      kind: 'raw',
      payload: withKeys(bodyText(draft), '"__proto__":{"role":"admin","isAdmin":true}'),
      contentType: 'application/json',
    };
  });
  raw('body: constructor.prototype key', (draft) => {
    draft.body = {
      kind: 'raw',
      payload: withKeys(bodyText(draft), '"constructor":{"prototype":{"role":"admin"}}'),
      contentType: 'application/json',
    };
  });
  raw('body: 5000 nested arrays', (draft) => {
    draft.body = {
      kind: 'raw',
      payload: withKeys(bodyText(draft), `"nested":${'['.repeat(5000)}${']'.repeat(5000)}`),
      contentType: 'application/json',
    };
  });
  raw('body: malformed JSON', (draft, random) => {
    draft.body = { kind: 'raw', payload: random.pick(MALFORMED_JSON), contentType: 'application/json' };
  });
  raw('body: invalid UTF-8', (draft, random) => {
    const bytes = Buffer.from(
      random.pick([[0xff, 0xfe], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe0, 0x80, 0xaf], [0x80]]),
    );
    const text = bodyText(draft).trim();
    const rest = text.startsWith('{') && text !== '{}' ? `,${text.slice(1)}` : '}';
    draft.body = {
      kind: 'raw',
      payload: Buffer.concat([Buffer.from('{"utf8":"'), bytes, Buffer.from(`"${rest}`)]),
      contentType: 'application/json',
    };
  });
  raw('body: empty', (draft) => {
    draft.body = { kind: 'raw', payload: '', contentType: 'application/json' };
  });
  raw('body: unsupported content type', (draft, random) => {
    draft.body = {
      kind: 'raw',
      payload: bodyText(draft),
      contentType: random.pick(UNSUPPORTED_CONTENT_TYPES),
    };
    draft.reasons.push('unsupported content type');
  });
  raw('body: odd content type', (draft, random) => {
    draft.body = { kind: 'raw', payload: bodyText(draft), contentType: random.pick(ODD_CONTENT_TYPES) };
  });
  raw('body: no content type', (draft) => {
    draft.body = { kind: 'raw', payload: bodyText(draft), contentType: undefined };
  });
  raw('body: larger than the body limit', (draft) => {
    draft.body = {
      kind: 'raw',
      payload: `{"x":"${'a'.repeat(context.bodyLimitBytes)}"}`,
      contentType: 'application/json',
    };
    draft.reasons.push('body too large');
  });
  raw('body: absent', (draft) => {
    draft.body = { kind: 'none' };
  });
  if (!op.body) {
    raw('body: unexpected JSON', (draft) => {
      draft.body = {
        kind: 'json',
        value: { role: 'admin', status: 'published', instructorId: draft.user.id },
      };
    });
  }
  return mutations;
}

/** An OpenAPI path as a regular expression over concrete (percent-encoded) paths. */
function patternOf(path: string): RegExp {
  const escaped = path.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
  return new RegExp(`^${escaped.replace(/\{[^/}]+\}/g, '[^/]+')}$`);
}

/**
 * The methods routed for a concrete URL: those of every path pattern it matches, since one URL can
 * match several (`/modules/order` is also `/modules/{moduleId}`).
 */
function methodsRoutedFor(url: string, context: MutationContext): Set<string> {
  const methods = new Set<string>();
  for (const [path, routed] of context.methodsByPath) {
    if (patternOf(path).test(url)) for (const method of routed) methods.add(method);
  }
  return methods;
}

function methodMutations(op: Operation, context: MutationContext): Mutation[] {
  const routed = context.methodsByPath.get(op.path) ?? new Set();
  const others = ALL_METHODS.filter(
    (method) => !routed.has(method) && !(method === 'HEAD' && routed.has('GET')),
  );
  if (others.length === 0) return [];
  return [
    {
      label: 'method: not routed',
      apply: (draft, random) => {
        draft.method = random.pick(others);
        if (!BODY_METHODS.has(draft.method)) draft.body = { kind: 'none' };
        const allow = methodsRoutedFor(fillPath(op.path, draft.path), context);
        // Another pattern may route this method for the URL: then its own answer is no 405.
        if (!allow.has(draft.method)) draft.expected = { status: 405, allow: [...allow] };
      },
    },
  ];
}

/** Every primary mutation that applies to `op`. */
export function mutationsFor(op: Operation, context: MutationContext): Mutation[] {
  return [
    ...pathMutations(op, context),
    ...queryMutations(op, context),
    ...headerMutations(op, context),
    ...bodyMutations(op, context),
    ...methodMutations(op, context),
  ];
}

/** Mutations that never make an invalid request valid: odd headers and unknown query parameters. */
export const FREE_MUTATIONS: Mutation[] = [
  ...[
    'x-request-id',
    'user-agent',
    'x-forwarded-for',
    'accept',
    'cookie',
    'accept-language',
    'origin',
    'referer',
  ].map(
    (name): Mutation => ({
      label: `header ${name}: odd`,
      apply: (draft, random) => {
        draft.headers[name] = random.pick([
          ...ODD_HEADER_VALUES,
          'fuzz-request-1',
          '*/*;q=abc',
          'application/xml',
        ]);
      },
    }),
  ),
  {
    label: 'query: unknown parameters',
    apply: (draft, random) => {
      const extra = random.pick([
        ['__proto__', 'polluted'],
        ['__proto__[polluted]', '1'],
        ['constructor[prototype][polluted]', '1'],
        ['role', 'admin'],
        ['a[b][c]', '1'],
        ['token', 'fuzz-secret-token'],
        ['x'.repeat(5000), 'y'],
      ] as const);
      draft.query.push({ name: extra[0], encoded: percentEncode(extra[1]) });
    },
  },
];

/** Mutations that always make a request to `op` be refused, for write requests nothing else made invalid. */
export function guaranteedRejections(op: Operation): Mutation[] {
  const mutations: Mutation[] = [
    {
      label: 'body: malformed JSON',
      apply: (draft, random) => {
        draft.body = { kind: 'raw', payload: random.pick(MALFORMED_JSON), contentType: 'application/json' };
      },
    },
    {
      label: 'body: unsupported content type',
      apply: (draft, random) => {
        draft.body = { kind: 'raw', payload: '{}', contentType: random.pick(UNSUPPORTED_CONTENT_TYPES) };
        draft.reasons.push('unsupported content type');
      },
    },
  ];
  if (op.security === 'required') {
    mutations.push({
      label: 'auth: anonymous',
      apply: (draft) => {
        delete draft.headers.authorization;
      },
    });
  }
  for (const parameter of op.parameters.filter((p) => p.in === 'path')) {
    mutations.push({
      label: `path ${parameter.name}: random uuid`,
      apply: (draft, random) => {
        draft.path[parameter.name] = random.uuid();
        draft.reasons.push(`path ${parameter.name} names no resource`);
      },
    });
  }
  if (op.body?.schema.additionalProperties === false) {
    const known = new Set(
      Object.keys((op.body.schema.properties as Record<string, unknown> | undefined) ?? {}),
    );
    const extras = MASS_ASSIGNMENT_FIELDS.filter((name) => !known.has(name));
    mutations.push({
      label: 'body: extra field',
      apply: (draft, random) =>
        setAt(jsonBodyOf(draft), [random.pick(extras)], random.pick(['admin', "' OR 1=1 --"])),
    });
  }
  return mutations;
}
