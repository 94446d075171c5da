import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError, type FieldError } from './errors.js';

/**
 * ajv's type coercion (`coerceTypes` in src/app.ts) turns the strings "Infinity", "-Infinity" and
 * "1e309" into non-finite numbers for `integer` and `number` fields, and then skips `minimum` and
 * `maximum`, which it only checks on finite numbers. So `?limit=-Infinity` or `"position": "-Infinity"`
 * would pass validation and reach the services (a lesson moved to position -Infinity, a page size of
 * -Infinity). A validated value can only be non-finite through that coercion (JSON cannot encode
 * one, and an overflowing JSON number already fails the type check): refuse it like any bad field.
 */

const VALIDATED_PARTS = [
  ['body', 'body'],
  ['querystring', 'query'],
  ['params', 'params'],
  ['headers', 'headers'],
] as const;

const pointerToken = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

function nonFiniteFields(root: unknown, prefix: string): FieldError[] {
  const errors: FieldError[] = [];
  // Iterative: a body may nest thousands of levels deep.
  const pending: Array<[unknown, string]> = [[root, prefix]];
  while (pending.length > 0) {
    const [value, pointer] = pending.pop()!;
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) errors.push({ field: pointer, message: 'must be a finite number' });
    } else if (value !== null && typeof value === 'object') {
      for (const [key, child] of Object.entries(value))
        pending.push([child, `${pointer}/${pointerToken(key)}`]);
    }
  }
  return errors;
}

export function nonFiniteNumberErrors(request: FastifyRequest): FieldError[] {
  const schema = request.routeOptions.schema;
  if (!schema) return [];
  const errors: FieldError[] = [];
  for (const [schemaPart, requestPart] of VALIDATED_PARTS) {
    if (schema[schemaPart] !== undefined)
      errors.push(...nonFiniteFields(request[requestPart], `/${schemaPart}`));
  }
  return errors;
}

/** A preHandler for every route: runs after validation, before authentication and handlers. */
export const finiteNumbersPlugin = fp(
  async (app) => {
    app.addHook('preHandler', async (request) => {
      const errors = nonFiniteNumberErrors(request);
      if (errors.length > 0) {
        throw new AppError(
          'validation_failed',
          `${errors.length === 1 ? 'One field is' : `${errors.length} fields are`} not valid.`,
          { errors },
        );
      }
    });
  },
  { name: 'finite-numbers', fastify: '5.x' },
);
