import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notifications } from '../../src/infrastructure/database/schema/index.js';
import type { DomainEvents } from '../../src/infrastructure/events/domain-events.js';
import { createEventBus } from '../../src/infrastructure/events/event-bus.js';
import { createJobQueue } from '../../src/infrastructure/jobs/job-queue.js';
import type { JobTasks } from '../../src/infrastructure/jobs/job-tasks.js';
import { createBulkEnrolments } from '../../src/modules/enrollments/bulk-enrolment.js';
import { failBulkOperation, runBulkEnrolment } from '../../src/modules/enrollments/index.js';
import {
  enrollmentCountOf,
  enrollmentRows,
  enrolmentWrites,
  insertCourse,
  insertEnrollment,
  insertLesson,
  insertModule,
  insertPrerequisites,
  insertSignedInUser,
  insertUser,
  makeJobDue,
  queuedJobs,
  type SignedInUser,
} from '../helpers/factories/index.js';
import { waitFor } from '../helpers/processes.js';
import { useTestApp } from '../helpers/use-test-app.js';

type Suite = ReturnType<typeof useTestApp<'instructor' | 'otherInstructor' | 'student' | 'admin'>>;

function helpers(suite: Suite) {
  const bulk = (
    courseId: string,
    caller: SignedInUser,
    payload: unknown,
    contentType = 'application/json',
    extraHeaders: Record<string, string> = {},
  ) =>
    suite.app.inject({
      method: 'POST',
      url: `/api/v1/courses/${courseId}/enrollments/bulk`,
      headers: { ...caller.headers, 'content-type': contentType, ...extraHeaders },
      payload: typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : JSON.stringify(payload),
    });
  const operation = (id: string, caller: SignedInUser, query = '') =>
    suite.app.inject({
      method: 'GET',
      url: `/api/v1/bulk-operations/${id}${query}`,
      headers: caller.headers,
    });
  const course = async (overrides: Parameters<typeof insertCourse>[2] = {}) => {
    const created = await insertCourse(suite.db, suite.cast.instructor.id, {
      title: 'Bulk course',
      ...overrides,
    });
    const module = await insertModule(suite.db, created.id, 0);
    await insertLesson(suite.db, module, 0);
    return created;
  };
  const events = () => {
    const bus = createEventBus<DomainEvents>({ onSubscriberError: () => {} });
    return bus;
  };
  const run = (operationId: string, options: Parameters<typeof runBulkEnrolment>[2] = {}) =>
    runBulkEnrolment({ db: suite.db, events: events() }, operationId, options);
  return { bulk, operation, course, events, run };
}

