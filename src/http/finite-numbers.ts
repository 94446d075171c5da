import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError, type FieldError } from '../shared/errors.js';

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
 * A preHandler for each route whose schema has a number or integer (runs after validation, before
 * authentication and handlers), checking only the parts that have one; other routes get none.
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
