import { once } from 'node:events';
import net from 'node:net';
import { brotliDecompressSync } from 'node:zlib';
import { sql } from 'drizzle-orm';
import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { REDACT_CENSOR } from '../../src/http/logger.js';
import {
  createDatabaseClient,
  type DatabaseClient,
} from '../../src/infrastructure/database/client/client.js';
import { AppError } from '../../src/shared/errors.js';
import { type TestApp, testConfig } from '../helpers/test-app.js';
import { createTestDatabase } from '../helpers/test-database.js';
import { createOutboxMailer } from '../helpers/test-mailer.js';
import { useTestApp } from '../helpers/use-test-app.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const PROBLEM_JSON = /^application\/problem\+json/;
const SECRET_ERROR_MESSAGE = 'connection to db://admin:hunter2@db failed in SELECT password_hash FROM users';

/** Test-only routes, added before the app is ready (useTestApp's `prepare`). */
function addTestRoutes({ app, db }: Pick<TestApp, 'app' | 'db'>): void {
  app.post(
    '/__test/echo',
    {
      schema: {
        body: Type.Object(
          {
            email: Type.String({ format: 'email' }),
            age: Type.Integer({ minimum: 0 }),
            name: Type.String({ minLength: 1 }),
          },
          { additionalProperties: false },
        ),
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })) }),
      },
    },
    async (request) => ({ body: request.body, limit: request.query.limit ?? null }),
  );
  app.get('/__test/boom', async () => {
    throw new Error(SECRET_ERROR_MESSAGE);
  });
  app.get('/__test/conflict', async () => {
    throw new AppError('conflict', 'That email address is already registered.', {
      conflictingField: 'email',
    });
  });
  app.get('/__test/bad-uuid', async () => {
    await db.execute(sql`select ${'not-a-uuid'}::uuid`);
    return { unreachable: true };
  });
  app.get('/__test/nul-text', async () => {
    await db.execute(sql`select ${'a\u0000b'}::text`);
    return { unreachable: true };
  });
  app.get('/__test/query', async () => {
    await db.execute(sql`select 1`);
    return { ok: true };
  });
}

