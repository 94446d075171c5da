import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { authenticatePlugin } from '../../src/http/authenticate.js';
import { errorHandlerPlugin } from '../../src/http/error-handler.js';
import type { DomainEvents } from '../../src/infrastructure/events/domain-events.js';
import { createEventBus, type SubscriberFailure } from '../../src/infrastructure/events/event-bus.js';
import { createAccessTokens } from '../../src/infrastructure/security/access-tokens.js';
import { coursesModule } from '../../src/modules/courses/index.js';
import { selectAuthState } from '../../src/modules/users/user-cache.js';
import { insertSignedInUser, type SignedInUser } from '../helpers/factories/index.js';
import { useTestApp } from '../helpers/use-test-app.js';

interface Notification {
  courseId: string;
  /** The course's version as another connection saw it when the catalog was told: proves the commit came first. */
  committedVersion: number | null;
}

/**
 * The authoring routes mounted on their own with an event bus of their own, whose one subscriber to
 * `course.changed` records what the catalog would be told, on the same database as a full test app
 * (whose users and tokens they share).
 */
describe('course authoring tells the catalog after every committed write', () => {
  const suite = useTestApp();
  let authoring: FastifyInstance;
  let instructor: SignedInUser;
  let otherInstructor: SignedInUser;
  const notifications: Notification[] = [];
  const failures: SubscriberFailure[] = [];
  let failInvalidation = false;

  beforeAll(async () => {
    instructor = await insertSignedInUser(suite.testApp, { role: 'instructor' });
    otherInstructor = await insertSignedInUser(suite.testApp, { role: 'instructor' });
    const { pool, db } = suite.testApp.database;

    authoring = Fastify({
      ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: true } },
    }).withTypeProvider<TypeBoxTypeProvider>();
    await authoring.register(errorHandlerPlugin);
    await authoring.register(authenticatePlugin, {
      userStates: { authState: selectAuthState(db) },
      accessTokens: createAccessTokens(
        suite.testApp.config.jwtSecret,
        suite.testApp.config.accessTokenTtlSeconds,
      ),
    });
    const events = createEventBus<DomainEvents>({ onSubscriberError: (failure) => failures.push(failure) });
    events.subscribe(
      'course.changed',
      async ({ courseId }) => {
        const { rows } = await pool.query<{ version: number }>('SELECT version FROM courses WHERE id = $1', [
          courseId,
        ]);
        notifications.push({ courseId, committedVersion: rows[0]?.version ?? null });
        if (failInvalidation) throw new Error('cache unavailable');
      },
      { name: 'recording-catalog' },
    );
    await authoring.register(coursesModule, { prefix: '/api/v1', db, events });
    await authoring.ready();
  });

  afterAll(async () => {
    await authoring?.close();
  });

  beforeEach(() => {
    notifications.length = 0;
    failures.length = 0;
    failInvalidation = false;
  });

  const call = (
    method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
    url: string,
    payload?: object,
    headers = {},
  ) =>
    authoring.inject({
      method,
      url: `/api/v1${url}`,
      headers: { ...instructor.headers, ...headers },
      payload,
    });

  it('notifies once per successful write, with the committed version, for every kind of write', async () => {
    const created = await call('POST', '/courses', { title: 'Cache Me', description: 'Described.' });
    expect(created.statusCode).toBe(201);
    const course = created.json();
    const expectOne = (version: number | null) => {
      expect(notifications).toEqual([{ courseId: course.id, committedVersion: version }]);
      notifications.length = 0;
    };
    expectOne(1);

    const edited = await call(
      'PATCH',
      `/courses/${course.id}`,
      { title: 'Cache Me Twice' },
      { 'if-match': '"1"' },
    );
    expect(edited.statusCode).toBe(200);
    expectOne(2);

    const moduleA = (await call('POST', `/courses/${course.id}/modules`, { title: 'A' })).json();
    expectOne(3);
    const moduleB = (await call('POST', `/courses/${course.id}/modules`, { title: 'B' })).json();
    expectOne(4);
    await call('PATCH', `/courses/${course.id}/modules/${moduleA.id}`, { title: 'A2' });
    expectOne(5);
    await call('PUT', `/courses/${course.id}/modules/order`, { moduleIds: [moduleB.id, moduleA.id] });
    expectOne(6);

    const lesson = (
      await call('POST', `/courses/${course.id}/modules/${moduleA.id}/lessons`, {
        title: 'L',
        type: 'text',
        content: { body: 'b' },
      })
    ).json();
    expectOne(7);
    await call('PATCH', `/courses/${course.id}/lessons/${lesson.id}`, { moduleId: moduleB.id });
    expectOne(8);
    await call('PUT', `/courses/${course.id}/modules/${moduleB.id}/lessons/order`, {
      lessonIds: [lesson.id],
    });
    expectOne(9);

    expect((await call('POST', `/courses/${course.id}/publish`)).statusCode).toBe(200);
    expectOne(10);
    expect((await call('POST', `/courses/${course.id}/unpublish`)).statusCode).toBe(200);
    expectOne(11);
    expect((await call('POST', `/courses/${course.id}/publish`)).statusCode).toBe(200);
    expectOne(12);
    expect((await call('POST', `/courses/${course.id}/archive`)).statusCode).toBe(200);
    expectOne(13);
    expect((await call('POST', `/courses/${course.id}/publish`)).statusCode).toBe(200);
    expectOne(14);
    expect((await call('POST', `/courses/${course.id}/unpublish`)).statusCode).toBe(200);
    expectOne(15);

    await call('DELETE', `/courses/${course.id}/modules/${moduleA.id}`);
    expectOne(16);
    await call('DELETE', `/courses/${course.id}/lessons/${lesson.id}`);
    expectOne(17);
    expect((await call('DELETE', `/courses/${course.id}`)).statusCode).toBe(204);
    // Deleted: the catalog is still told (its cached detail must go), after the row is gone.
    expectOne(null);
  });

  it('does not notify for refused writes (400, 404, 409, 412) or reads', async () => {
    const course = (await call('POST', '/courses', { title: 'Quiet Course' })).json();
    notifications.length = 0;

    expect((await call('POST', '/courses', { title: 'x' })).statusCode).toBe(400);
    expect(
      (await call('PATCH', `/courses/${course.id}`, { title: 'Stale' }, { 'if-match': '"9"' })).statusCode,
    ).toBe(412);
    expect((await call('POST', `/courses/${course.id}/publish`)).statusCode).toBe(409);
    expect((await call('GET', `/courses/${course.id}/authoring`)).statusCode).toBe(200);
    expect((await call('GET', '/instructor/courses')).statusCode).toBe(200);
    const foreign = await authoring.inject({
      method: 'POST',
      url: `/api/v1/courses/${course.id}/modules`,
      headers: otherInstructor.headers,
      payload: { title: 'Intruder' },
    });
    expect(foreign.statusCode).toBe(404);
    expect(notifications).toEqual([]);
  });

  it('keeps a committed write when the invalidation fails (the cache then expires by TTL)', async () => {
    failInvalidation = true;
    const created = await call('POST', '/courses', { title: 'Despite The Cache' });
    expect(created.statusCode).toBe(201);
    expect(notifications).toHaveLength(1);
    expect(failures.map((failure) => failure.subscriber)).toEqual(['recording-catalog']);
  });
});
