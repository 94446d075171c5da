import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idempotencyKeys } from '../../src/infrastructure/database/schema/index.js';
import type { DomainEvents } from '../../src/infrastructure/events/domain-events.js';
import { createEventBus } from '../../src/infrastructure/events/event-bus.js';
import { expireEnrollments, purgeIdempotencyKeys } from '../../src/modules/enrollments/index.js';
import {
  enrollmentCountOf,
  enrollmentRow,
  insertCourse,
  insertEnrollment,
  insertLesson,
  insertModule,
  insertSignedInUser,
  insertUser,
  queuedJobs,
  waitForCrontabs,
} from '../helpers/factories/index.js';
import { waitFor } from '../helpers/processes.js';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { useTestApp } from '../helpers/use-test-app.js';

const HOUR = 3_600_000;

describe('the enrollment expiry sweep', () => {
  const suite = useTestApp({ cast: ['instructor'] });
  const { instructor } = suite.cast;

  it('marks active enrollments past expires_at expired (in batches), publishes them, and the learner loses lesson access', async () => {
    const course = await insertCourse(suite.db, instructor.id, { accessDurationDays: 30 });
    const module = await insertModule(suite.db, course.id, 0);
    const lesson = await insertLesson(suite.db, module, 0);
    const learner = await insertSignedInUser(suite.testApp, { role: 'student' });
    const lapsed = await insertEnrollment(suite.db, learner.id, course.id, {
      expiresAt: new Date(Date.now() - HOUR),
      enrolledAt: new Date(Date.now() - 31 * 24 * HOUR),
    });
    const others = await Promise.all(
      Array.from({ length: 4 }, async () =>
        insertEnrollment(suite.db, (await insertUser(suite.db)).id, course.id, {
          expiresAt: new Date(Date.now() - 2 * HOUR),
        }),
      ),
    );
    const current = await insertEnrollment(suite.db, (await insertUser(suite.db)).id, course.id, {
      expiresAt: new Date(Date.now() + HOUR),
    });
    const forever = await insertEnrollment(suite.db, (await insertUser(suite.db)).id, course.id);
    const completed = await insertEnrollment(suite.db, (await insertUser(suite.db)).id, course.id, {
      status: 'completed',
      expiresAt: new Date(Date.now() - HOUR),
    });
    await suite.db.execute(sql`UPDATE courses SET enrollment_count = 8 WHERE id = ${course.id}::uuid`);

    const published: string[][] = [];
    const coursesOfBatches: string[][] = [];
    const events = createEventBus<DomainEvents>({ onSubscriberError: () => {} });
    events.subscribe(
      'enrollments.expired',
      async ({ enrollmentIds, courseIds }) => {
        published.push(enrollmentIds);
        coursesOfBatches.push(courseIds);
      },
      { name: 'test-expired' },
    );

    const lessonRead = () =>
      suite.app.inject({
        method: 'GET',
        url: `/api/v1/courses/${course.id}/lessons/${lesson.id}`,
        headers: learner.headers,
      });

    expect(await expireEnrollments({ db: suite.db, events }, { batchSize: 2 })).toBe(5);
    expect(published.map((batch) => batch.length)).toEqual([2, 2, 1]);
    // Each batch names its courses once.
    expect(coursesOfBatches).toEqual([[course.id], [course.id], [course.id]]);
    expect(published.flat().sort()).toEqual([lapsed, ...others].map((row) => row.id).sort());
    for (const row of [lapsed, ...others])
      expect((await enrollmentRow(suite.db, row.id)).status).toBe('expired');
    expect((await enrollmentRow(suite.db, current.id)).status).toBe('active');
    expect((await enrollmentRow(suite.db, forever.id)).status).toBe('active');
    expect((await enrollmentRow(suite.db, completed.id)).status).toBe('completed');
    // The count keeps expired enrollments (reactivation does not add them again).
    expect(await enrollmentCountOf(suite.db, course.id)).toBe(8);

    // The catalog's lesson read refuses the body (its own 403 code); the learner's course view says why.
    const refused = await lessonRead();
    expect(refused.statusCode).toBe(403);
    expect(refused.body).not.toContain('Body of lesson');
    const view = await suite.app.inject({
      method: 'GET',
      url: `/api/v1/me/courses/${course.id}`,
      headers: learner.headers,
    });
    expect(view.statusCode).toBe(403);
    expect(view.json()).toMatchObject({ code: 'not_enrolled', enrollmentStatus: 'expired' });

    // A worker stopping: an aborted signal sweeps nothing.
    const late = await insertEnrollment(suite.db, (await insertUser(suite.db)).id, course.id, {
      expiresAt: new Date(Date.now() - HOUR),
    });
    const stopped = new AbortController();
    stopped.abort();
    expect(await expireEnrollments({ db: suite.db, events }, { signal: stopped.signal })).toBe(0);
    expect((await enrollmentRow(suite.db, late.id)).status).toBe('active');
    expect(await expireEnrollments({ db: suite.db, events })).toBe(1);
    published.pop();

    // Nothing left: a second sweep changes nothing.
    expect(await expireEnrollments({ db: suite.db, events })).toBe(0);
    expect(published).toHaveLength(3);
  });
});