/** A TCP port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

describe('HTTP application', () => {
  const suite = useTestApp({ config: { bodyLimitBytes: 1024 }, prepare: addTestRoutes });

  describe('health', () => {
    it('GET /health/live answers 200 ok', async () => {
      const response = await suite.app.inject({ method: 'GET', url: '/health/live' });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ status: 'ok' });
      expect(response.headers['cache-control']).toBe('no-store');
    });

    it('GET /health/ready answers 200 with the database check when the database answers', async () => {
      const response = await suite.app.inject({ method: 'GET', url: '/health/ready' });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ status: 'ok', checks: { database: 'ok' } });
    });
  });

  describe('documentation', () => {
    it('serves an OpenAPI 3.1.0 document with bearerAuth and the shared Problem schema', async () => {
      const response = await suite.app.inject({ method: 'GET', url: '/openapi.json' });
      expect(response.statusCode).toBe(200);
      const spec = response.json();
      expect(spec.openapi).toBe('3.1.0');
      expect(spec.info.title).toBe('Learning Platform API');
      expect(spec.info.version).toMatch(/^\d+\.\d+\.\d+/);
      expect(spec.components.securitySchemes.bearerAuth).toMatchObject({
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
      });
      expect(spec.components.schemas.Problem.properties.code.enum).toContain('validation_failed');
      expect(spec.paths['/health/ready'].get.tags).toEqual(['operations']);
      expect(
        spec.paths['/health/ready'].get.responses['503'].content['application/problem+json'].schema,
      ).toEqual({
        $ref: '#/components/schemas/Problem',
      });
      // The documentation's own routes are not part of the API.
      expect(Object.keys(spec.paths).filter((p) => p.startsWith('/docs') || p === '/openapi.json')).toEqual(
        [],
      );
    });

    it('redirects /docs to /docs/, which serves the HTML API reference', async () => {
      const redirect = await suite.app.inject({ method: 'GET', url: '/docs' });
      expect(redirect.statusCode).toBe(301);
      expect(redirect.headers.location).toBe('/docs/');

      const page = await suite.app.inject({ method: 'GET', url: redirect.headers.location as string });
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.body).toMatch(/<html/i);
      expect(page.body).toContain('Learning Platform API');
    });

    it('serves the reference’s script, compressed for browsers that accept it, and the document it shows', async () => {
      const [plain, brotli] = await Promise.all([
        suite.app.inject({ method: 'GET', url: '/docs/js/scalar.js' }),
        suite.app.inject({
          method: 'GET',
          url: '/docs/js/scalar.js',
          headers: { 'accept-encoding': 'gzip, br' },
        }),
      ]);
      expect(plain.statusCode).toBe(200);
      expect(plain.headers['content-type']).toMatch(/^application\/javascript/);
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(brotli.headers['content-encoding']).toBe('br');
      expect(brotli.headers.vary).toBe('Accept-Encoding');
      expect(brotliDecompressSync(brotli.rawPayload).equals(plain.rawPayload)).toBe(true);
      expect(brotli.rawPayload.length).toBeLessThan(plain.rawPayload.length / 2);

      const document = await suite.app.inject({ method: 'GET', url: '/docs/openapi.json' });
      expect(document.statusCode).toBe(200);
      expect(document.json().info.title).toBe('Learning Platform API');

      const unknown = await suite.app.inject({ method: 'GET', url: '/docs/nothing-here' });
      expect(unknown.statusCode).toBe(404);
      expect(unknown.headers['content-type']).toMatch(/^application\/problem\+json/);
    });
  });

  describe('metrics', () => {
    it('GET /metrics exposes process metrics and request durations labelled by route pattern', async () => {
      await suite.app.inject({ method: 'GET', url: '/health/live' });
      await suite.app.inject({ method: 'GET', url: '/no/such/route/12345' });
      const response = await suite.app.inject({ method: 'GET', url: '/metrics' });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toMatch(/^text\/plain/);
      expect(response.body).toContain('# TYPE http_request_duration_seconds histogram');
      expect(response.body).toMatch(
        /http_request_duration_seconds_count\{method="GET",route="\/health\/live",status_code="200"\} \d+/,
      );
      expect(response.body).toContain('route="(unmatched)",status_code="404"');
      expect(response.body).not.toContain('/no/such/route/12345');
      expect(response.body).toContain('process_cpu_user_seconds_total');
    });
  });

  describe('request ids', () => {
    it('echoes a safe incoming x-request-id and uses it in problems', async () => {
      const response = await suite.app.inject({
        method: 'GET',
        url: '/nothing-here',
        headers: { 'x-request-id': 'trace-42.abc_DEF:1' },
      });
      expect(response.headers['x-request-id']).toBe('trace-42.abc_DEF:1');
      expect(response.json().requestId).toBe('trace-42.abc_DEF:1');
    });

    it('replaces an unsafe or overlong x-request-id with a fresh UUID', async () => {
      for (const unsafe of ['<script>alert(1)</script>', 'a'.repeat(65), 'with space']) {
        const response = await suite.app.inject({
          method: 'GET',
          url: '/health/live',
          headers: { 'x-request-id': unsafe },
        });
        expect(response.headers['x-request-id']).toMatch(UUID);
      }
    });

    it('generates a UUID when none is sent', async () => {
      const response = await suite.app.inject({ method: 'GET', url: '/health/live' });
      expect(response.headers['x-request-id']).toMatch(UUID);
    });
  });

  describe('errors as application/problem+json', () => {
    it('answers an unknown route with a 404 problem', async () => {
      const response = await suite.app.inject({ method: 'GET', url: '/api/v1/nope?x=1' });
      expect(response.statusCode).toBe(404);
      expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
      const body = response.json();
      expect(body).toMatchObject({
        type: 'https://learning-platform.dev/problems/not_found',
        title: 'Not found',
        status: 404,
        code: 'not_found',
        instance: '/api/v1/nope',
      });
      expect(body.requestId).toBe(response.headers['x-request-id']);
    });

    it('answers malformed JSON with 400 bad_request', async () => {
      const response = await suite.app.inject({
        method: 'POST',
        url: '/__test/echo',
        headers: { 'content-type': 'application/json' },
        payload: '{"email": "a@example.com",',
      });
      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(response.json()).toMatchObject({ status: 400, code: 'bad_request', instance: '/__test/echo' });
    });

    it('answers an empty JSON body with 400 bad_request', async () => {
      const response = await suite.app.inject({
        method: 'POST',
        url: '/__test/echo',
        headers: { 'content-type': 'application/json' },
        payload: '',
      });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ code: 'bad_request' });
    });

    it('answers an unsupported content type with 415', async () => {
      const response = await suite.app.inject({
        method: 'POST',
        url: '/__test/echo',
        headers: { 'content-type': 'application/xml' },
        payload: '<user><email>a@example.com</email></user>',
      });
      expect(response.statusCode).toBe(415);
      expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(response.json()).toMatchObject({
        type: 'https://learning-platform.dev/problems/unsupported_media_type',
        code: 'unsupported_media_type',
        detail: 'Send the body as application/json.',
      });
    });

    it('answers a body over the configured limit with 413', async () => {
      const response = await suite.app.inject({
        method: 'POST',
        url: '/__test/echo',
        payload: { email: 'a@example.com', age: 1, name: 'x'.repeat(2000) },
      });
      expect(response.statusCode).toBe(413);
      expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(response.json()).toMatchObject({ code: 'payload_too_large', status: 413 });
      expect(response.json().detail).toContain('1024 bytes');
    });

    it('lists every bad field of a validation failure as a JSON pointer', async () => {
      const response = await suite.app.inject({
        method: 'POST',
        url: '/__test/echo',
        payload: { email: 'not-an-email', age: -3, unexpected: true },
      });
      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
      const body = response.json();
      expect(body).toMatchObject({
        type: 'https://learning-platform.dev/problems/validation_failed',
        code: 'validation_failed',
        status: 400,
        instance: '/__test/echo',
      });
      const fields = (body.errors as { field: string; message: string }[]).map((e) => e.field).sort();
      expect(fields).toEqual(['/body/age', '/body/email', '/body/name', '/body/unexpected']);
      expect(body.errors).toContainEqual({ field: '/body/name', message: 'is required' });
      expect(body.errors).toContainEqual({ field: '/body/unexpected', message: 'is not allowed' });
    });

    it('lists at most 50 bad fields, so a hostile body cannot inflate the response', async () => {
      const payload: Record<string, unknown> = { email: 'a@example.com', age: 3, name: 'Ada' };
      for (let i = 0; i < 90; i++) payload[`e${i}`] = 0;
      const response = await suite.app.inject({ method: 'POST', url: '/__test/echo', payload });
      expect(response.statusCode).toBe(400);
      const body = response.json();
      expect(body.errors).toHaveLength(50);
      expect(body.detail).toBe('90 fields are not valid (the first 50 are listed).');
      expect(body.errors[49]).toEqual({ field: '/body/e49', message: 'is not allowed' });
    });

    it('refuses a urn:uuid: id in a uuid field, naming the field', async () => {
      const response = await suite.app.inject({
        method: 'GET',
        url: '/api/v1/users/urn:uuid:0b9d6f2e-7d6f-4f6a-9a51-8d5b7a7c1e11/profile',
      });
      expect(response.statusCode).toBe(400);
      expect(response.json().errors).toEqual([expect.objectContaining({ field: '/params/id' })]);
    });

    it('validates and coerces query strings, naming the bad parameter', async () => {
      const valid = await suite.app.inject({
        method: 'POST',
        url: '/__test/echo?limit=20',
        payload: { email: 'a@example.com', age: 3, name: 'Ada' },
      });
      expect(valid.statusCode).toBe(200);
      expect(valid.json()).toEqual({ body: { email: 'a@example.com', age: 3, name: 'Ada' }, limit: 20 });

      const invalid = await suite.app.inject({
        method: 'POST',
        url: '/__test/echo?limit=lots',
        payload: { email: 'a@example.com', age: 3, name: 'Ada' },
      });
      expect(invalid.statusCode).toBe(400);
      expect(invalid.json().errors).toEqual([{ field: '/querystring/limit', message: 'must be integer' }]);
    });

    it('validates JSON bodies exactly: no coercion of numbers, arrays or booleans, each field named', async () => {
      const response = await suite.app.inject({
        method: 'POST',
        url: '/__test/echo?limit=20',
        payload: { email: true, age: '3', name: ['Ada'] },
      });
      expect(response.statusCode).toBe(400);
      expect(response.json().code).toBe('validation_failed');
      const fields = (response.json().errors as Array<{ field: string }>).map((error) => error.field).sort();
      expect(fields).toEqual(['/body/age', '/body/email', '/body/name']);
      expect(response.json().errors).toContainEqual({ field: '/body/age', message: 'must be integer' });
      expect(response.json().errors).toContainEqual({ field: '/body/name', message: 'must be string' });

      const numberForString = await suite.app.inject({
        method: 'POST',
        url: '/__test/echo',
        payload: { email: 'a@example.com', age: 3, name: 12345 },
      });
      expect(numberForString.statusCode).toBe(400);
      expect(numberForString.json().errors).toEqual([{ field: '/body/name', message: 'must be string' }]);
    });

    it('refuses NUL characters in bodies, query strings and path parameters at validation, naming the field', async () => {
      const nul = 'must not contain NUL characters';
      const body = await suite.app.inject({
        method: 'POST',
        url: '/__test/echo',
        payload: { email: 'a@example.com', age: -1, name: 'A\u0000da' },
      });
      expect(body.statusCode).toBe(400);
      expect(body.json().code).toBe('validation_failed');
      // Listed with the schema's own errors, not instead of them.
      expect(body.json().errors).toEqual(
        expect.arrayContaining([
          { field: '/body/name', message: nul },
          expect.objectContaining({ field: '/body/age' }),
        ]),
      );
      const valid = await suite.app.inject({
        method: 'POST',
        url: '/__test/echo',
        payload: { email: 'a@example.com', age: 1, name: 'Ada\u0001' },
      });
      expect(valid.statusCode, 'other control characters are data').toBe(200);

      // Validation runs before authentication: no token needed to be told, and nothing reaches PostgreSQL.
      const query = await suite.app.inject({ method: 'GET', url: '/api/v1/users?q=a%00b' });
      expect(query.statusCode).toBe(400);
      expect(query.json().errors).toEqual([{ field: '/querystring/q', message: nul }]);
      const params = await suite.app.inject({ method: 'GET', url: '/api/v1/courses/intro%00duction' });
      expect(params.statusCode).toBe(400);
      expect(params.json().errors).toContainEqual({ field: '/params/id', message: nul });
    });

    it('answers a known path with an unrouted method with 405 and Allow; unknown paths stay 404', async () => {
      const response = await suite.app.inject({ method: 'DELETE', url: '/health/live' });
      expect(response.statusCode).toBe(405);
      expect(response.headers.allow).toBe('GET, HEAD');
      expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(response.json()).toMatchObject({
        type: 'https://learning-platform.dev/problems/method_not_allowed',
        code: 'method_not_allowed',
        status: 405,
        instance: '/health/live',
      });

      const withParams = await suite.app.inject({
        method: 'PUT',
        url: '/api/v1/users/0b9d6f2e-7d6f-4f6a-9a51-8d5b7a7c1e11/profile?x=1',
      });
      expect(withParams.statusCode).toBe(405);
      expect(withParams.headers.allow).toBe('GET, HEAD');

      const post = await suite.app.inject({ method: 'GET', url: '/__test/echo' });
      expect(post.statusCode).toBe(405);
      expect(post.headers.allow).toBe('POST');

      const unknown = await suite.app.inject({ method: 'DELETE', url: '/health/nothing' });
      expect(unknown.statusCode).toBe(404);
      expect(unknown.headers.allow).toBeUndefined();
    });

    it('turns an AppError into its catalog status, type and extension members', async () => {
      const response = await suite.app.inject({ method: 'GET', url: '/__test/conflict' });
      expect(response.statusCode).toBe(409);
      expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(response.json()).toMatchObject({
        type: 'https://learning-platform.dev/problems/conflict',
        title: 'Conflict',
        status: 409,
        code: 'conflict',
        detail: 'That email address is already registered.',
        conflictingField: 'email',
        instance: '/__test/conflict',
      });
    });

    it('answers an unexpected error with a generic 500 that leaks neither message nor stack', async () => {
      const response = await suite.app.inject({ method: 'GET', url: '/__test/boom' });
      expect(response.statusCode).toBe(500);
      expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
      const body = response.json();
      expect(body).toMatchObject({ code: 'internal_error', status: 500, instance: '/__test/boom' });
      expect(body.requestId).toBe(response.headers['x-request-id']);
      expect(response.body).not.toContain('hunter2');
      expect(response.body).not.toContain('SELECT');
      expect(response.body).not.toContain('stack');
      expect(response.body).not.toContain('app.test.ts');
    });

    it('answers bad input that only PostgreSQL caught with a 4xx, not a 500, and without SQL', async () => {
      const response = await suite.app.inject({ method: 'GET', url: '/__test/bad-uuid' });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ code: 'bad_request' });
      expect(response.body).not.toContain('select');
      expect(response.body).not.toContain('not-a-uuid');
    });

    it('answers a NUL character that PostgreSQL cannot store with 400, not 500', async () => {
      const response = await suite.app.inject({ method: 'GET', url: '/__test/nul-text' });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ code: 'bad_request' });
    });
  });
});

describe('when the database is unreachable', () => {
  it('GET /health/ready answers 503 problem+json quickly, and database errors become 503', async () => {
    const url = `postgresql://postgres:postgres@127.0.0.1:${await closedPort()}/nothing`;
    const database = createDatabaseClient(url, { connectionTimeoutMillis: 1_000 });
    const app = await buildApp({ config: testConfig(url), database, mailer: createOutboxMailer() });
    addTestRoutes({ app, db: database.db });
    try {
      const started = performance.now();
      const response = await app.inject({ method: 'GET', url: '/health/ready' });
      expect(performance.now() - started).toBeLessThan(3_000);
      expect(response.statusCode).toBe(503);
      expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(response.headers['retry-after']).toBe('5');
      expect(response.json()).toMatchObject({
        type: 'https://learning-platform.dev/problems/service_unavailable',
        code: 'service_unavailable',
        status: 503,
        checks: { database: 'unavailable' },
        instance: '/health/ready',
      });

      // The liveness probe does not depend on the database.
      expect((await app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);

      // A route's query failing to connect is a 503 with Retry-After, not a 500.
      const query = await app.inject({ method: 'GET', url: '/__test/query' });
      expect(query.statusCode).toBe(503);
      expect(query.headers['retry-after']).toBe('5');
      expect(query.json()).toMatchObject({ code: 'service_unavailable' });
      expect(query.body).not.toContain('ECONNREFUSED');
    } finally {
      await app.close();
      await database.close();
    }
  });

  it('GET /health/ready gives up after its 2 s timeout when the server accepts but never answers', async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => {});
    });
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const { port } = silent.address() as net.AddressInfo;
    const url = `postgresql://postgres:postgres@127.0.0.1:${port}/nothing`;
    // The pool would wait 10 s for a connection; the readiness probe must not.
    const database = createDatabaseClient(url, { connectionTimeoutMillis: 10_000 });
    const app = await buildApp({ config: testConfig(url), database, mailer: createOutboxMailer() });
    try {
      // Timed from a ready app: booting it (seconds on a busy machine) is not the probe's time.
      await app.ready();
      const started = performance.now();
      const response = await app.inject({ method: 'GET', url: '/health/ready' });
      const elapsed = performance.now() - started;
      expect(response.statusCode).toBe(503);
      expect(response.json()).toMatchObject({
        code: 'service_unavailable',
        checks: { database: 'unavailable' },
      });
      expect(elapsed).toBeGreaterThanOrEqual(1_900);
      expect(elapsed).toBeLessThan(3_000);
    } finally {
      await app.close();
      for (const socket of sockets) socket.destroy();
      silent.close();
      await database.close();
    }
  });
});

describe('database ownership', () => {
  it('closes the pool on app.close() only when told it owns it', async () => {
    const testDatabase = await createTestDatabase();
    const clients: DatabaseClient[] = [];
    try {
      const shared = createDatabaseClient(testDatabase.url, { max: 2 });
      clients.push(shared);
      const borrower = await buildApp({
        config: testConfig(testDatabase.url),
        database: shared,
        mailer: createOutboxMailer(),
      });
      await borrower.ready();
      await borrower.close();
      expect(shared.pool.ended).toBe(false);
      await expect(shared.pool.query('select 1 as one')).resolves.toMatchObject({ rows: [{ one: 1 }] });

      const owned = createDatabaseClient(testDatabase.url, { max: 2 });
      clients.push(owned);
      const owner = await buildApp({
        config: testConfig(testDatabase.url),
        database: owned,
        ownsDatabase: true,
        mailer: createOutboxMailer(),
      });
      await owner.ready();
      await owner.close();
      expect(owned.pool.ended).toBe(true);
    } finally {
      for (const client of clients) if (!client.pool.ended) await client.close();
      await testDatabase.drop();
    }
  });
});

describe('logging', () => {
  const lines: string[] = [];
  const suite = useTestApp({
    app: { logger: { level: 'info', stream: { write: (line: string) => void lines.push(line) } } },
    prepare: addTestRoutes,
  });

  const records = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);

  it('redacts passwords, tokens, secrets, Authorization and cookies at any depth up to 3', () => {
    lines.length = 0;
    const secrets = {
      password: 'pw-top-1',
      token: 'tok-top-2',
      secret: 'sec-top-3',
      user: { email: 'ada@example.com', password: 'pw-nested-4', currentPassword: 'pw-current-5' },
      body: { change: { newPassword: 'pw-new-6', refreshToken: 'rt-7' }, session: { accessToken: 'at-8' } },
      deep: { a: { b: { password: 'pw-depth3-9' } } },
      req: { headers: { authorization: 'Bearer eyJ-auth-10', cookie: 'session=cookie-11' } },
      res: { headers: { 'set-cookie': 'session=set-cookie-12' } },
    };
    suite.app.log.info(secrets, 'secrets everywhere');
    const output = lines.join('');
    for (const value of [
      'pw-top-1',
      'tok-top-2',
      'sec-top-3',
      'pw-nested-4',
      'pw-current-5',
      'pw-new-6',
      'rt-7',
      'at-8',
      'pw-depth3-9',
      'eyJ-auth-10',
      'cookie-11',
      'set-cookie-12',
    ]) {
      expect(output).not.toContain(value);
    }
    expect(output).toContain(REDACT_CENSOR);
    // What is not secret is kept.
    expect(output).toContain('ada@example.com');
  });

  it('logs requests with method, redacted url, request id, status and response time, but no headers', async () => {
    lines.length = 0;
    await suite.app.inject({
      method: 'GET',
      url: '/api/v1/missing?access_token=query-secret-1&page=2&reset_token=query-secret-2',
      headers: { authorization: 'Bearer header-secret-3', 'x-request-id': 'log-test-1' },
    });
    const output = lines.join('');
    expect(output).not.toContain('query-secret-1');
    expect(output).not.toContain('query-secret-2');
    expect(output).not.toContain('header-secret-3');

    const incoming = records().find((r) => r.msg === 'incoming request');
    expect(incoming?.requestId).toBe('log-test-1');
    expect(incoming?.req).toMatchObject({
      method: 'GET',
      url: `/api/v1/missing?access_token=${REDACT_CENSOR}&page=2&reset_token=${REDACT_CENSOR}`,
    });
    const completed = records().find((r) => r.msg === 'request completed');
    expect(completed?.requestId).toBe('log-test-1');
    expect(completed?.res).toEqual({ statusCode: 404 });
    expect(typeof completed?.responseTime).toBe('number');
  });

  it('logs an unexpected error at error level with its stack, which the client never sees', async () => {
    lines.length = 0;
    const response = await suite.app.inject({ method: 'GET', url: '/__test/boom' });
    expect(response.body).not.toContain('hunter2');
    const logged = records().find((r) => r.msg === 'unhandled error');
    expect(logged?.level).toBe(50);
    const err = logged?.err as { message: string; stack: string };
    expect(err.message).toBe(SECRET_ERROR_MESSAGE);
    expect(err.stack).toContain('app.test.ts');
  });
});
