import { describe, expect, it } from 'vitest';
import { MemoryCache } from '../../src/infrastructure/cache/memory-cache.js';
import { createVerificationCache } from '../../src/modules/certificates/index.js';
import {
  certificatesOf,
  insertCourseWithOutline,
  insertEnrollment,
  insertLessonProgress,
  insertSignedInUser,
  notificationsOf,
  queuedJobs,
} from '../helpers/factories/index.js';
import { waitFor } from '../helpers/processes.js';
import { useTestApp } from '../helpers/use-test-app.js';

describe('certificate issuance from a completion, through the durable subscriber and a worker', () => {
  const suite = useTestApp({
    cast: ['instructor'],
    config: { jobs: { workerEnabled: true, concurrency: 2, fetchBatchSize: 10 } },
    rateLimit: { globalPerMinute: 10_000 },
  });
  const { instructor } = suite.cast;

  /** A learner with every lesson but the last of a 3-lesson course completed. */
  async function nearlyDone() {
    const course = await insertCourseWithOutline(suite.db, instructor.id, [3], {
      title: 'Completion Course',
    });
    const learner = await insertSignedInUser(suite.testApp);
    const enrollment = await insertEnrollment(suite.db, learner.id, course.course.id, {
      completedLessonCount: 2,
      progressPercent: 66,
    });
    for (const lesson of course.lessons.slice(0, 2)) {
      await insertLessonProgress(suite.db, {
        userId: learner.id,
        lessonId: lesson.id,
        enrollmentId: enrollment.id,
        status: 'completed',
      });
    }
    return { course, learner, enrollment, last: course.lessons[2]! };
  }

  const certificateJobsDone = async () =>
    (await queuedJobs(suite.db, 'event:certificate-issuer')).length === 0 ? true : undefined;

  it('completing the last lesson issues the certificate and its notification (a job made in the completing transaction)', async () => {
    const { learner, enrollment, last } = await nearlyDone();
    const response = await suite.app.inject({
      method: 'PUT',
      url: `/api/v1/me/lessons/${last.id}/progress`,
      headers: learner.headers,
      payload: { status: 'completed' },
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().enrollment.status).toBe('completed');
    const [certificate] = await waitFor(
      'the certificate',
      async () => {
        const rows = await certificatesOf(suite.db, enrollment.id);
        return rows.length > 0 ? rows : undefined;
      },
      { timeoutMs: 20_000 },
    );
    expect(certificate).toMatchObject({ userId: learner.id, revokedAt: null });
    await waitFor('the issuing job to finish', certificateJobsDone, { timeoutMs: 20_000 });
    const mine = await suite.app.inject({
      method: 'GET',
      url: '/api/v1/me/certificates',
      headers: learner.headers,
    });
    expect(mine.json().data).toEqual([
      expect.objectContaining({
        id: certificate!.id,
        courseTitle: 'Completion Course',
        learnerName: learner.name,
      }),
    ]);
    const notes = await notificationsOf(suite.db, learner.id);
    expect(notes.map((note) => note.type).sort()).toEqual(['certificate_issued', 'enrollment']);
  });

  it('exactly one certificate and one certificate notification when 20 requests complete the last lesson at once', async () => {
    const { learner, enrollment, last } = await nearlyDone();
    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        suite.app.inject({
          method: 'PUT',
          url: `/api/v1/me/lessons/${last.id}/progress`,
          headers: learner.headers,
          payload: { status: 'completed' },
        }),
      ),
    );
    expect(responses.map((r) => r.statusCode)).toEqual(Array(20).fill(200));
    await waitFor(
      'the certificate',
      async () => ((await certificatesOf(suite.db, enrollment.id)).length > 0 ? true : undefined),
      { timeoutMs: 20_000 },
    );
    await waitFor('the issuing jobs to finish', certificateJobsDone, { timeoutMs: 20_000 });
    expect(await certificatesOf(suite.db, enrollment.id)).toHaveLength(1);
    const notes = await notificationsOf(suite.db, learner.id);
    expect(notes.filter((note) => note.type === 'certificate_issued')).toHaveLength(1);
  });
});

describe('the verification cache across instances', () => {
  it('a revocation on one instance stops every instance serving its copy (shared generations)', async () => {
    const shared = new MemoryCache();
    const a = createVerificationCache(shared);
    const b = createVerificationCache(shared);
    let answer = '{"status":"valid"}';
    const load = async () => answer;
    expect((await a.get('code', load))?.payload.toString()).toBe('{"status":"valid"}');
    answer = '{"status":"revoked"}';
    // Instance a still holds its copy until the generation changes.
    expect((await a.get('code', load))?.payload.toString()).toBe('{"status":"valid"}');
    await b.changed('code');
    expect((await a.get('code', load))?.payload.toString()).toBe('{"status":"revoked"}');
  });

  it('unknown codes are not kept and start no generation', async () => {
    const shared = new MemoryCache();
    const cache = createVerificationCache(shared);
    expect(await cache.get('nope', async () => undefined)).toBeUndefined();
    expect(await shared.getPlain('certificates:verify-generation', 'nope')).toBeUndefined();
  });
});