describe('the idempotency-key purge', () => {
  const suite = useTestApp({ cast: ['student'] });

  it('deletes keys past their lifetime only, in batches', async () => {
    const { db } = suite;
    const { student } = suite.cast;
    const key = (name: string, expiresAt: Date) => ({
      userId: student.id,
      scope: 'enrollments.create',
      key: name,
      requestHash: 'x',
      statusCode: 201,
      expiresAt,
    });
    await db
      .insert(idempotencyKeys)
      .values([
        key('old-1', new Date(Date.now() - HOUR)),
        key('old-2', new Date(Date.now() - 48 * HOUR)),
        key('old-3', new Date(Date.now() - 1_000)),
        key('live', new Date(Date.now() + HOUR)),
      ]);
    expect(await purgeIdempotencyKeys(db, { batchSize: 2 })).toBe(3);
    const left = await db.select({ key: idempotencyKeys.key }).from(idempotencyKeys);
    expect(left).toEqual([{ key: 'live' }]);
    expect(await purgeIdempotencyKeys(db)).toBe(0);
    await db.insert(idempotencyKeys).values(key('old-4', new Date(Date.now() - HOUR)));
    const stopped = new AbortController();
    stopped.abort();
    expect(await purgeIdempotencyKeys(db, { signal: stopped.signal })).toBe(0);
    expect(await purgeIdempotencyKeys(db)).toBe(1);
  });
});

describe('the enrollment schedules', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await buildTestApp({ jobs: { workerEnabled: true, concurrency: 2, fetchBatchSize: 10 } });
    await testApp.app.ready();
  });

  afterAll(async () => {
    await testApp?.close();
  });

  it('are registered (expiry every 5 minutes, purge hourly) and the worker runs them', async () => {
    const { db } = testApp;
    await waitForCrontabs(db, ['enrollments.expire', 'enrollments.purge-idempotency-keys']);

    const instructor = await insertUser(db, { role: 'instructor' });
    const course = await insertCourse(db, instructor.id);
    const lapsed = await insertEnrollment(db, (await insertUser(db)).id, course.id, {
      expiresAt: new Date(Date.now() - HOUR),
    });
    await db.execute(sql`SELECT graphile_worker.add_job('enrollments.expire', '{}'::json)`);
    await waitFor(
      'the expiry job to complete',
      async () => ((await queuedJobs(db, 'enrollments.expire')).length === 0 ? true : undefined),
      { timeoutMs: 15_000 },
    );
    expect((await enrollmentRow(db, lapsed.id)).status).toBe('expired');
  });
});
