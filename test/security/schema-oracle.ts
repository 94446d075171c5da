import type { JsonSchema } from './openapi-operations.js';

/**
 * Decides, conservatively, whether a value is invalid for a JSON Schema as the application's
 * validator sees it (src/http/request-validation.ts): query strings and path parameters are coerced
 * (`coerceTypes: 'array'`, so `"0x10"` is the integer 16, `null` is the string "" and `[x]` is `x`),
 * JSON bodies are not (`{"title": 42}` is refused), and no string may hold a NUL character. `true`
 * means "certainly rejected"; `false` means "may be accepted" (unknown keywords and formats never
 * count as invalid).
 * The fuzzer uses it to send only requests that must be rejected in the phase that checks nothing is written.
 */

type JsonType = 'string' | 'number' | 'integer' | 'boolean' | 'null' | 'array' | 'object';

/** `coerce`: the part is coerced to its schema types (query strings, path parameters), unlike bodies. */
export interface OracleOptions {
  coerce: boolean;
}
/** How query strings and path parameters are validated. */
export const COERCED: OracleOptions = { coerce: true };
/** How JSON bodies are validated. */
export const EXACT: OracleOptions = { coerce: false };

const UUID = /^(?:urn:uuid:)?[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i;
const DATE_TIME_PREFIX = /^\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d/;
const URI_SCHEME = /^[a-z][a-z0-9+.-]*:/i;

const codePointLength = (text: string) => [...text].length;

function typesOf(schema: JsonSchema): JsonType[] | undefined {
  const type = schema.type;
  if (typeof type === 'string') return [type as JsonType];
  if (Array.isArray(type)) return type as JsonType[];
  return undefined;
}

function jsonTypeOf(value: unknown): JsonType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return 'number';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'boolean';
  return 'object';
}

/** ajv's integer test (without strictNumbers, Infinity passes it: the range keywords catch it). */
const ajvInteger = (value: number) => !(value % 1) && !Number.isNaN(value);

function matchesType(type: JsonType, value: unknown): boolean {
  const actual = jsonTypeOf(value);
  if (type === 'integer') return actual === 'number' && ajvInteger(value as number);
  return actual === type;
}

/** ajv's scalar coercions to `type` (undefined when there is none). */
function coerceScalar(type: JsonType, value: unknown): { value: unknown } | undefined {
  const actual = jsonTypeOf(value);
  switch (type) {
    case 'string':
      if (actual === 'number' || actual === 'boolean') return { value: String(value) };
      if (actual === 'null') return { value: '' };
      return undefined;
    case 'number':
    case 'integer':
      // ajv's own test: `data == +data` (loose equality, so "0x10" and " 1" are numbers).
      // biome-ignore lint/suspicious/noDoubleEquals: reproduces ajv's coercion rule exactly
      if (actual === 'string' && value !== '' && (value as unknown) == Number(value)) {
        return { value: Number(value) };
      }
      if (actual === 'boolean') return { value: value ? 1 : 0 };
      if (actual === 'null') return { value: 0 };
      return undefined;
    case 'boolean':
      if (value === 'true' || value === 1) return { value: true };
      if (value === 'false' || value === 0 || value === null) return { value: false };
      return undefined;
    case 'null':
      if (value === '' || value === 0 || value === false) return { value: null };
      return undefined;
    default:
      return undefined;
  }
}

/** Every value the validator might check after coercing `value` to one of `types`. */
function coercions(types: JsonType[], value: unknown): unknown[] {
  if (types.some((type) => matchesType(type, value))) return [value];
  const results: unknown[] = [];
  for (const type of types) {
    if (type === 'array' && !Array.isArray(value)) results.push([value]);
    const scalar = coerceScalar(type, value);
    if (scalar) results.push(scalar.value);
  }
  if (Array.isArray(value) && value.length === 1 && !types.includes('array')) {
    results.push(...coercions(types, value[0]));
  }
  return results;
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function stringKeywordsFail(schema: JsonSchema, text: string): boolean {
  if (text.includes('\u0000')) return true;
  if (typeof schema.minLength === 'number' && codePointLength(text) < schema.minLength) return true;
  if (typeof schema.maxLength === 'number' && codePointLength(text) > schema.maxLength) return true;
  if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(text)) return true;
  if (schema.format === 'uuid' && !UUID.test(text)) return true;
  if (schema.format === 'date-time' && !DATE_TIME_PREFIX.test(text)) return true;
  if (schema.format === 'uri' && !URI_SCHEME.test(text)) return true;
  return false;
}

function numberKeywordsFail(schema: JsonSchema, value: number): boolean {
  if (typeof schema.minimum === 'number' && !(value >= schema.minimum)) return true;
  if (typeof schema.maximum === 'number' && !(value <= schema.maximum)) return true;
  if (typeof schema.exclusiveMinimum === 'number' && !(value > schema.exclusiveMinimum)) return true;
  if (typeof schema.exclusiveMaximum === 'number' && !(value < schema.exclusiveMaximum)) return true;
  return false;
}

