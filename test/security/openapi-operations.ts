import type { App } from '../../src/app.js';

/**
 * The application's operations as its own `/openapi.json` describes them, so the security suites
 * cover every route, including routes added after they were written.
 */

/** A JSON Schema as it appears in the OpenAPI document (local `$ref`s resolved). */
export type JsonSchema = { [keyword: string]: unknown };

export interface OperationParameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  schema: JsonSchema;
}

export interface Operation {
  /** `'METHOD /path'` with OpenAPI path templates, e.g. `'PATCH /api/v1/courses/{id}'`. */
  key: string;
  method: string;
  path: string;
  parameters: OperationParameter[];
  /** The JSON request body, when the operation takes one. */
  body?: { schema: JsonSchema; required: boolean; examples: unknown[] };
  /** `required`: a bearer token is needed; `optional`: anonymous or bearer; `none`: no authentication. */
  security: 'none' | 'optional' | 'required';
}

/** Paths that document the API rather than being part of it. */
const EXCLUDED_PATHS = [/^\/docs(\/|$)/, /^\/openapi\.json$/];
const METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options']);

type OpenApiDocument = {
  paths?: Record<string, Record<string, Record<string, unknown>>>;
  components?: Record<string, Record<string, unknown>>;
};

function resolveRefs(value: unknown, document: OpenApiDocument, depth = 0): unknown {
  if (depth > 50 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => resolveRefs(item, document, depth + 1));
  const record = value as Record<string, unknown>;
  if (typeof record.$ref === 'string' && record.$ref.startsWith('#/')) {
    let target: unknown = document;
    for (const part of record.$ref.slice(2).split('/')) {
      target = (target as Record<string, unknown> | undefined)?.[
        part.replace(/~1/g, '/').replace(/~0/g, '~')
      ];
    }
    return resolveRefs(target, document, depth + 1);
  }
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, resolveRefs(v, document, depth + 1)]));
}

function securityOf(operation: Record<string, unknown>): Operation['security'] {
  const requirements = operation.security as Array<Record<string, unknown>> | undefined;
  if (!requirements || requirements.length === 0) return 'none';
  return requirements.some((requirement) => Object.keys(requirement).length === 0) ? 'optional' : 'required';
}

function examplesOf(media: Record<string, unknown>): unknown[] {
  const examples: unknown[] = [];
  if (media.example !== undefined) examples.push(media.example);
  const named = media.examples as Record<string, { value?: unknown }> | undefined;
  for (const example of Object.values(named ?? {}))
    if (example.value !== undefined) examples.push(example.value);
  return examples;
}

export function operationsOf(document: OpenApiDocument): Operation[] {
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    if (EXCLUDED_PATHS.some((pattern) => pattern.test(path))) continue;
    for (const [method, rawOperation] of Object.entries(item)) {
      if (!METHODS.has(method)) continue;
      const operation = resolveRefs(rawOperation, document) as Record<string, unknown>;
      const parameters = ((operation.parameters as Array<Record<string, unknown>> | undefined) ?? []).map(
        (parameter) => ({
          name: String(parameter.name),
          in: parameter.in as OperationParameter['in'],
          required: parameter.required === true,
          schema: (parameter.schema as JsonSchema | undefined) ?? {},
        }),
      );
      const requestBody = operation.requestBody as
        | { required?: boolean; content?: Record<string, Record<string, unknown>> }
        | undefined;
      const json = requestBody?.content?.['application/json'];
      operations.push({
        key: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        parameters,
        ...(json
          ? {
              body: {
                schema: (json.schema as JsonSchema | undefined) ?? {},
                required: requestBody?.required === true,
                examples: examplesOf(json),
              },
            }
          : {}),
        security: securityOf(operation),
      });
    }
  }
  return operations;
}

/** Every operation of `app`'s OpenAPI document (not /docs or /openapi.json themselves). */
export async function loadOperations(app: App): Promise<Operation[]> {
  const response = await app.inject({ method: 'GET', url: '/openapi.json' });
  if (response.statusCode !== 200) throw new Error(`/openapi.json answered ${response.statusCode}`);
  const operations = operationsOf(response.json() as OpenApiDocument);
  if (operations.length === 0) throw new Error('/openapi.json lists no operations');
  return operations;
}

/** Fills `{name}` placeholders of an OpenAPI path with already-encoded values. */
export function fillPath(path: string, encodedValues: Record<string, string>): string {
  return path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = encodedValues[name];
    if (value === undefined) throw new Error(`No value for path parameter ${name} of ${path}`);
    return value;
  });
}

/** The literal path segment before `{name}` (e.g. `courses` for `{id}` in `/courses/{id}/publish`). */
export function segmentBefore(path: string, name: string): string | undefined {
  const segments = path.split('/');
  const index = segments.indexOf(`{${name}}`);
  return index > 0 ? segments[index - 1] : undefined;
}
