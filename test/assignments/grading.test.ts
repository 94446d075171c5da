import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { gradeChanges, rubricAssessments } from '../../src/infrastructure/database/schema/index.js';
import type { DomainEvents } from '../../src/infrastructure/events/domain-events.js';
import { createEventBus } from '../../src/infrastructure/events/event-bus.js';
import { createGradingService } from '../../src/modules/assignments/grading.service.js';
import { notificationsOf, type SignedInUser } from '../helpers/factories/index.js';
import { useTestApp } from '../helpers/use-test-app.js';
import { insertAssignmentWorld, submissionRows } from './assignment-fixtures.js';

describe('grading assignment submissions', () => {
  const suite = useTestApp({ cast: ['student', 'otherStudent', 'instructor', 'otherInstructor', 'admin'] });
  const { student, otherStudent, instructor, otherInstructor, admin } = suite.cast;

  const inject = (
    user: SignedInUser,
    method: 'GET' | 'POST' | 'PUT',
    url: string,
    payload?: unknown,
    headers: Record<string, string> = {},
  ) =>
    suite.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: { ...user.headers, ...headers },
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });

  /** A submission of `student` (late, so its penalty shows in the counted score when asked). */
  async function submitted(overrides: Parameters<typeof insertAssignmentWorld>[2] = {}) {
    const { assignment, courseId } = await insertAssignmentWorld(
      suite.db,
      { instructorId: instructor.id, studentIds: [student.id] },
      overrides,
    );
    const response = await inject(student, 'POST', `/assignments/${assignment.id}/submissions`, {
      content: 'work',
    });
    expect(response.statusCode, response.body).toBe(201);
    return { assignment, courseId, submissionId: response.json().id as string };
  }
  const grade = (user: SignedInUser, id: string, body: Record<string, unknown>, ifMatch?: string) =>
    inject(
      user,
      'POST',
      `/assignment-submissions/${id}/grade`,
      body,
      ifMatch === undefined ? {} : { 'if-match': ifMatch },
    );

  it('grades with a score: version 1 as the ETag, counted score after the late penalty, a notification and a history row', async () => {
    const { assignment, submissionId } = await submitted({
      dueAt: new Date(Date.now() - 3_600_000),
      allowLate: true,
      latePenaltyPercent: 10,
    });
    const response = await grade(instructor, submissionId, { score: 45, feedback: 'Good', status: 'graded' });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers.etag).toBe('"1"');
    expect(response.json()).toMatchObject({
      grade: 45,
      penaltyPercent: 10,
      countedScore: 40.5,
      gradeVersion: 1,
      gradingStatus: 'graded',
      feedback: 'Good',
      graderId: instructor.id,
    });
    const notes = (await notificationsOf(suite.db, student.id)).filter(
      (note) => note.type === 'assignment_graded' && note.payload.submissionId === submissionId,
    );
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ title: `Graded: ${assignment.title}`, body: '45 of 50 points.' });
    const history = await inject(instructor, 'GET', `/assignment-submissions/${submissionId}/grade-history`);
    expect(history.json().data).toEqual([
      expect.objectContaining({
        oldGrade: null,
        newGrade: 45,
        oldStatus: 'submitted',
        newStatus: 'graded',
        graderId: instructor.id,
        feedback: 'Good',
      }),
    ]);
    // The student sees the grade on their submission.
    expect((await inject(student, 'GET', `/assignment-submissions/${submissionId}`)).json()).toMatchObject({
      grade: 45,
      countedScore: 40.5,
    });
  });

  it('re-grades only with the current version: history keeps both gradings; stale 412 grade_conflict shows the current grade', async () => {
    const { submissionId } = await submitted();
    expect((await grade(instructor, submissionId, { score: 30, status: 'graded' })).statusCode).toBe(200);
    const withoutIfMatch = await grade(admin, submissionId, { score: 10, status: 'graded' });
    expect(withoutIfMatch.statusCode).toBe(428);
    const stale = await grade(admin, submissionId, { score: 10, status: 'graded' }, '"0"');
    expect(stale.statusCode).toBe(412);
    expect(stale.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(stale.json()).toMatchObject({
      code: 'grade_conflict',
      currentETag: '"1"',
      currentGrade: { grade: 30, gradeVersion: 1, gradingStatus: 'graded' },
    });
    const regrade = await grade(
      admin,
      submissionId,
      { score: 35, feedback: 'Revised', status: 'returned' },
      '"1"',
    );
    expect(regrade.statusCode, regrade.body).toBe(200);
    expect(regrade.headers.etag).toBe('"2"');
    const history = (
      await inject(instructor, 'GET', `/assignment-submissions/${submissionId}/grade-history`)
    ).json().data;
    expect(
      history.map((row: Record<string, unknown>) => [
        row.oldGrade,
        row.newGrade,
        row.oldStatus,
        row.newStatus,
        row.graderId,
      ]),
    ).toEqual([
      [null, 30, 'submitted', 'graded', instructor.id],
      [30, 35, 'graded', 'returned', admin.id],
    ]);
    expect(
      (
        await submissionRows(
          suite.db,
          (await inject(admin, 'GET', `/assignment-submissions/${submissionId}`)).json().assignmentId,
        )
      )[0],
    ).toMatchObject({ grade: 35, gradeVersion: 2 });
    expect(
      await suite.db.select().from(gradeChanges).where(eq(gradeChanges.assignmentSubmissionId, submissionId)),
    ).toHaveLength(2);
  });

  it('lets one of two graders with the same version through: one 200, one 412', async () => {
    const { submissionId } = await submitted();
    await grade(instructor, submissionId, { score: 20, status: 'graded' });
    const [a, b] = await Promise.all([
      grade(instructor, submissionId, { score: 21, status: 'graded' }, '"1"'),
      grade(admin, submissionId, { score: 22, status: 'graded' }, '"1"'),
    ]);
    expect([a!.statusCode, b!.statusCode].sort()).toEqual([200, 412]);
    const winner = a!.statusCode === 200 ? 21 : 22;
    const loser = a!.statusCode === 412 ? a! : b!;
    expect(loser.json().currentGrade).toMatchObject({ grade: winner, gradeVersion: 2 });
    expect(
      await suite.db.select().from(gradeChanges).where(eq(gradeChanges.assignmentSubmissionId, submissionId)),
    ).toHaveLength(2);
  });

  it('keeps a draft grade (in_review) from the student until it is released, and never drafts a released one', async () => {
    const { assignment, courseId, submissionId } = await submitted();
    const secret = 'DRAFT-FEEDBACK-NOT-FOR-THE-STUDENT';
    const draft = await grade(instructor, submissionId, { score: 33, feedback: secret, status: 'in_review' });
    expect(draft.statusCode, draft.body).toBe(200);
    expect(draft.headers.etag).toBe('"1"');
    expect(draft.json()).toMatchObject({
      grade: 33,
      countedScore: 33,
      gradingStatus: 'in_review',
      feedback: secret,
      graderId: instructor.id,
    });
    expect((await inject(instructor, 'GET', `/assignment-submissions/${submissionId}`)).json()).toMatchObject(
      {
        grade: 33,
        feedback: secret,
      },
    );

    // The student: in review, and nothing of the draft on any route they read.
    const hidden = { grade: null, countedScore: null, feedback: null, graderId: null, gradedAt: null };
    const own = await inject(student, 'GET', `/assignment-submissions/${submissionId}`);
    expect(own.json()).toMatchObject({ gradingStatus: 'in_review', rubricAssessments: [], ...hidden });
    const list = await inject(student, 'GET', `/assignments/${assignment.id}/submissions`);
    expect(list.json().data).toEqual([expect.objectContaining({ gradingStatus: 'in_review', ...hidden })]);
    const grades = await inject(student, 'GET', `/me/courses/${courseId}/grades`);
    expect(grades.statusCode, grades.body).toBe(200);
    const cell = grades.json().items.find((item: { id: string }) => item.id === assignment.id);
    expect(cell.grade).toMatchObject({ score: null, awaitingGrade: true });
    for (const response of [own, list, grades]) {
      expect(response.body).not.toContain(secret);
      expect(response.body).not.toMatch(/:33[,}]/);
    }
    // Not counted for staff either, and no notification yet.
    const book = await inject(instructor, 'GET', `/courses/${courseId}/gradebook`);
    const row = book
      .json()
      .data.find((entry: { student: { id: string } }) => entry.student.id === student.id);
    expect(row.grades[0]).toMatchObject({ score: null, awaitingGrade: true });
    const notesFor = async () =>
      (await notificationsOf(suite.db, student.id)).filter(
        (note) => note.payload.submissionId === submissionId,
      );
    expect(await notesFor()).toEqual([]);

    // Released: the student sees it, is told once (as a first grade), and the draft is in the history.
    const released = await grade(
      instructor,
      submissionId,
      { score: 35, feedback: 'Well argued', status: 'graded' },
      '"1"',
    );
    expect(released.statusCode, released.body).toBe(200);
    expect((await inject(student, 'GET', `/assignment-submissions/${submissionId}`)).json()).toMatchObject({
      grade: 35,
      feedback: 'Well argued',
      gradingStatus: 'graded',
    });
    const notes = await notesFor();
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ title: `Graded: ${assignment.title}`, body: '35 of 50 points.' });

    // Back to a draft once released: 409 with the current grade, nothing written.
    const again = await grade(instructor, submissionId, { score: 20, status: 'in_review' }, '"2"');
    expect(again.statusCode).toBe(409);
    expect(again.headers['content-type']).toContain('application/problem+json');
    expect(again.json()).toMatchObject({
      code: 'grade_released',
      currentGrade: { grade: 35, gradeVersion: 2 },
    });
    const history = await inject(instructor, 'GET', `/assignment-submissions/${submissionId}/grade-history`);
    expect(
      history
        .json()
        .data.map((change: { oldStatus: string; newStatus: string; newGrade: number }) => [
          change.oldStatus,
          change.newStatus,
          change.newGrade,
        ]),
    ).toEqual([
      ['submitted', 'in_review', 33],
      ['in_review', 'graded', 35],
    ]);
    expect((await submissionRows(suite.db, assignment.id))[0]).toMatchObject({
      grade: 35,
      gradingStatus: 'graded',
    });
  });

  it('releases every draft of an assignment at once: graded, versioned, in the history, each student told once', async () => {
    const { assignment, submissionId } = await submitted();
    const draft = await grade(instructor, submissionId, {
      score: 41,
      feedback: 'Held back',
      status: 'in_review',
    });
    expect(draft.statusCode, draft.body).toBe(200);
    const release = () => inject(instructor, 'POST', `/assignments/${assignment.id}/grades/release`);

    // Refused callers write nothing: the draft stays a draft.
    for (const [user, status] of [
      [student, 403],
      [otherStudent, 403],
      [otherInstructor, 403],
    ] as const) {
      const refused = await inject(user, 'POST', `/assignments/${assignment.id}/grades/release`);
      expect(refused.statusCode).toBe(status);
      expect(refused.headers['content-type']).toContain('application/problem+json');
      expect(refused.body).not.toContain('Held back');
    }
    expect((await submissionRows(suite.db, assignment.id))[0]).toMatchObject({ gradingStatus: 'in_review' });
    const unknown = await inject(instructor, 'POST', `/assignments/${crypto.randomUUID()}/grades/release`);
    expect(unknown.statusCode).toBe(404);

    const first = await release();
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toEqual({ released: 1, submissionIds: [submissionId] });
    expect((await inject(student, 'GET', `/assignment-submissions/${submissionId}`)).json()).toMatchObject({
      grade: 41,
      feedback: 'Held back',
      gradingStatus: 'graded',
      gradeVersion: 2,
      graderId: instructor.id,
    });
    const notes = (await notificationsOf(suite.db, student.id)).filter(
      (note) => note.payload.submissionId === submissionId,
    );
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ title: `Graded: ${assignment.title}`, body: '41 of 50 points.' });
    const history = await inject(instructor, 'GET', `/assignment-submissions/${submissionId}/grade-history`);
    expect(
      history
        .json()
        .data.map((change: { oldStatus: string; newStatus: string }) => [change.oldStatus, change.newStatus]),
    ).toEqual([
      ['submitted', 'in_review'],
      ['in_review', 'graded'],
    ]);

    // Again: nothing left to release, nothing written, nobody told twice.
    const second = await release();
    expect(second.json()).toEqual({ released: 0, submissionIds: [] });
    expect((await submissionRows(suite.db, assignment.id))[0]).toMatchObject({ gradeVersion: 2 });
    expect(
      (await notificationsOf(suite.db, student.id)).filter(
        (note) => note.payload.submissionId === submissionId,
      ),
    ).toHaveLength(1);
  });

  it('refuses bad grades and writes nothing: over max points, both or neither of score and rubric', async () => {
    const { submissionId, assignment } = await submitted();
    for (const body of [
      { score: 51, status: 'graded' },
      { status: 'graded' },
      { score: 1, rubric: [{ criterionId: assignment.id, levelId: assignment.id }], status: 'graded' },
      { score: 1, status: 'draft' },
      { score: -1, status: 'graded' },
    ]) {
      const response = await grade(instructor, submissionId, body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
    }
    expect((await grade(instructor, submissionId, { score: 1, status: 'graded' }, 'W/"0"')).statusCode).toBe(
      412,
    );
    const [row] = await submissionRows(suite.db, assignment.id);
    expect(row).toMatchObject({ grade: null, gradeVersion: 0, gradingStatus: 'submitted' });
    expect(
      await suite.db.select().from(gradeChanges).where(eq(gradeChanges.assignmentSubmissionId, submissionId)),
    ).toEqual([]);
  });

  it('grades by rubric: the chosen levels fill the score; the rubric is then locked', async () => {
    const { assignment, submissionId } = await submitted();
    const rubric = await inject(instructor, 'PUT', `/assignments/${assignment.id}/rubric`, {
      criteria: [
        {
          title: 'Argument',
          levels: [
            { title: 'Weak', points: 5 },
            { title: 'Strong', points: 30 },
          ],
        },
        {
          title: 'Style',
          levels: [
            { title: 'Poor', points: 0 },
            { title: 'Fine', points: 12.5 },
            { title: 'Great', points: 20 },
          ],
        },
      ],
    });
    expect(rubric.statusCode, rubric.body).toBe(200);
    const [argument, style] = rubric.json().criteria;
    const response = await grade(instructor, submissionId, {
      rubric: [
        { criterionId: argument.id, levelId: argument.levels[1].id, comment: 'Convincing' },
        { criterionId: style.id, levelId: style.levels[1].id },
      ],
      status: 'graded',
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({
      grade: 42.5,
      rubricAssessments: expect.arrayContaining([
        expect.objectContaining({ points: 30, comment: 'Convincing' }),
      ]),
    });
    // A level of another criterion, or a criterion left out: 400, the grade stays.
    const wrong = await grade(
      instructor,
      submissionId,
      { rubric: [{ criterionId: argument.id, levelId: style.levels[0].id }], status: 'graded' },
      '"1"',
    );
    expect(wrong.statusCode).toBe(400);
    expect(
      await suite.db.select().from(rubricAssessments).where(eq(rubricAssessments.submissionId, submissionId)),
    ).toHaveLength(2);
    const replace = await inject(instructor, 'PUT', `/assignments/${assignment.id}/rubric`, {
      criteria: [{ title: 'New', levels: [{ title: 'Any', points: 1 }] }],
    });
    expect(replace.statusCode).toBe(409);
    expect(replace.json().code).toBe('rubric_in_use');
    expect(
      (await inject(student, 'GET', `/assignments/${assignment.id}/rubric`)).json().criteria,
    ).toHaveLength(2);
  });

  it('publishes assignment-submission.graded after the commit, and nothing when the grading is refused', async () => {
    const { assignment, courseId, submissionId } = await submitted();
    const bus = createEventBus<DomainEvents>({ onSubscriberError: () => {} });
    const seen: DomainEvents['assignment-submission.graded'][] = [];
    bus.subscribe('assignment-submission.graded', async (payload) => void seen.push(payload), {
      name: 'test',
    });
    const service = createGradingService({ db: suite.db, events: bus });
    const actor = { id: instructor.id, role: 'instructor' as const };
    await service.grade(actor, submissionId, { score: 12, status: 'graded' }, undefined);
    expect(seen).toEqual([
      { submissionId, assignmentId: assignment.id, userId: student.id, courseId, required: false },
    ]);
    await expect(
      service.grade(actor, submissionId, { score: 13, status: 'graded' }, '"0"'),
    ).rejects.toMatchObject({
      code: 'grade_conflict',
    });
    await expect(
      service.grade(actor, submissionId, { score: 99, status: 'graded' }, '"1"'),
    ).rejects.toMatchObject({
      code: 'validation_failed',
    });
    expect(seen).toHaveLength(1);
    const notes = (await notificationsOf(suite.db, student.id)).filter(
      (note) => note.payload.submissionId === submissionId,
    );
    expect(notes).toHaveLength(1);
  });

  it('lets only the course’s staff grade and read the history', async () => {
    const { submissionId } = await submitted();
    const body = { score: 10, status: 'graded' };
    expect((await grade(student, submissionId, body)).statusCode).toBe(403);
    expect((await grade(otherStudent, submissionId, body)).statusCode).toBe(404);
    expect((await grade(otherInstructor, submissionId, body)).statusCode).toBe(403);
    for (const user of [student, otherInstructor]) {
      expect(
        (await inject(user, 'GET', `/assignment-submissions/${submissionId}/grade-history`)).statusCode,
      ).toBe(403);
    }
    expect(
      (await inject(otherStudent, 'GET', `/assignment-submissions/${submissionId}/grade-history`)).statusCode,
    ).toBe(404);
    expect(
      await suite.db.select().from(gradeChanges).where(eq(gradeChanges.assignmentSubmissionId, submissionId)),
    ).toEqual([]);
  });
});