function keywordsFail(
  schema: JsonSchema,
  value: unknown,
  types: JsonType[] | undefined,
  options: OracleOptions,
): boolean {
  if (Array.isArray(schema.enum) && !schema.enum.some((member) => deepEqual(member, value))) return true;
  if ('const' in schema && !deepEqual(schema.const, value)) return true;
  if (typeof value === 'string') return stringKeywordsFail(schema, value);
  if (typeof value === 'number') {
    if (types?.length === 1 && types[0] === 'integer' && !ajvInteger(value)) return true;
    return numberKeywordsFail(schema, value);
  }
  if (Array.isArray(value)) {
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) return true;
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) return true;
    if (schema.uniqueItems === true) {
      const seen = new Set(value.map((item) => JSON.stringify(item)));
      if (seen.size < value.length) return true;
    }
    const items = schema.items as JsonSchema | undefined;
    if (items && typeof items === 'object' && !Array.isArray(items)) {
      return value.some((item) => isDefinitelyInvalid(items, item, options));
    }
    return false;
  }
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (Object.keys(record).some((key) => key.includes('\u0000'))) return true;
    const properties = (schema.properties as Record<string, JsonSchema> | undefined) ?? {};
    for (const name of (schema.required as string[] | undefined) ?? []) {
      if (!Object.hasOwn(record, name) && properties[name]?.default === undefined) return true;
    }
    if (schema.additionalProperties === false) {
      if (Object.keys(record).some((key) => !Object.hasOwn(properties, key))) return true;
    }
    if (typeof schema.minProperties === 'number') {
      const withDefaults = new Set([
        ...Object.keys(record),
        ...Object.entries(properties)
          .filter(([, property]) => property.default !== undefined)
          .map(([name]) => name),
      ]);
      if (withDefaults.size < schema.minProperties) return true;
    }
    if (typeof schema.maxProperties === 'number' && Object.keys(record).length > schema.maxProperties) {
      return true;
    }
    for (const [name, property] of Object.entries(properties)) {
      if (Object.hasOwn(record, name) && isDefinitelyInvalid(property, record[name], options)) return true;
    }
    return false;
  }
  return false;
}

/** True only when `value` is certainly rejected by `schema` under the application's ajv settings. */
export function isDefinitelyInvalid(
  schema: JsonSchema | undefined,
  value: unknown,
  options: OracleOptions,
): boolean {
  if (!schema || typeof schema !== 'object') return false;
  for (const keyword of ['anyOf', 'oneOf'] as const) {
    const branches = schema[keyword];
    if (Array.isArray(branches)) {
      const { [keyword]: _, ...rest } = schema;
      // oneOf also fails when several branches match; "invalid for every branch" is the certain case.
      if (
        branches.every((branch) =>
          isDefinitelyInvalid({ ...rest, ...(branch as JsonSchema) }, value, options),
        )
      ) {
        return true;
      }
      return false;
    }
  }
  if (Array.isArray(schema.allOf)) {
    const { allOf, ...rest } = schema;
    if ((allOf as JsonSchema[]).some((branch) => isDefinitelyInvalid(branch, value, options))) return true;
    return isDefinitelyInvalid(rest, value, options);
  }
  const types = typesOf(schema);
  let candidates = [value];
  if (types) {
    if (options.coerce) candidates = coercions(types, value);
    else if (!types.some((type) => matchesType(type, value))) candidates = [];
  }
  if (candidates.length === 0) return true;
  return candidates.every((candidate) => keywordsFail(schema, candidate, types, options));
}

/** The property schemas of an object schema, with a JSON pointer for each (nested objects included). */
export function propertyPaths(
  schema: JsonSchema,
  maxDepth = 2,
  prefix: string[] = [],
): Array<{ path: string[]; schema: JsonSchema; required: boolean }> {
  const properties = (schema.properties as Record<string, JsonSchema> | undefined) ?? {};
  const required = new Set((schema.required as string[] | undefined) ?? []);
  const result: Array<{ path: string[]; schema: JsonSchema; required: boolean }> = [];
  for (const [name, property] of Object.entries(properties)) {
    const path = [...prefix, name];
    result.push({ path, schema: property, required: required.has(name) });
    if (prefix.length + 1 < maxDepth && property.type === 'object' && property.properties) {
      result.push(...propertyPaths(property, maxDepth, path));
    }
  }
  return result;
}

/** Whether the schema (or one of its anyOf/oneOf branches) accepts a value of JSON type `type`. */
export function acceptsType(schema: JsonSchema, type: JsonType): boolean {
  const branches = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (Array.isArray(branches)) return branches.some((branch) => acceptsType(branch, type));
  const types = typesOf(schema);
  if (types) return types.includes(type) || (type === 'integer' && types.includes('number'));
  if (Array.isArray(schema.enum)) return schema.enum.some((member) => jsonTypeOf(member) === type);
  return true;
}
