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

/** The validated value's strings and property names holding a NUL, as ajv-style errors. */
function nulIssues(root: unknown): ErrorObject[] {
  const issues: ErrorObject[] = [];
  const issue = (instancePath: string): ErrorObject => ({
    instancePath,
    schemaPath: '',
    keyword: NUL_KEYWORD,
    params: {},
    message: NUL_MESSAGE,
  });
  // Iterative: a body may nest thousands of levels deep.
  const pending: Array<[unknown, string]> = [[root, '']];
  while (pending.length > 0) {
    const [value, pointer] = pending.pop() as [unknown, string];
    if (typeof value === 'string') {
      if (value.includes('\u0000')) issues.push(issue(pointer));
    } else if (value !== null && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        const childPointer = `${pointer}/${pointerToken(key)}`;
        if (key.includes('\u0000')) issues.push(issue(childPointer));
        else pending.push([child, childPointer]);
      }
    }
  }
  return issues;
}

/**
 * `validate` plus the NUL check, in ajv's calling convention (Fastify reads `errors` after a false
 * result, and passes the parent object only to a function with `schemaEnv`, which ajv needs to
 * coerce a root value).
 */
function refusingNul(validate: Validator): Validator {
  const checked = ((data: unknown, dataContext?: unknown) => {
    const valid = (validate as (data: unknown, dataContext?: unknown) => boolean)(data, dataContext);
    const issues = nulIssues(data);
    if (issues.length === 0) {
      checked.errors = validate.errors;
      return valid;
    }
    checked.errors = [...(valid ? [] : (validate.errors ?? [])), ...issues];
    return false;
  }) as Validator;
  Object.defineProperty(checked, 'schemaEnv', { value: validate.schemaEnv });
  return checked;
}

const COERCED_PARTS = new Set(['querystring', 'params', 'headers']);
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
      const validate = COERCED_PARTS.has(part) ? coercing(route) : exact(route);
      return NUL_CHECKED_PARTS.has(part) ? refusingNul(validate) : validate;
    };
  };
}

function withCoercion(options: ValidatorOptions, coerceTypes: 'array' | false): ValidatorOptions {
  if (options?.mode === 'JTD') throw new Error('request validation expects JSON Schema, not JTD');
  return { ...options, customOptions: { ...options?.customOptions, coerceTypes } };
}
