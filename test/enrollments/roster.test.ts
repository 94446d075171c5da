import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { insertCourse, insertEnrollment, insertUser, type SignedInUser } from '../helpers/factories/index.js';
import { useTestApp } from '../helpers/use-test-app.js';

describe('GET /courses/:id/enrollments (the roster)', () => {
  const suite = useTestApp({ cast: ['instructor', 'otherInstructor', 'student', 'admin'] });
  const { instructor, otherInstructor, student, admin } = suite.cast;

  const roster = (courseId: string, caller: SignedInUser, query = '', headers: Record<string, string> = {}) =>
    suite.app.inject({
      method: 'GET',
      url: `/api/v1/courses/${courseId}/enrollments${query}`,
      headers: { ...caller.headers, ...headers },
    });

  /** A course with `count` learners enrolled a minute apart (newest last), the second one dropped. */
  async function courseWithLearners(count: number) {
    const course = await insertCourse(suite.db, instructor.id, { title: 'Roster course' });
    const learners = [];
    for (let n = 0; n < count; n++) {
      const user = await insertUser(suite.db, { name: `Learner ${n}` });
      const enrollment = await insertEnrollment(suite.db, user.id, course.id, {
        status: n === 1 ? 'dropped' : 'active',
        enrolledAt: new Date(Date.now() - (count - n) * 60_000),
        progressPercent: n * 10,
        lastAccessedAt: n === 0 ? new Date() : null,
      });
      learners.push({ user, enrollment });
    }
    return { course, learners };
  }

  it('lists learners newest first with name, email, status, progress, enrolment and last activity', async () => {
    const { course, learners } = await courseWithLearners(3);
    const response = await roster(course.id, instructor);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    const body = response.json();
    expect(body.data.map((row: { student: { id: string } }) => row.student.id)).toEqual(
      [...learners].reverse().map((learner) => learner.user.id),
    );
    const first = learners[0];
    expect(body.data[2]).toEqual({
      enrollmentId: first?.enrollment.id,
      student: { id: first?.user.id, name: 'Learner 0', email: first?.user.email },
      status: 'active',
      progressPercent: 0,
      completedLessonCount: 0,
      timeSpentSeconds: 0,
      enrolledAt: first?.enrollment.enrolledAt.toISOString(),
      lastAccessedAt: first?.enrollment.lastAccessedAt?.toISOString(),
      completedAt: null,
      droppedAt: null,
      expiresAt: null,
    });
    expect(body.nextCursor).toBeNull();
    expect((await roster(course.id, admin)).statusCode).toBe(200);
  });

  it('filters by status and pages with keyset cursors without repeats or gaps', async () => {
    const { course, learners } = await courseWithLearners(7);
    const dropped = (await roster(course.id, instructor, '?status=dropped')).json();
    expect(dropped.data.map((row: { student: { id: string } }) => row.student.id)).toEqual([
      learners[1]?.user.id,
    ]);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { data: Array<{ enrollmentId: string }>; nextCursor: string | null } = (
        await roster(course.id, instructor, `?status=active&limit=2${cursor ? `&cursor=${cursor}` : ''}`)
      ).json();
      seen.push(...page.data.map((row) => row.enrollmentId));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor !== null);
    expect(pages).toBe(3);
    expect(seen).toEqual(
      learners
        .filter((_, n) => n !== 1)
        .reverse()
        .map((learner) => learner.enrollment.id),
    );
    expect((await roster(course.id, instructor, '?cursor=bm9wZQ')).statusCode).toBe(400);
  });

  it('streams the whole filtered roster as CSV (format=csv or Accept: text/csv), formula cells neutralised', async () => {
    const course = await insertCourse(suite.db, instructor.id, {
      title: 'CSV course',
      slug: 'csv-roster-course',
    });
    const formula = await insertUser(suite.db, { name: '=HYPERLINK("http://evil.example","click")' });
    const comma = await insertUser(suite.db, { name: 'Lovelace, Ada' });
    await insertEnrollment(suite.db, formula.id, course.id, { enrolledAt: new Date(Date.now() - 60_000) });
    await insertEnrollment(suite.db, comma.id, course.id, { progressPercent: 40 });
    // Enough rows for several CSV batches (1,000 each).
    await suite.db.execute(sql`
      WITH new_users AS (
        INSERT INTO users (email, password_hash, name, role)
        SELECT 'csv-bulk-' || n || '@example.test', 'x', 'Bulk ' || n, 'student'
          FROM generate_series(1, 2100) AS n
        RETURNING id)
      INSERT INTO enrollments (user_id, course_id, enrolled_at)
      SELECT id, ${course.id}::uuid, now() - interval '1 day' FROM new_users`);

    const csv = await roster(course.id, instructor, '?format=csv');
    expect(csv.statusCode, csv.body).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toBe('attachment; filename="roster-csv-roster-course.csv"');
    const lines = csv.body.split('\r\n').filter((line) => line !== '');
    expect(lines[0]).toBe(
      'enrollment_id,student_id,student_name,student_email,status,progress_percent,completed_lessons,time_spent_seconds,enrolled_at,last_activity_at,completed_at,expires_at',
    );
    expect(lines).toHaveLength(1 + 2 + 2100);
    expect(new Set(lines).size).toBe(lines.length);
    expect(lines[1]).toContain(`,"Lovelace, Ada",${comma.email},active,40,`);
    expect(lines[2]).toContain(`,"'=HYPERLINK(""http://evil.example"",""click"")",${formula.email},`);

    const accepted = await roster(course.id, instructor, '?status=active', { accept: 'text/csv' });
    expect(accepted.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(accepted.body.split('\r\n').filter((line) => line !== '')).toHaveLength(lines.length);
    const dropped = await roster(course.id, instructor, '?status=dropped&format=csv');
    expect(dropped.body.split('\r\n').filter((line) => line !== '')).toHaveLength(1);
    const json = await roster(course.id, instructor, '', { accept: 'application/json, text/csv;q=0.5' });
    expect(json.headers['content-type']).toMatch(/^application\/json/);
  });

  it('someone else’s course: students 403, another instructor 403 (draft: 404); no emails leak', async () => {
    const { course, learners } = await courseWithLearners(2);
    const draft = await insertCourse(suite.db, instructor.id, { status: 'draft' });
    for (const [caller, status] of [
      [student, 403],
      [otherInstructor, 403],
    ] as const) {
      for (const query of ['', '?format=csv']) {
        const refused = await roster(course.id, caller, query);
        expect(refused.statusCode).toBe(status);
        expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
        for (const learner of learners) expect(refused.body).not.toContain(learner.user.email);
      }
    }
    const hidden = await roster(draft.id, otherInstructor);
    expect(hidden.statusCode).toBe(404);
    expect(hidden.json().detail).toBe('No such course.');
    const archived = await insertCourse(suite.db, instructor.id, { status: 'archived' });
    expect((await roster(archived.id, otherInstructor)).statusCode).toBe(404);
    expect((await roster(archived.id, instructor)).statusCode).toBe(200);
    const studentRefused = await roster(draft.id, student);
    expect(studentRefused.statusCode).toBe(403);
    expect(studentRefused.json().detail).toBe('This action needs the instructor or admin role.');
    expect((await roster(course.id, otherInstructor)).json().detail).toBe(
      'Only the course’s instructor or an admin can see its roster.',
    );
    expect((await roster(draft.id, instructor)).statusCode).toBe(200);
    expect((await roster('00000000-0000-4000-8000-000000000000', admin)).statusCode).toBe(404);
    // Another course's learners never appear in this roster.
    const other = await insertCourse(suite.db, otherInstructor.id);
    const outsider = await insertUser(suite.db);
    await insertEnrollment(suite.db, outsider.id, other.id);
    const own = await roster(course.id, instructor, '?format=csv');
    expect(own.body).not.toContain(outsider.email);
  });
});