describe('POST /courses/:id/enrollments/bulk and its job', () => {
  const suite = useTestApp({ cast: ['instructor', 'otherInstructor', 'student', 'admin'] });
  const { instructor, otherInstructor, student, admin } = suite.cast;
  const { bulk, operation, course, run } = helpers(suite);

  it('accepts mixed rows with 202, then the job gives each row its outcome and enrols the new ones once', async () => {
    const target = await course({ priceCents: 4900, accessDurationDays: 30 });
    const fresh = await insertUser(suite.db, { email: 'fresh.learner@example.test' });
    const enrolled = await insertUser(suite.db);
    await insertEnrollment(suite.db, enrolled.id, target.id);
    const dropped = await insertUser(suite.db);
    await insertEnrollment(suite.db, dropped.id, target.id, { status: 'dropped' });
    const inactive = await insertUser(suite.db, { isActive: false });
    const lapsed = await insertUser(suite.db);
    await insertEnrollment(suite.db, lapsed.id, target.id, { status: 'expired' });
    const countBefore = await enrollmentCountOf(suite.db, target.id);
    const emails = [
      '  Fresh.Learner@Example.TEST ',
      enrolled.email,
      'nobody-has-this@example.test',
      'not an address',
      'fresh.learner@example.test',
      dropped.email,
      inactive.email,
      lapsed.email,
      instructor.email,
    ];

    const response = await bulk(target.id, instructor, { emails });
    expect(response.statusCode, response.body).toBe(202);
    const accepted = response.json();
    expect(response.headers.location).toBe(`/api/v1/bulk-operations/${accepted.id}`);
    expect(accepted).toMatchObject({
      kind: 'course_enrollment',
      courseId: target.id,
      requestedBy: instructor.id,
      state: 'queued',
      total: 9,
      processed: 2,
      counts: { invalid_email: 1, duplicate: 1 },
      finishedAt: null,
    });
    // The job was enqueued with the operation (keyed by it), and nobody is enrolled yet.
    const jobs = await queuedJobs(suite.db, 'enrollments.bulk-enrol');
    const job = jobs.find((queued) => queued.payload.operationId === accepted.id);
    expect(job?.key).toBe(`enrollments.bulk-enrol:${accepted.id}`);
    expect(await enrollmentRows(suite.db, target.id, fresh.id)).toHaveLength(0);

    const published: Array<{ name: string; payload: Record<string, unknown> }> = [];
    const bus = createEventBus<DomainEvents>({ onSubscriberError: () => {} });
    for (const name of [
      'enrollment.created',
      'notification.created',
      'course.enrollment-count.changed',
    ] as const) {
      bus.subscribe(
        name,
        async (payload) => {
          published.push({ name, payload });
        },
        { name: `test-${name}` },
      );
    }
    await runBulkEnrolment({ db: suite.db, events: bus }, accepted.id, { chunkSize: 2 });

    const done = (await operation(accepted.id, instructor)).json();
    expect(done).toMatchObject({
      state: 'completed',
      total: 9,
      processed: 9,
      counts: {
        enrolled: 2,
        already_enrolled: 1,
        unknown_email: 1,
        invalid_email: 1,
        duplicate: 1,
        reactivated: 2,
        not_allowed: 1,
      },
    });
    expect(done.finishedAt).not.toBeNull();
    const outcomes = done.items.data.map((item: { position: number; outcome: string }) => [
      item.position,
      item.outcome,
    ]);
    expect(outcomes).toEqual([
      [0, 'enrolled'],
      [1, 'already_enrolled'],
      [2, 'unknown_email'],
      [3, 'invalid_email'],
      [4, 'duplicate'],
      [5, 'reactivated'],
      [6, 'not_allowed'],
      [7, 'reactivated'],
      [8, 'enrolled'],
    ]);
    expect(done.items.data[0].input).toBe('Fresh.Learner@Example.TEST');
    const [freshEnrollment] = await enrollmentRows(suite.db, target.id, fresh.id);
    expect(freshEnrollment).toMatchObject({ status: 'active', enrolledBy: instructor.id });
    expect(done.items.data[0].enrollmentId).toBe(freshEnrollment?.id);
    // Paid course, staff enrolment: no payment needed; the access window follows the course.
    const expires = freshEnrollment?.expiresAt?.getTime() ?? 0;
    expect(Math.abs(expires - (Date.now() + 30 * 86_400_000))).toBeLessThan(60_000);
    // The count moved by the new and the reactivated dropped enrollments (an expired one still counted).
    expect(await enrollmentCountOf(suite.db, target.id)).toBe(countBefore + 3);
    // The requester's own row names nobody as enroller.
    expect((await enrollmentRows(suite.db, target.id, instructor.id))[0]?.enrolledBy).toBeNull();
    // What single enrolment publishes, per learner; the count once per chunk that changed it.
    const created = published
      .filter((event) => event.name === 'enrollment.created')
      .map((event) => event.payload);
    expect(created).toHaveLength(4);
    expect(created).toContainEqual(
      expect.objectContaining({
        userId: fresh.id,
        courseId: target.id,
        enrolledBy: instructor.id,
        reactivated: false,
      }),
    );
    expect(created).toContainEqual(expect.objectContaining({ userId: dropped.id, reactivated: true }));
    expect(created).toContainEqual(expect.objectContaining({ userId: lapsed.id, reactivated: true }));
    expect(created).toContainEqual(
      expect.objectContaining({ userId: instructor.id, enrolledBy: null, reactivated: false }),
    );
    expect(published.filter((event) => event.name === 'notification.created')).toHaveLength(4);
    // Chunks of 2 over the rows left: [0, 1] enrols 0; [2, 5] reactivates 5 (dropped); [6, 7] reactivates
    // 7 (expired, still counted: no change); [8] enrols 8.
    expect(published.filter((event) => event.name === 'course.enrollment-count.changed')).toEqual([
      { name: 'course.enrollment-count.changed', payload: { courseId: target.id } },
      { name: 'course.enrollment-count.changed', payload: { courseId: target.id } },
      { name: 'course.enrollment-count.changed', payload: { courseId: target.id } },
    ]);
    // "Enrollment confirmed" for each newly enrolled learner, written with the enrollment.
    for (const user of [fresh, dropped, lapsed]) {
      const rows = await suite.db.select().from(notifications).where(eq(notifications.userId, user.id));
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ type: 'enrollment', title: 'You are enrolled in “Bulk course”' });
    }
    expect(
      await suite.db.select().from(notifications).where(eq(notifications.userId, enrolled.id)),
    ).toHaveLength(0);
  });

  it('a job interrupted after a chunk, then run again, enrols and notifies everyone exactly once', async () => {
    const target = await course();
    const learners = await Promise.all(Array.from({ length: 5 }, () => insertUser(suite.db)));
    const response = await bulk(target.id, instructor, { emails: learners.map((user) => user.email) });
    const { id } = response.json();
    // The worker stops after the first chunk of 2 has committed: the run throws (the job is retried).
    const controller = new AbortController();
    const bus = createEventBus<DomainEvents>({ onSubscriberError: () => {} });
    bus.subscribe('course.enrollment-count.changed', async () => controller.abort(), { name: 'test-stop' });
    await expect(
      runBulkEnrolment({ db: suite.db, events: bus }, id, { chunkSize: 2, signal: controller.signal }),
    ).rejects.toThrow(/interrupted/);
    const halfway = (await operation(id, instructor)).json();
    expect(halfway).toMatchObject({ state: 'running', processed: 2, counts: { enrolled: 2 } });
    expect(await enrollmentCountOf(suite.db, target.id)).toBe(2);

    await run(id, { chunkSize: 2 });
    const done = (await operation(id, instructor)).json();
    expect(done).toMatchObject({ state: 'completed', processed: 5, counts: { enrolled: 5 } });
    // A run over a finished operation does nothing at all.
    await run(id, { chunkSize: 2 });
    expect((await operation(id, instructor)).json()).toEqual(done);
    expect(await enrollmentRows(suite.db, target.id)).toHaveLength(5);
    expect(await enrollmentCountOf(suite.db, target.id)).toBe(5);
    const { rows } = await suite.db.execute<{ count: number }>(sql`
      SELECT count(*)::int AS count FROM notifications
       WHERE user_id IN (SELECT user_id FROM enrollments WHERE course_id = ${target.id}::uuid)`);
    expect(rows[0]?.count).toBe(5);
  });

  it('learners enrolled by another transaction while a chunk runs are already_enrolled, not counted twice', async () => {
    const target = await course();
    const newcomer = await insertUser(suite.db);
    const returning = await insertUser(suite.db);
    const dropped = await insertEnrollment(suite.db, returning.id, target.id, { status: 'dropped' });
    const other = await insertUser(suite.db);
    const { id } = (
      await bulk(target.id, instructor, { emails: [newcomer.email, returning.email, other.email] })
    ).json();
    // Another connection enrols `newcomer` and reactivates `returning`, and keeps its transaction open.
    const rival = new pg.Client({ connectionString: suite.testApp.url });
    await rival.connect();
    try {
      await rival.query('BEGIN');
      const inserted = await rival.query<{ id: string }>(
        'INSERT INTO enrollments (user_id, course_id) VALUES ($1, $2) RETURNING id',
        [newcomer.id, target.id],
      );
      await rival.query(`UPDATE enrollments SET status = 'active', dropped_at = NULL WHERE id = $1`, [
        dropped.id,
      ]);
      const running = run(id);
      // The chunk looked both up before they committed, and now waits for the rival's row locks.
      await waitFor(
        'the chunk to wait for the rival transaction',
        async () => {
          const { rows } = await rival.query<{ waiting: number }>(
            `SELECT count(*)::int AS waiting FROM pg_stat_activity
              WHERE datname = current_database() AND wait_event_type = 'Lock'`,
          );
          return (rows[0]?.waiting ?? 0) > 0 ? true : undefined;
        },
        { timeoutMs: 10_000 },
      );
      await rival.query('COMMIT');
      await running;
      const done = (await operation(id, instructor)).json();
      expect(done.items.data).toEqual([
        {
          position: 0,
          input: newcomer.email,
          outcome: 'already_enrolled',
          enrollmentId: inserted.rows[0]?.id,
        },
        { position: 1, input: returning.email, outcome: 'already_enrolled', enrollmentId: dropped.id },
        expect.objectContaining({ position: 2, outcome: 'enrolled' }),
      ]);
      // Only the job's own enrolment moved the count; only its learner was notified by it.
      expect(await enrollmentCountOf(suite.db, target.id)).toBe(1);
      for (const [user, count] of [
        [newcomer, 0],
        [returning, 0],
        [other, 1],
      ] as const) {
        expect(
          await suite.db.select().from(notifications).where(eq(notifications.userId, user.id)),
        ).toHaveLength(count);
      }
    } finally {
      await rival.end();
    }
  });

  it('takes a text/csv body (with an email column) and a multipart CSV upload', async () => {
    const target = await course();
    const a = await insertUser(suite.db);
    const b = await insertUser(suite.db);
    const csv = `name,email\r\n"Ada, Countess",${a.email}\r\nGrace,${b.email}\r\n\r\n`;
    const viaCsv = await bulk(target.id, instructor, csv, 'text/csv');
    expect(viaCsv.statusCode, viaCsv.body).toBe(202);
    expect(viaCsv.json()).toMatchObject({ total: 2, processed: 0 });

    const other = await course();
    const boundary = 'bulk-boundary-1234';
    const multipart = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="learners.csv"\r\n` +
        `Content-Type: text/csv\r\n\r\n${a.email}\n${b.email}\nnot-an-address\n\r\n--${boundary}--\r\n`,
    );
    const viaUpload = await bulk(other.id, admin, multipart, `multipart/form-data; boundary=${boundary}`);
    expect(viaUpload.statusCode, viaUpload.body).toBe(202);
    expect(viaUpload.json()).toMatchObject({ total: 3, processed: 1, requestedBy: admin.id });

    await run(viaCsv.json().id);
    await run(viaUpload.json().id);
    expect((await operation(viaCsv.json().id, instructor)).json().counts).toEqual({ enrolled: 2 });
    expect((await operation(viaUpload.json().id, admin)).json().counts).toEqual({
      enrolled: 2,
      invalid_email: 1,
    });
    expect(await enrollmentRows(suite.db, other.id)).toHaveLength(2);
  });

  it('refuses 10,001 rows (JSON or CSV), no rows, and a broken upload, writing nothing', async () => {
    const target = await course();
    const before = await enrolmentWrites(suite.db);
    const jobsBefore = (await queuedJobs(suite.db, 'enrollments.bulk-enrol')).length;
    const tooMany = Array.from({ length: 10_001 }, (_, n) => `learner${n}@example.test`);
    const json = await bulk(target.id, instructor, { emails: tooMany });
    expect(json.statusCode).toBe(400);
    expect(json.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(json.json().code).toBe('validation_failed');
    const csv = await bulk(target.id, instructor, tooMany.join('\n'), 'text/csv');
    expect(csv.statusCode).toBe(400);
    expect(csv.json().errors).toEqual([{ field: '/body', message: 'has more than 10000 rows' }]);
    expect((await bulk(target.id, instructor, { emails: [] })).statusCode).toBe(400);
    expect((await bulk(target.id, instructor, '\n\n', 'text/csv')).statusCode).toBe(400);
    const broken = await bulk(target.id, instructor, 'no parts here', 'multipart/form-data; boundary=zzz');
    expect(broken.statusCode).toBe(400);
    expect(broken.headers['content-type']).toMatch(/^application\/problem\+json/);
    const plain = await bulk(target.id, instructor, 'a@example.test', 'text/plain');
    expect(plain.statusCode).toBe(415);
    expect(await enrolmentWrites(suite.db)).toEqual(before);
    expect(await queuedJobs(suite.db, 'enrollments.bulk-enrol')).toHaveLength(jobsBefore);
  });

  it('with Idempotency-Key a retry gets the first 202 again (one operation); the key with other rows is 422', async () => {
    const target = await course();
    const body = { emails: ['retry-a@example.test', 'retry-b@example.test'] };
    const key = { 'idempotency-key': 'bulk-retry-1' };
    const first = await bulk(target.id, instructor, body, 'application/json', key);
    const again = await bulk(target.id, instructor, body, 'application/json', key);
    expect(first.statusCode).toBe(202);
    expect(again.statusCode).toBe(202);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().id).toBe(first.json().id);
    const { rows } = await suite.db.execute<{ count: number }>(
      sql`SELECT count(*)::int AS count FROM bulk_operations WHERE course_id = ${target.id}::uuid`,
    );
    expect(rows[0]?.count).toBe(1);
    const reused = await bulk(
      target.id,
      instructor,
      { emails: ['other@example.test'] },
      'application/json',
      key,
    );
    expect(reused.statusCode).toBe(422);
    expect(reused.json().code).toBe('idempotency_key_reused');
    // Keys are per operation: the same key on a single enrolment is a new request.
    const single = await suite.app.inject({
      method: 'POST',
      url: `/api/v1/courses/${target.id}/enrollments`,
      headers: { ...instructor.headers, ...key },
      payload: {},
    });
    expect(single.statusCode).toBe(201);
    // Each kept under its operation's own scope (what a key is unique within, with its user).
    const { rows: kept } = await suite.db.execute<{ scope: string }>(
      sql`SELECT scope FROM idempotency_keys WHERE key = 'bulk-retry-1' ORDER BY scope`,
    );
    expect(kept.map((row) => row.scope)).toEqual(['enrollments.bulk', 'enrollments.create']);
  });

  it('refuses a body over 4 MiB with 413 (CSV or upload), writing nothing', async () => {
    const target = await course();
    const before = await enrolmentWrites(suite.db);
    const huge = `${'x'.repeat(60)}@example.test\n`.repeat(60_000);
    const csv = await bulk(target.id, instructor, huge, 'text/csv');
    expect(csv.statusCode).toBe(413);
    expect(csv.headers['content-type']).toMatch(/^application\/problem\+json/);
    const boundary = 'huge-boundary';
    const upload = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n\r\n${huge}\r\n--${boundary}--\r\n`,
    );
    const uploaded = await bulk(target.id, instructor, upload, `multipart/form-data; boundary=${boundary}`);
    expect(uploaded.statusCode).toBe(413);
    expect(await enrolmentWrites(suite.db)).toEqual(before);
  });

  it('accepts exactly 10,000 rows', async () => {
    const target = await course();
    const emails = Array.from({ length: 10_000 }, (_, n) => `many${n}@example.test`);
    const response = await bulk(target.id, instructor, { emails });
    expect(response.statusCode, response.body).toBe(202);
    expect(response.json()).toMatchObject({ total: 10_000 });
  });

  it('follows the course rules: students 403, another instructor 403, drafts 404, archived 409; nothing written', async () => {
    const published = await course();
    const draft = await course({ status: 'draft' });
    const archived = await course({ status: 'archived' });
    const before = await enrolmentWrites(suite.db);
    const body = { emails: [student.email] };
    expect((await bulk(published.id, student, body)).statusCode).toBe(403);
    const notTheirs = await bulk(published.id, otherInstructor, body);
    expect(notTheirs.statusCode).toBe(403);
    expect(notTheirs.json().detail).toBe(
      'Only the course’s instructor or an admin can enrol learners in bulk.',
    );
    const studentRefused = await bulk(draft.id, student, body);
    expect(studentRefused.statusCode).toBe(403);
    expect(studentRefused.json().detail).toBe('This action needs the instructor or admin role.');
    const draftRefused = await bulk(draft.id, instructor, body);
    expect(draftRefused.statusCode).toBe(404);
    expect(draftRefused.json().detail).toBe('No such course.');
    expect((await bulk(draft.id, otherInstructor, body)).statusCode).toBe(404);
    const refused = await bulk(archived.id, instructor, body);
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({
      code: 'course_archived',
      detail: 'This course is archived and takes no new enrollments.',
    });
    expect(await enrolmentWrites(suite.db)).toEqual(before);
  });

  it('prerequisites not completed are not_allowed; a course archived before the job ends the operation failed', async () => {
    const prerequisite = await course();
    const target = await course();
    await insertPrerequisites(suite.db, target.id, [prerequisite.id]);
    const ready = await insertUser(suite.db);
    await insertEnrollment(suite.db, ready.id, prerequisite.id, { status: 'completed' });
    const notReady = await insertUser(suite.db);
    // Enrolled (or even finished) before the prerequisite was added: already enrolled, whatever the
    // prerequisites say now.
    const enrolledEarlier = await insertUser(suite.db);
    await insertEnrollment(suite.db, enrolledEarlier.id, target.id);
    const completedEarlier = await insertUser(suite.db);
    await insertEnrollment(suite.db, completedEarlier.id, target.id, { status: 'completed' });
    const response = await bulk(target.id, instructor, {
      emails: [ready.email, notReady.email, enrolledEarlier.email, completedEarlier.email],
    });
    await run(response.json().id);
    const done = (await operation(response.json().id, instructor)).json();
    expect(done.items.data.map((item: { outcome: string }) => item.outcome)).toEqual([
      'enrolled',
      'not_allowed',
      'already_enrolled',
      'already_enrolled',
    ]);

    const closing = await course();
    const learner = await insertUser(suite.db);
    const accepted = await bulk(closing.id, instructor, { emails: [learner.email] });
    await suite.db.execute(
      sql`UPDATE courses SET status = 'archived', archived_at = now() WHERE id = ${closing.id}::uuid`,
    );
    await run(accepted.json().id);
    const failed = (await operation(accepted.json().id, instructor)).json();
    expect(failed.state).toBe('failed');
    expect(failed.error).toMatch(/archived/);
    expect(failed.finishedAt).not.toBeNull();
    expect(await enrollmentRows(suite.db, closing.id)).toHaveLength(0);
    // Published again, the course does not revive the failed operation.
    await suite.db.execute(
      sql`UPDATE courses SET status = 'published', archived_at = NULL WHERE id = ${closing.id}::uuid`,
    );
    await run(accepted.json().id);
    expect((await operation(accepted.json().id, instructor)).json()).toEqual(failed);
    expect(await enrollmentRows(suite.db, closing.id)).toHaveLength(0);
  });

  it('a run ends with the round that finishes the operation; failing a finished or unknown one changes nothing', async () => {
    // The stop signal is read before every round: a round after the finishing one would throw (the
    // job would fail and be retried although its work is done).
    const stopAfter = (rounds: number) => {
      let reads = 0;
      return {
        get aborted() {
          reads += 1;
          return reads > rounds;
        },
      } as unknown as AbortSignal;
    };
    const learner = await insertUser(suite.db);
    const open = await course();
    const { id } = (await bulk(open.id, instructor, { emails: [learner.email] })).json();
    // The chunk, then the round that finds no row left and completes.
    await run(id, { signal: stopAfter(2) });
    const completed = (await operation(id, instructor)).json();
    expect(completed).toMatchObject({ state: 'completed', processed: 1, counts: { enrolled: 1 } });
    await failBulkOperation(suite.db, id, 'the last attempt failed too late');
    expect((await operation(id, instructor)).json()).toEqual(completed);

    const closing = await course();
    const accepted = (await bulk(closing.id, instructor, { emails: [learner.email] })).json();
    await suite.db.execute(
      sql`UPDATE courses SET status = 'archived', archived_at = now() WHERE id = ${closing.id}::uuid`,
    );
    await run(accepted.id, { signal: stopAfter(1) });
    const failed = (await operation(accepted.id, instructor)).json();
    expect(failed.state).toBe('failed');
    // The first reason stays.
    await failBulkOperation(suite.db, accepted.id, 'the last attempt failed');
    expect((await operation(accepted.id, instructor)).json()).toEqual(failed);

    await expect(run(randomUUID(), { signal: stopAfter(1) })).resolves.toBeUndefined();
    await expect(failBulkOperation(suite.db, randomUUID(), 'gone')).resolves.toBeUndefined();
  });

  it('publishes bulk-enrollment.requested with the operation once it is committed, and nothing for a refusal', async () => {
    const published: Array<DomainEvents['bulk-enrollment.requested']> = [];
    const bus = createEventBus<DomainEvents>({ onSubscriberError: () => {} });
    bus.subscribe('bulk-enrollment.requested', async (payload) => void published.push(payload), {
      name: 'test-requested',
    });
    const enrolments = createBulkEnrolments({
      db: suite.db,
      events: bus,
      jobs: createJobQueue<JobTasks>(suite.db),
    });
    const target = await course();
    const accepted = await enrolments.request(
      { id: instructor.id, role: 'instructor' },
      { courseId: target.id, rows: ['someone@example.test'] },
    );
    expect(accepted.status).toBe(202);
    expect(published).toEqual([{ operationId: accepted.body.id }]);
    await expect(
      enrolments.request(
        { id: student.id, role: 'student' },
        { courseId: target.id, rows: ['a@example.test'] },
      ),
    ).rejects.toMatchObject({ status: 403 });
    expect(published).toHaveLength(1);
  });

  it('the enrolment count grows by each reactivated dropped enrollment; expired ones were still counted', async () => {
    const target = await course();
    const firstDropped = await insertUser(suite.db);
    const secondDropped = await insertUser(suite.db);
    const lapsed = await insertUser(suite.db);
    await insertEnrollment(suite.db, firstDropped.id, target.id, { status: 'dropped' });
    await insertEnrollment(suite.db, secondDropped.id, target.id, { status: 'dropped' });
    await insertEnrollment(suite.db, lapsed.id, target.id, { status: 'expired' });
    const before = await enrollmentCountOf(suite.db, target.id);
    const emails = [firstDropped.email, secondDropped.email, lapsed.email];
    await run((await bulk(target.id, instructor, { emails })).json().id);
    expect(await enrollmentCountOf(suite.db, target.id)).toBe(before + 2);
  });

  it('GET /bulk-operations/:id: requester, course instructor and admin; anyone else 404; items in keyset pages', async () => {
    const target = await course();
    const emails = Array.from({ length: 5 }, (_, n) => `page${n}@example.test`);
    const { id } = (await bulk(target.id, admin, { emails })).json();
    for (const caller of [admin, instructor]) {
      expect((await operation(id, caller)).statusCode).toBe(200);
    }
    for (const caller of [student, otherInstructor]) {
      const refused = await operation(id, caller);
      expect(refused.statusCode).toBe(404);
      expect(refused.body).not.toContain('page0@example.test');
    }
    expect((await operation('00000000-0000-4000-8000-000000000000', admin)).statusCode).toBe(404);
    // Any admin, not only the one who asked; the requester still, once the course changed hands.
    const otherAdmin = await insertSignedInUser(suite.testApp, { role: 'admin' });
    const byInstructor = (await bulk(target.id, instructor, { emails: ['handover@example.test'] })).json();
    expect((await operation(byInstructor.id, otherAdmin)).statusCode).toBe(200);
    await suite.db.execute(
      sql`UPDATE courses SET instructor_id = ${otherInstructor.id}::uuid WHERE id = ${target.id}::uuid`,
    );
    expect((await operation(byInstructor.id, instructor)).statusCode).toBe(200);
    expect((await operation(byInstructor.id, otherInstructor)).statusCode).toBe(200);
    await suite.db.execute(
      sql`UPDATE courses SET instructor_id = ${instructor.id}::uuid WHERE id = ${target.id}::uuid`,
    );

    await run(id);
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { data: Array<{ position: number }>; nextCursor: string | null } } = (
        await operation(id, instructor, `?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
      ).json();
      seen.push(...page.items.data.map((item) => item.position));
      cursor = page.items.nextCursor;
    } while (cursor !== null);
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    const unknown = (await operation(id, instructor, '?outcome=unknown_email')).json();
    expect(unknown.items.data).toHaveLength(5);
    expect((await operation(id, instructor, '?cursor=bm90LWEtY3Vyc29y')).statusCode).toBe(400);
  });
});

describe('bulk enrolment through the app’s own worker', () => {
  const suite = useTestApp({
    cast: ['instructor', 'otherInstructor', 'student', 'admin'],
    config: { jobs: { workerEnabled: true, concurrency: 2, fetchBatchSize: 10 } },
  });
  const { instructor } = suite.cast;
  const { bulk, operation, course } = helpers(suite);
  let learners: Array<{ email: string }> = [];

  beforeAll(async () => {
    learners = await Promise.all(Array.from({ length: 30 }, () => insertUser(suite.db)));
  });
  afterAll(() => {});

  it('completes from the request to `completed` with the worker running', async () => {
    const target = await course();
    const { id } = (await bulk(target.id, instructor, { emails: learners.map((user) => user.email) })).json();
    const done = await waitFor(
      'the bulk operation to complete',
      async () => {
        const body = (await operation(id, instructor)).json();
        return body.state === 'completed' ? body : undefined;
      },
      { timeoutMs: 20_000 },
    );
    expect(done).toMatchObject({ processed: 30, counts: { enrolled: 30 } });
    expect(await enrollmentCountOf(suite.db, target.id)).toBe(30);
  });

  it('a job failing on its last attempt ends the operation failed, and its failed chunk wrote nothing', async () => {
    const target = await course();
    const learner = await insertUser(suite.db);
    // Every insert into this course's enrollments fails (a fault planted in the test's own database).
    await suite.db.execute(
      sql.raw(`
      CREATE FUNCTION refuse_enrolment() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'planted failure'; END $$;
      CREATE TRIGGER refuse_enrolment BEFORE INSERT ON enrollments
        FOR EACH ROW WHEN (NEW.course_id = '${target.id}') EXECUTE FUNCTION refuse_enrolment();`),
    );
    try {
      const { id } = (await bulk(target.id, instructor, { emails: [learner.email] })).json();
      // The first attempt fails; the second is made the last one and due now.
      const job = await waitFor(
        'the first attempt to fail',
        async () => {
          const [found] = await queuedJobs(suite.db, 'enrollments.bulk-enrol');
          return found && found.attempts >= 1 && found.lockedAt === null ? found : undefined;
        },
        { timeoutMs: 20_000 },
      );
      expect(job.lastError).toMatch(/planted failure/);
      expect((await operation(id, instructor)).json().state).toBe('queued');
      await suite.db.execute(
        sql`UPDATE graphile_worker._private_jobs SET max_attempts = attempts + 1 WHERE id = ${job.id}::bigint`,
      );
      await makeJobDue(suite.db, job.id);
      const failed = await waitFor(
        'the bulk operation to fail',
        async () => {
          const body = (await operation(id, instructor)).json();
          return body.state === 'failed' ? body : undefined;
        },
        { timeoutMs: 20_000 },
      );
      expect(failed).toMatchObject({ processed: 0, counts: {} });
      expect(failed.error).toMatch(/failed on every attempt/);
      expect(failed.items.data[0]).toMatchObject({ outcome: null, enrollmentId: null });
      expect(await enrollmentRows(suite.db, target.id)).toHaveLength(0);
      expect(await enrollmentCountOf(suite.db, target.id)).toBe(0);
      expect(
        await suite.db.select().from(notifications).where(eq(notifications.userId, learner.id)),
      ).toHaveLength(0);
    } finally {
      await suite.db.execute(
        sql.raw('DROP TRIGGER refuse_enrolment ON enrollments; DROP FUNCTION refuse_enrolment()'),
      );
    }
  });
});
