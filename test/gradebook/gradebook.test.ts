import { describe, expect, it } from 'vitest';
import { MemoryCache } from '../../src/infrastructure/cache/memory-cache.js';
import { createGradebookService } from '../../src/modules/gradebook/gradebook.service.js';
import { createGradebookPages } from '../../src/modules/gradebook/index.js';
import {
  insertAssignmentSubmission,
  insertCourse,
  insertEnrollment,
  insertGradedAssignment,
  insertGradedQuiz,
  insertQuizAttempt,
  insertSignedInUser,
  insertUser,
} from '../helpers/factories/index.js';
import { useTestApp } from '../helpers/use-test-app.js';

const DAY = 86_400_000;

describe('the gradebook and a student’s own grades', () => {
  const suite = useTestApp({ cast: ['instructor', 'otherInstructor', 'admin', 'student'] });
  const { instructor, otherInstructor, admin, student } = suite.cast;

  /**
   * The hand-computed fixture. Items, by due date: X (assignment, 50 pts, due 2 days ago), B (quiz,
   * 20 pts, average, closed yesterday), Y (assignment, 100 pts, due in a week), A (quiz, 10 pts,
   * highest, no window). Not items: a survey, an unpublished quiz, an unpublished assignment.
   * Alice: A 60%, 80% → 8; B 50%, 100% → 75% → 15; X 40 less 10% late → 36; Y submitted, ungraded.
   *   Total 59 / 180 = 32.78 %.
   * Bob: nothing; X and B missing. 0 / 180 = 0 %.
   * Carol (the cast's student): A awaiting review; X 50 then 20 → 20 (latest); Y 90. 110 / 180 = 61.11 %.
   * Dave dropped: not listed.
   */
  async function fixture() {
    const course = await insertCourse(suite.db, instructor.id, { title: 'Graded Course' });
    const now = Date.now();
    const x = await insertGradedAssignment(suite.db, course.id, {
      title: 'X essay',
      maxPoints: 50,
      dueAt: new Date(now - 2 * DAY),
      allowLate: true,
      latePenaltyPercent: 10,
    });
    const b = await insertGradedQuiz(suite.db, course.id, {
      title: 'B quiz',
      questionPoints: [20],
      scorePolicy: 'average',
      availableUntil: new Date(now - DAY),
    });
    const y = await insertGradedAssignment(suite.db, course.id, {
      title: 'Y project',
      maxPoints: 100,
      dueAt: new Date(now + 7 * DAY),
    });
    const a = await insertGradedQuiz(suite.db, course.id, { title: 'A quiz', questionPoints: [4, 6] });
    const survey = await insertGradedQuiz(suite.db, course.id, { title: 'Survey', type: 'survey' });
    await insertGradedQuiz(suite.db, course.id, { title: 'Draft quiz', isPublished: false });
    await insertGradedAssignment(suite.db, course.id, { title: 'Draft assignment', isPublished: false });

    const alice = await insertUser(suite.db, { name: 'Alice Able' });
    const bob = await insertUser(suite.db, { name: 'Bob Baker' });
    const dave = await insertUser(suite.db, { name: 'Dave Dropped' });
    const enrolled = new Date(now - 10 * DAY);
    await insertEnrollment(suite.db, bob.id, course.id, { enrolledAt: enrolled });
    await insertEnrollment(suite.db, alice.id, course.id, {
      enrolledAt: new Date(enrolled.getTime() + 1000),
    });
    await insertEnrollment(suite.db, student.id, course.id, {
      enrolledAt: new Date(enrolled.getTime() + 2000),
    });
    await insertEnrollment(suite.db, dave.id, course.id, { status: 'dropped' });

    for (const scorePercent of [60, 80]) {
      await insertQuizAttempt(suite.db, { quizId: a.id, userId: alice.id, scorePercent, maxScore: 10 });
    }
    for (const scorePercent of [50, 100]) {
      await insertQuizAttempt(suite.db, { quizId: b.id, userId: alice.id, scorePercent, maxScore: 20 });
    }
    await insertQuizAttempt(suite.db, { quizId: survey.id, userId: alice.id, scorePercent: 100 });
    await insertAssignmentSubmission(suite.db, {
      assignmentId: x.id,
      studentId: alice.id,
      grade: 40,
      penaltyPercent: 10,
      isLate: true,
    });
    await insertAssignmentSubmission(suite.db, { assignmentId: y.id, studentId: alice.id });

    await insertQuizAttempt(suite.db, {
      quizId: a.id,
      userId: student.id,
      scorePercent: 100,
      gradingStatus: 'needs_review',
    });
    await insertAssignmentSubmission(suite.db, { assignmentId: x.id, studentId: student.id, grade: 50 });
    await insertAssignmentSubmission(suite.db, { assignmentId: x.id, studentId: student.id, grade: 20 });
    await insertAssignmentSubmission(suite.db, { assignmentId: y.id, studentId: student.id, grade: 90 });
    return { course, items: { x, b, y, a }, alice, bob };
  }

  const get = (url: string, user: { headers: Record<string, string> }) =>
    suite.app.inject({ method: 'GET', url: `/api/v1${url}`, headers: user.headers });

  it('matches the hand-computed totals, cells and flags; surveys and unpublished items are no columns', async () => {
    const { course, items, alice, bob } = await fixture();
    const response = await get(`/courses/${course.id}/gradebook`, instructor);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    const body = response.json();
    expect(body.items.map((item: { title: string }) => item.title)).toEqual([
      'X essay',
      'B quiz',
      'Y project',
      'A quiz',
    ]);
    expect(body.items.map((item: { maxScore: number }) => item.maxScore)).toEqual([50, 20, 100, 10]);
    expect(body.data.map((row: { student: { name: string } }) => row.student.name)).toEqual([
      'Alice Able',
      'Bob Baker',
      student.name,
    ]);
    const [aliceRow, bobRow, carolRow] = body.data;
    expect(aliceRow.student.id).toBe(alice.id);
    expect(aliceRow.grades).toEqual([
      expect.objectContaining({ itemId: items.x.id, score: 36, late: true, missing: false, passed: true }),
      expect.objectContaining({ itemId: items.b.id, score: 15, submittedAttempts: 2, passed: true }),
      expect.objectContaining({ itemId: items.y.id, score: null, awaitingGrade: true, passed: false }),
      expect.objectContaining({ itemId: items.a.id, score: 8, passed: true }),
    ]);
    expect(aliceRow.total).toEqual({ score: 59, maxScore: 180, percent: 32.78 });
    expect(bobRow.student.id).toBe(bob.id);
    expect(bobRow.grades.map((cell: { missing: boolean }) => cell.missing)).toEqual([
      true,
      true,
      false,
      false,
    ]);
    expect(bobRow.total).toEqual({ score: 0, maxScore: 180, percent: 0 });
    expect(carolRow.grades.map((cell: { score: number | null }) => cell.score)).toEqual([20, null, 90, null]);
    expect(carolRow.grades[3]).toMatchObject({ awaitingGrade: true, submittedAttempts: 1 });
    expect(carolRow.total).toEqual({ score: 110, maxScore: 180, percent: 61.11 });
  });

  it('keyset pages are stable in both orders and a cursor of the other order is 400', async () => {
    const { course } = await fixture();
    const names = async (sort: string) => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const query = `sort=${sort}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
        const response = await get(`/courses/${course.id}/gradebook?${query}`, instructor);
        expect(response.statusCode, response.body).toBe(200);
        const page = response.json();
        seen.push(...page.data.map((row: { student: { name: string } }) => row.student.name));
        cursor = page.nextCursor;
      } while (cursor !== null);
      return seen;
    };
    expect(await names('name')).toEqual(['Alice Able', 'Bob Baker', student.name]);
    expect(await names('enrolled_at')).toEqual(['Bob Baker', 'Alice Able', student.name]);
    const first = (await get(`/courses/${course.id}/gradebook?sort=name&limit=1`, instructor)).json();
    const mixed = await get(
      `/courses/${course.id}/gradebook?sort=enrolled_at&cursor=${first.nextCursor}`,
      instructor,
    );
    expect(mixed.statusCode).toBe(400);
    expect(mixed.headers['content-type']).toContain('application/problem+json');
    expect(mixed.json().code).toBe('bad_request');
    const garbage = await get(`/courses/${course.id}/gradebook?cursor=bm90LWpzb24`, instructor);
    expect(garbage.statusCode).toBe(400);
    const tooMany = await get(`/courses/${course.id}/gradebook?limit=101`, instructor);
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json().code).toBe('validation_failed');
  });

  it('streams CSV with the totals and formula-injection escaping', async () => {
    const course = await insertCourse(suite.db, instructor.id);
    const quiz = await insertGradedQuiz(suite.db, course.id, {
      title: '=HYPERLINK("x")',
      questionPoints: [5],
    });
    const hostile = await insertUser(suite.db, { name: '=cmd|calc' });
    await insertEnrollment(suite.db, hostile.id, course.id);
    await insertQuizAttempt(suite.db, { quizId: quiz.id, userId: hostile.id, scorePercent: 60, maxScore: 5 });
    const response = await get(`/courses/${course.id}/gradebook?format=csv`, instructor);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toBe(
      `attachment; filename="gradebook-${course.slug}.csv"`,
    );
    const [header, line, end] = response.body.split('\r\n');
    expect(header).toBe(
      `student_id,student_name,student_email,enrollment_status,enrolled_at,"'=HYPERLINK(""x"") (quiz, 5 pts)",total_score,total_max_score,total_percent,late_items,missing_items`,
    );
    expect(line).toMatch(
      new RegExp(`^${hostile.id},'=cmd\\|calc,${hostile.email},active,[^,]+,3,3,5,60,0,0$`),
    );
    expect(end).toBe('');
  });

  it('the CSV is read in keyset batches: every student once, in order, across batch boundaries, in both orders', async () => {
    const course = await insertCourse(suite.db, instructor.id);
    const quiz = await insertGradedQuiz(suite.db, course.id, { questionPoints: [10] });
    const names: string[] = [];
    for (let n = 0; n < 7; n++) {
      // Two students share each name: the enrollment id breaks the tie.
      const user = await insertUser(suite.db, { name: `Batch ${Math.floor(n / 2)}` });
      await insertEnrollment(suite.db, user.id, course.id, {
        enrolledAt: new Date(Date.now() - (10 - n) * 1000),
      });
      await insertQuizAttempt(suite.db, {
        quizId: quiz.id,
        userId: user.id,
        scorePercent: 10 * n,
        maxScore: 10,
      });
      names.push(user.id);
    }
    const service = createGradebookService({
      db: suite.db,
      pages: createGradebookPages(new MemoryCache()),
      csvBatch: 2,
    });
    const actor = { id: instructor.id, role: 'instructor' as const };
    for (const sort of ['name', 'enrolled_at'] as const) {
      const { stream } = await service.csv(actor, course.id, sort);
      let text = '';
      for await (const chunk of stream) text += chunk;
      const lines = text.split('\r\n').slice(1, -1);
      const ids = lines.map((line) => line.split(',')[0]);
      expect(ids).toHaveLength(7);
      expect(new Set(ids).size).toBe(7);
      if (sort === 'enrolled_at') expect(ids).toEqual(names);
      const scores = lines.map((line) => Number(line.split(',')[5]));
      expect([...scores].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    }
  });

  it('refuses students (403), another instructor (403 published, 404 draft), unknown courses (404); admins see it', async () => {
    const { course } = await fixture();
    const draft = await insertCourse(suite.db, instructor.id, { status: 'draft' });
    const cases = [
      { user: student, url: `/courses/${course.id}/gradebook`, status: 403 },
      { user: otherInstructor, url: `/courses/${course.id}/gradebook`, status: 403 },
      { user: otherInstructor, url: `/courses/${course.id}/gradebook?format=csv`, status: 403 },
      { user: otherInstructor, url: `/courses/${draft.id}/gradebook`, status: 404 },
      { user: instructor, url: `/courses/${crypto.randomUUID()}/gradebook`, status: 404 },
      { user: instructor, url: '/courses/not-a-uuid/gradebook', status: 400 },
    ];
    for (const { user, url, status } of cases) {
      const response = await get(url, user);
      expect(response.statusCode, url).toBe(status);
      expect(response.headers['content-type']).toContain('application/problem+json');
      // No student, score or item of the course in a refusal.
      expect(response.body).not.toContain('Alice');
      expect(response.body).not.toContain('X essay');
    }
    const unauthenticated = await suite.app.inject({
      method: 'GET',
      url: `/api/v1/courses/${course.id}/gradebook`,
    });
    expect(unauthenticated.statusCode).toBe(401);
    expect((await get(`/courses/${course.id}/gradebook`, admin)).statusCode).toBe(200);
  });

  it('a student reads their own row with item details; other students’ grades never appear', async () => {
    const { course, items } = await fixture();
    const response = await get(`/me/courses/${course.id}/grades`, student);
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json();
    expect(body.course).toEqual({ id: course.id, slug: course.slug, title: 'Graded Course' });
    expect(body.items.map((item: { id: string }) => item.id)).toEqual([
      items.x.id,
      items.b.id,
      items.y.id,
      items.a.id,
    ]);
    expect(body.items[0]).toMatchObject({
      title: 'X essay',
      maxScore: 50,
      grade: { score: 20, passed: false },
    });
    expect(body.total).toEqual({ score: 110, maxScore: 180, percent: 61.11 });
    expect(response.body).not.toContain('Alice');
    expect(response.body).not.toContain('"36"');
    expect(response.body).not.toMatch(/"score":36\b/);
  });

  it('a student not enrolled is 403 not_enrolled, dropped too; a draft is 404; nothing of the course leaks', async () => {
    const { course } = await fixture();
    const outsider = await insertSignedInUser(suite.testApp);
    const dropped = await insertSignedInUser(suite.testApp);
    await insertEnrollment(suite.db, dropped.id, course.id, { status: 'dropped' });
    const draft = await insertCourse(suite.db, instructor.id, { status: 'draft' });
    for (const [user, url, status] of [
      [outsider, `/me/courses/${course.id}/grades`, 403],
      [dropped, `/me/courses/${course.id}/grades`, 403],
      [outsider, `/me/courses/${draft.id}/grades`, 404],
      [outsider, `/me/courses/${crypto.randomUUID()}/grades`, 404],
    ] as const) {
      const response = await get(url, user);
      expect(response.statusCode, url).toBe(status);
      if (status === 403) expect(response.json().code).toBe('not_enrolled');
      expect(response.body).not.toContain('X essay');
      expect(response.body).not.toContain('Alice');
    }
  });
});
