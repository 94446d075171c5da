import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { assignments, rubricCriteria } from '../../src/infrastructure/database/schema/index.js';
import { insertCourse, insertLesson, insertModule, type SignedInUser } from '../helpers/factories/index.js';
import { useTestApp } from '../helpers/use-test-app.js';
import { insertAssignmentWorld, submissionRows } from './assignment-fixtures.js';

describe('authoring assignments', () => {
  const suite = useTestApp({ cast: ['student', 'otherStudent', 'instructor', 'otherInstructor', 'admin'] });
  const { student, otherStudent, instructor, otherInstructor, admin } = suite.cast;

  const inject = (
    user: SignedInUser,
    method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
    url: string,
    payload?: unknown,
  ) =>
    suite.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: user.headers,
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
  const assignmentsOf = (courseId: string) =>
    suite.db.select().from(assignments).where(eq(assignments.courseId, courseId));

  it('creates an unpublished assignment with every setting, visible to students once published', async () => {
    const { courseId } = await insertAssignmentWorld(suite.db, {
      instructorId: instructor.id,
      studentIds: [student.id],
    });
    const module = await insertModule(suite.db, courseId, 0);
    const lesson = await insertLesson(suite.db, module, 0);
    const body = {
      title: '  Lab report ',
      instructions: 'Write it up.',
      dueAt: '2027-01-15T17:00:00.000Z',
      maxPoints: 80,
      allowLate: true,
      latePenaltyPercent: 5,
      latePenaltyMaxPercent: 30,
      maxAttempts: 3,
      allowedFileTypes: ['pdf', 'md'],
      maxFileSizeBytes: 2_000_000,
      isRequired: true,
      passingScore: 60,
      lessonId: lesson.id,
    };
    const response = await inject(instructor, 'POST', `/courses/${courseId}/assignments`, body);
    expect(response.statusCode, response.body).toBe(201);
    const created = response.json();
    expect(created).toMatchObject({ ...body, title: 'Lab report', courseId, isPublished: false });
    expect(response.headers.location).toBe(`/api/v1/assignments/${created.id}`);

    expect((await inject(student, 'GET', `/assignments/${created.id}`)).statusCode).toBe(404);
    const studentList = (await inject(student, 'GET', `/courses/${courseId}/assignments`)).json();
    expect(studentList.data.map((a: { id: string }) => a.id)).not.toContain(created.id);
    expect((await inject(instructor, 'POST', `/assignments/${created.id}/publish`)).json().isPublished).toBe(
      true,
    );
    expect((await inject(student, 'GET', `/assignments/${created.id}`)).statusCode).toBe(200);
    expect(
      (await inject(student, 'GET', `/courses/${courseId}/assignments`))
        .json()
        .data.map((a: { id: string }) => a.id),
    ).toContain(created.id);
    expect((await inject(admin, 'POST', `/assignments/${created.id}/unpublish`)).json().isPublished).toBe(
      false,
    );
  });

  it('refuses bad fields with 400 and writes nothing', async () => {
    const { courseId } = await insertAssignmentWorld(suite.db, {
      instructorId: instructor.id,
      studentIds: [],
    });
    const other = await insertCourse(suite.db, instructor.id);
    const otherModule = await insertModule(suite.db, other.id, 0);
    const foreignLesson = await insertLesson(suite.db, otherModule, 0);
    const before = (await assignmentsOf(courseId)).length;
    for (const body of [
      { title: '' },
      { title: 'x', maxPoints: 0 },
      { title: 'x', latePenaltyPercent: 101 },
      { title: 'x', allowedFileTypes: ['.PDF'] },
      { title: 'x', maxFileSizeBytes: 2 * 1024 * 1024 * 1024 },
      { title: 'x', dueAt: 'tomorrow' },
      { title: 'x', lessonId: foreignLesson.id },
      { title: 'x', unknown: true },
    ]) {
      const response = await inject(instructor, 'POST', `/courses/${courseId}/assignments`, body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
    expect(await assignmentsOf(courseId)).toHaveLength(before);
  });

  it('lets only the course’s instructor and admins author (students 403, another instructor 403/404)', async () => {
    const { courseId, assignment } = await insertAssignmentWorld(suite.db, {
      instructorId: instructor.id,
      studentIds: [student.id],
    });
    const draft = await insertCourse(suite.db, instructor.id, { status: 'draft' });
    expect(
      (await inject(student, 'POST', `/courses/${courseId}/assignments`, { title: 'x' })).statusCode,
    ).toBe(403);
    expect(
      (await inject(otherInstructor, 'POST', `/courses/${courseId}/assignments`, { title: 'x' })).statusCode,
    ).toBe(403);
    expect(
      (await inject(otherInstructor, 'POST', `/courses/${draft.id}/assignments`, { title: 'x' })).statusCode,
    ).toBe(404);
    expect(
      (await inject(otherInstructor, 'PATCH', `/assignments/${assignment.id}`, { title: 'Hijacked' }))
        .statusCode,
    ).toBe(403);
    expect((await inject(student, 'DELETE', `/assignments/${assignment.id}`)).statusCode).toBe(403);
    expect((await inject(otherStudent, 'GET', `/assignments/${assignment.id}`)).json().code).toBe(
      'not_enrolled',
    );
    expect(
      (await inject(admin, 'PATCH', `/assignments/${assignment.id}`, { title: 'By admin' })).statusCode,
    ).toBe(200);
    const [row] = await suite.db.select().from(assignments).where(eq(assignments.id, assignment.id));
    expect(row?.title).toBe('By admin');
  });

  it('clears the due reminder mark when the due date changes, not otherwise', async () => {
    const { assignment } = await insertAssignmentWorld(
      suite.db,
      { instructorId: instructor.id, studentIds: [] },
      {
        dueAt: new Date('2027-02-01T12:00:00.000Z'),
        dueReminderSentAt: new Date('2027-01-31T12:00:00.000Z'),
      },
    );
    const mark = async () =>
      (await suite.db.select().from(assignments).where(eq(assignments.id, assignment.id)))[0]
        ?.dueReminderSentAt;
    await inject(instructor, 'PATCH', `/assignments/${assignment.id}`, {
      title: 'Renamed',
      dueAt: '2027-02-01T12:00:00.000Z',
    });
    expect(await mark()).not.toBeNull();
    const moved = await inject(instructor, 'PATCH', `/assignments/${assignment.id}`, {
      dueAt: '2027-02-08T12:00:00.000Z',
    });
    expect(moved.json().dueAt).toBe('2027-02-08T12:00:00.000Z');
    expect(await mark()).toBeNull();
  });

  it('deletes an assignment without submissions; with submissions 409 and it stays', async () => {
    const empty = await insertAssignmentWorld(suite.db, { instructorId: instructor.id, studentIds: [] });
    expect((await inject(instructor, 'DELETE', `/assignments/${empty.assignment.id}`)).statusCode).toBe(204);
    expect(await assignmentsOf(empty.courseId)).toEqual([]);
    const used = await insertAssignmentWorld(suite.db, {
      instructorId: instructor.id,
      studentIds: [student.id],
    });
    await inject(student, 'POST', `/assignments/${used.assignment.id}/submissions`, { content: 'mine' });
    const refused = await inject(instructor, 'DELETE', `/assignments/${used.assignment.id}`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().code).toBe('assignment_has_submissions');
    expect(await assignmentsOf(used.courseId)).toHaveLength(1);
    expect(await submissionRows(suite.db, used.assignment.id)).toHaveLength(1);
  });

  describe('rubrics', () => {
    it('replaces criteria and levels in order; students read it once published; delete removes it', async () => {
      const { assignment } = await insertAssignmentWorld(suite.db, {
        instructorId: instructor.id,
        studentIds: [student.id],
      });
      const put = (criteria: unknown) =>
        inject(instructor, 'PUT', `/assignments/${assignment.id}/rubric`, { criteria });
      await put([{ title: 'Old', levels: [{ title: 'Only', points: 1 }] }]);
      const replaced = await put([
        {
          title: 'Content',
          description: 'What it says',
          levels: [
            { title: 'Thin', points: 10 },
            { title: 'Rich', points: 30 },
          ],
        },
        { title: 'Form', levels: [{ title: 'Ok', points: 20 }] },
      ]);
      expect(replaced.statusCode, replaced.body).toBe(200);
      expect(replaced.json()).toMatchObject({
        assignmentId: assignment.id,
        maxPoints: 50,
        criteria: [
          {
            title: 'Content',
            position: 0,
            levels: [
              { title: 'Thin', points: 10, position: 0 },
              { title: 'Rich', points: 30, position: 1 },
            ],
          },
          { title: 'Form', position: 1, levels: [{ title: 'Ok', points: 20 }] },
        ],
      });
      expect(
        await suite.db.select().from(rubricCriteria).where(eq(rubricCriteria.assignmentId, assignment.id)),
      ).toHaveLength(2);
      expect((await inject(student, 'GET', `/assignments/${assignment.id}/rubric`)).json().maxPoints).toBe(
        50,
      );
      expect((await inject(otherStudent, 'GET', `/assignments/${assignment.id}/rubric`)).statusCode).toBe(
        403,
      );
      expect(
        (await inject(student, 'PUT', `/assignments/${assignment.id}/rubric`, { criteria: [] })).statusCode,
      ).toBe(400);
      expect((await inject(student, 'DELETE', `/assignments/${assignment.id}/rubric`)).statusCode).toBe(403);
      expect((await inject(instructor, 'DELETE', `/assignments/${assignment.id}/rubric`)).statusCode).toBe(
        204,
      );
      expect((await inject(instructor, 'GET', `/assignments/${assignment.id}/rubric`)).statusCode).toBe(404);
    });

    it('refuses a rubric worth more than the assignment (400) and keeps the old one', async () => {
      const { assignment } = await insertAssignmentWorld(suite.db, {
        instructorId: instructor.id,
        studentIds: [],
      });
      await inject(instructor, 'PUT', `/assignments/${assignment.id}/rubric`, {
        criteria: [{ title: 'Keep', levels: [{ title: 'A', points: 50 }] }],
      });
      const tooMuch = await inject(instructor, 'PUT', `/assignments/${assignment.id}/rubric`, {
        criteria: [
          { title: 'A', levels: [{ title: 'x', points: 30 }] },
          { title: 'B', levels: [{ title: 'y', points: 30 }] },
        ],
      });
      expect(tooMuch.statusCode).toBe(400);
      const kept = await suite.db
        .select()
        .from(rubricCriteria)
        .where(eq(rubricCriteria.assignmentId, assignment.id));
      expect(kept.map((row) => row.title)).toEqual(['Keep']);
    });
  });
});
