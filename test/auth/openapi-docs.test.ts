import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';

const OPERATIONS = [
  ['post', '/api/v1/auth/register', 'auth', false],
  ['post', '/api/v1/auth/login', 'auth', false],
  ['post', '/api/v1/auth/refresh', 'auth', false],
  ['post', '/api/v1/auth/logout', 'auth', false],
  ['post', '/api/v1/auth/logout-all', 'auth', true],
  ['post', '/api/v1/auth/change-password', 'auth', true],
  ['post', '/api/v1/auth/password-reset', 'auth', false],
  ['post', '/api/v1/auth/password-reset/confirm', 'auth', false],
  ['get', '/api/v1/me', 'users', true],
  ['patch', '/api/v1/me', 'users', true],
  ['get', '/api/v1/me/profile', 'users', true],
  ['patch', '/api/v1/me/profile', 'users', true],
  ['get', '/api/v1/users/{id}/profile', 'users', false],
  ['get', '/api/v1/users', 'users', true],
  ['get', '/api/v1/users/{id}', 'users', true],
  ['patch', '/api/v1/users/{id}/role', 'users', true],
  ['post', '/api/v1/users/{id}/deactivate', 'users', true],
  ['post', '/api/v1/users/{id}/reactivate', 'users', true],
] as const;

describe('OpenAPI documentation of the auth and users routes', () => {
  let testApp: TestApp;
  let spec: {
    paths: Record<string, Record<string, Record<string, unknown>>>;
    components?: { schemas?: Record<string, unknown> };
  };

  beforeAll(async () => {
    testApp = await buildTestApp();
    spec = (await testApp.app.inject({ method: 'GET', url: '/openapi.json' })).json();
  });
  afterAll(async () => {
    await testApp?.close();
  });

  it.each(
    OPERATIONS,
  )('%s %s has a tag, summary, description, error responses and the right security', (method, path, tag, secured) => {
    const operation = spec.paths[path]?.[method] as
      | {
          tags: string[];
          summary: string;
          description: string;
          security?: unknown;
          responses: Record<string, unknown>;
        }
      | undefined;
    expect(operation, `${method} ${path}`).toBeDefined();
    expect(operation!.tags).toEqual([tag]);
    expect(operation!.summary.length).toBeGreaterThan(5);
    expect(operation!.description.length).toBeGreaterThan(20);
    if (secured) {
      expect(operation!.security).toEqual([{ bearerAuth: [] }]);
      expect(Object.keys(operation!.responses)).toContain('401');
    } else {
      expect(operation!.security).toEqual([]);
    }
    expect(Object.keys(operation!.responses).some((status) => status.startsWith('4'))).toBe(true);
  });

  /** The operations that take a JSON body; every other one documents none. */
  const WITH_BODY = new Set([
    'post /api/v1/auth/register',
    'post /api/v1/auth/login',
    'post /api/v1/auth/refresh',
    'post /api/v1/auth/logout',
    'post /api/v1/auth/change-password',
    'post /api/v1/auth/password-reset',
    'post /api/v1/auth/password-reset/confirm',
    'patch /api/v1/me',
    'patch /api/v1/me/profile',
    'patch /api/v1/users/{id}/role',
  ]);

  it('documents the JSON body of each operation that takes one, with an example', () => {
    const documented: string[] = [];
    for (const [method, path] of OPERATIONS) {
      const label = `${method} ${path}`;
      const body = (
        spec.paths[path]?.[method] as { requestBody?: { content: Record<string, { example?: unknown }> } }
      ).requestBody;
      if (!WITH_BODY.has(label)) {
        expect(body, `${label} takes no body`).toBeUndefined();
        continue;
      }
      expect(body, `${label} documents its body`).toBeDefined();
      expect(body!.content['application/json']?.example, label).toBeDefined();
      documented.push(label);
    }
    expect(documented.sort()).toEqual([...WITH_BODY].sort());
  });

  it('never documents a password hash or token version', () => {
    expect(JSON.stringify(spec)).not.toMatch(/passwordHash|password_hash|tokenVersion|token_version/);
  });
});
