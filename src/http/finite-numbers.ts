import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError, type FieldError } from '../shared/errors.js';
import { COERCED_PARTS } from './request-validation.js';

/**
 * ajv's type coercion of query strings, path parameters and headers (request-validation.ts: they
 * arrive as text) turns the strings "Infinity", "-Infinity" and "1e309" into non-finite numbers for
 * `integer` and `number` fields, and then skips `minimum` and `maximum`, which it only checks on
 * finite numbers. So `?limit=-Infinity` would pass validation and reach the services as a page size
 * of -Infinity. A validated value can only be non-finite through that coercion: JSON bodies are not
 * coerced (`"position": "-Infinity"` is a string, refused by the type check), JSON cannot encode a
 * non-finite number, and an overflowing one (`1e309`) fails ajv's type check (strictNumbers). So the
 * coerced parts are the ones checked here, and a non-finite value is refused like any bad field.
 */

const REQUEST_PROPERTY = {
  querystring: 'query',
  params: 'params',
  headers: 'headers',
} as const satisfies Record<(typeof COERCED_PARTS)[number], keyof FastifyRequest>;

/** The coerced parts: (schema key, request property). */
const VALIDATED_PARTS = COERCED_PARTS.map((part) => [part, REQUEST_PROPERTY[part]] as const);

const pointerToken = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

function nonFiniteFields(root: unknown, prefix: string): FieldError[] {
  const errors: FieldError[] = [];
  // Iterative: no depth limit to reason about (a query string's arrays are the only nesting).
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

/** Whether a JSON schema has a number or integer anywhere, i.e. whether ajv may coerce one. */
function mayHoldNumbers(schema: unknown): boolean {
  const pending: unknown[] = [schema];
  while (pending.length > 0) {
    const node = pending.pop();
    if (node === null || typeof node !== 'object') continue;
    const type = (node as { type?: unknown }).type;
    if (type === 'number' || type === 'integer') return true;
    if (Array.isArray(type) && (type.includes('number') || type.includes('integer'))) return true;
    pending.push(...Object.values(node));
  }
  return false;
}

type RouteSchema = Partial<Record<(typeof VALIDATED_PARTS)[number][0], unknown>>;

/**
 * A preHandler for each route whose query string, path parameters or headers have a number or
 * integer in their schema (runs after validation, before authentication and handlers), checking only
 * the parts that have one; other routes get none.
 */
export const finiteNumbersPlugin = fp(
  async (app) => {
    app.addHook('onRoute', (routeOptions) => {
      const schema = routeOptions.schema as RouteSchema | undefined;
      if (schema === undefined) return;
      const parts = VALIDATED_PARTS.filter(([schemaPart]) => mayHoldNumbers(schema[schemaPart]));
      if (parts.length === 0) return;
      const check = (request: FastifyRequest, _reply: unknown, done: (error?: Error) => void) => {
        const errors: FieldError[] = [];
        for (const [schemaPart, requestPart] of parts)
          errors.push(...nonFiniteFields(request[requestPart], `/${schemaPart}`));
        if (errors.length === 0) return done();
        done(
          new AppError(
            'validation_failed',
            `${errors.length === 1 ? 'One field is' : `${errors.length} fields are`} not valid.`,
            { errors },
          ),
        );
      };
      const existing = routeOptions.preHandler;
      routeOptions.preHandler = existing === undefined ? [check] : [check, ...[existing].flat()];
    });
  },
  { name: 'finite-numbers', fastify: '5.x' },
);
