import { type Static, Type } from 'typebox';
import { ERROR_CATALOG, type ErrorCode, type FieldError, problemType } from '../shared/errors.js';

export const PROBLEM_MEDIA_TYPE = 'application/problem+json';
export const PROBLEM_CONTENT_TYPE = `${PROBLEM_MEDIA_TYPE}; charset=utf-8`;

export const FieldErrorSchema = Type.Object(
  {
    field: Type.String({ description: 'JSON pointer to the bad field, e.g. `/body/email`.' }),
    message: Type.String(),
  },
  { additionalProperties: false },
);

const errorCodes = Object.keys(ERROR_CATALOG) as ErrorCode[];

/**
 * RFC 9457 problem details, as sent for every error. Registered with `addSchema` under the id
 * `Problem`; route response schemas refer to it with `ProblemRef`.
 */
export const ProblemSchema = Type.Object(
  {
    type: Type.String({ description: 'Stable URI identifying the kind of problem.' }),
    title: Type.String({ description: 'Short summary of the kind of problem.' }),
    status: Type.Integer({ description: 'The HTTP status code.' }),
    detail: Type.Optional(Type.String({ description: 'Explanation specific to this occurrence.' })),
    instance: Type.String({ description: 'The request path.' }),
    code: Type.Enum(errorCodes, { description: 'Stable machine-readable error code.' }),
    requestId: Type.String({ description: 'Quote it when reporting a problem; it is in the server logs.' }),
    errors: Type.Optional(
      Type.Array(FieldErrorSchema, { description: 'Each bad field (validation_failed).' }),
    ),
  },
  {
    $id: 'Problem',
    title: 'Problem',
    description: 'RFC 9457 problem details (`application/problem+json`).',
    additionalProperties: true,
  },
);

export type Problem = Static<typeof ProblemSchema>;

/** Use in route response schemas: `response: { 200: ..., 404: ProblemRef }`. */
export const ProblemRef = Type.Ref('Problem');

/**
 * A documented error response for a route's `response` map, served as `application/problem+json`:
 * `response: { 200: CourseSchema, 404: problemResponse('No such course.') }`.
 */
export function problemResponse(description: string) {
  return { description, content: { [PROBLEM_MEDIA_TYPE]: { schema: ProblemRef } } };
}

export interface ProblemInput {
  code: ErrorCode;
  /** Overrides the catalog status (only for Fastify errors whose 4xx status has no own code). */
  status?: number;
  title?: string;
  detail?: string | undefined;
  instance: string;
  requestId: string;
  errors?: FieldError[];
  extras?: Record<string, unknown> | undefined;
}

export function buildProblem(input: ProblemInput): Problem & Record<string, unknown> {
  const entry = ERROR_CATALOG[input.code];
  return {
    // Extension members first, so they can never overwrite the standard ones.
    ...input.extras,
    type: problemType(input.code),
    title: input.title ?? entry.title,
    status: input.status ?? entry.status,
    ...(input.detail === undefined ? {} : { detail: input.detail }),
    instance: input.instance,
    code: input.code,
    requestId: input.requestId,
    ...(input.errors === undefined ? {} : { errors: input.errors }),
  };
}
