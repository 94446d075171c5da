import { AjvCompiler, type ErrorObject } from '@fastify/ajv-compiler';
import type { FastifyServerOptions } from 'fastify';

/**
 * Request validation with one ajv per kind of request part, built from the server's `ajv` options:
 * - query strings, path parameters and headers arrive as text, so they are coerced to their schema
 *   types (`?limit=20` is the integer 20, `?tag=x` the array ["x"]);
 * - JSON bodies already carry types and must match their schema exactly: `{"title": 12345}` or
 *   `{"priceCents": "500"}` is a 400 naming the field, not a course titled "12345".
 * Every validator of bodies, query strings and path parameters also refuses NUL characters in any
 * string or property name: PostgreSQL cannot store them in text or jsonb, and they would come back
 * as a 400 from the database that names no field. Headers cannot carry one (Node's parser refuses it).
 */

type ValidatorFactory = NonNullable<
  NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>['buildValidator']
>;
type ValidatorCompiler = ReturnType<ValidatorFactory>;
type Validator = ReturnType<ValidatorCompiler>;
type ValidatorOptions = Parameters<ValidatorFactory>[1];

export const NUL_MESSAGE = 'must not contain NUL characters';
const NUL_KEYWORD = 'noNulCharacters';

const pointerToken = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

const NUL = '\u0000';

/**
 * Whether any string or property name in the value holds a NUL: the per-request check, so it builds
 * no pointers or errors. Iterative: a body may nest thousands of levels deep.
 */
function containsNul(root: unknown): boolean {
  if (typeof root === 'string') return root.includes(NUL);
  if (root === null || typeof root !== 'object') return false;
  const pending: object[] = [];
  let node: object | undefined = root;
  while (node !== undefined) {
    if (Array.isArray(node)) {
      for (const child of node) {
        if (typeof child === 'string') {
          if (child.includes(NUL)) return true;
        } else if (child !== null && typeof child === 'object') pending.push(child);
      }
    } else {
      for (const key in node) {
        if (key.includes(NUL)) return true;
        const child = (node as Record<string, unknown>)[key];
        if (typeof child === 'string') {
          if (child.includes(NUL)) return true;
        } else if (child !== null && typeof child === 'object') pending.push(child);
      }
    }
    node = pending.pop();
  }
  return false;
}

/** Where the NULs are, as ajv-style errors (only computed once `containsNul` found one). */
function nulIssues(root: unknown): ErrorObject[] {
  const issues: ErrorObject[] = [];
  const issue = (instancePath: string): ErrorObject => ({
    instancePath,
    schemaPath: '',
    keyword: NUL_KEYWORD,
    params: {},
    message: NUL_MESSAGE,
  });
  const pending: Array<[unknown, string]> = [[root, '']];
  while (pending.length > 0) {
    const [value, pointer] = pending.pop() as [unknown, string];
    if (typeof value === 'string') {
      if (value.includes(NUL)) issues.push(issue(pointer));
    } else if (value !== null && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        const childPointer = `${pointer}/${pointerToken(key)}`;
        if (key.includes(NUL)) issues.push(issue(childPointer));
        else pending.push([child, childPointer]);
      }
    }
  }
  return issues;
}

type ValidateWithErrors = ((data: unknown, dataContext?: unknown) => boolean) & {
  errors?: ErrorObject[] | null;
  schemaEnv?: unknown;
};

/**
 * `validate` plus the NUL check, in ajv's calling convention (Fastify reads `errors` after a false
 * result, and passes the parent object only to a function with `schemaEnv`, which ajv needs to
 * coerce a root value).
 */
function refusingNul(validator: Validator): Validator {
  const validate = validator as unknown as ValidateWithErrors;
  const checked: ValidateWithErrors = (data, dataContext) => {
    const valid = validate(data, dataContext);
    if (!containsNul(data)) {
      checked.errors = validate.errors;
      return valid;
    }
    const issues = nulIssues(data);
    // A NUL supersedes the schema's complaints about the same value (its pattern or format): the
    // field is listed once, with the reason the client has to fix first.
    const nulPointers = new Set(issues.map((issue) => issue.instancePath));
    const others = valid
      ? []
      : (validate.errors ?? []).filter((error) => !nulPointers.has(error.instancePath));
    checked.errors = [...others, ...issues];
    return false;
  };
  checked.errors = null;
  checked.schemaEnv = validate.schemaEnv;
  return checked as unknown as Validator;
}

/** The request parts that arrive as text and are coerced to their schema types. */
export const COERCED_PARTS = ['querystring', 'params', 'headers'] as const;
const COERCED = new Set<string>(COERCED_PARTS);
const NUL_CHECKED_PARTS = new Set(['body', 'querystring', 'params']);

/**
 * The `schemaController.compilersFactory.buildValidator` server option. The shared options (formats,
 * `allErrors`, defaults, ...) are the server's `ajv` option; only `coerceTypes` differs per part.
 */
export function requestValidatorFactory(): ValidatorFactory {
  const coercingPool = AjvCompiler();
  const exactPool = AjvCompiler();
  return (externalSchemas, options) => {
    const coercing = coercingPool(externalSchemas, withCoercion(options, 'array'));
    const exact = exactPool(externalSchemas, withCoercion(options, false));
    return (route) => {
      const part = route.httpPart ?? 'body';
      const validate = COERCED.has(part) ? coercing(route) : exact(route);
      return NUL_CHECKED_PARTS.has(part) ? refusingNul(validate) : validate;
    };
  };
}

function withCoercion(options: ValidatorOptions, coerceTypes: 'array' | false): ValidatorOptions {
  if (options?.mode === 'JTD') throw new Error('request validation expects JSON Schema, not JTD');
  return { ...options, customOptions: { ...options?.customOptions, coerceTypes } };
}
