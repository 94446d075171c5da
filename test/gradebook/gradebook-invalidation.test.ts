import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createSharedServices } from '../../src/app.js';
import { questions } from '../../src/infrastructure/database/schema/index.js';
import { expireEnrollments, runBulkEnrolment } from '../../src/modules/enrollments/index.js';
import { createGradebookService } from '../../src/modules/gradebook/gradebook.service.js';
import type { GradedItemView, StudentGradesView } from '../../src/modules/gradebook/gradebook-views.js';
import { apiCaller } from '../helpers/api-call.js';
import {
  insertAssignmentSubmission,
  insertCourse,
  insertEnrollment,
  insertGradedAssignment,
  insertGradedQuiz,
  insertLesson,
  insertModule,
  insertQuizAttempt,
  insertSignedInUser,
  insertUser,
  type SignedInUser,
} from '../helpers/factories/index.js';
import { createOutboxMailer } from '../helpers/test-mailer.js';
import { ROOMY_RATE_LIMITS, useTestApp } from '../helpers/use-test-app.js';
import { insertQuizWith } from '../quizzes/quiz-fixtures.js';

/** The page as JSON: the response schema's shapes. */
type Row = StudentGradesView;
interface Page {
  items: GradedItemView[];
  data: Row[];
}

/**
 * Gradebook pages are served from per-instance copies (gradebook-pages.ts). Every change a page shows
 * must reach the next read at once: each test reads the page (so a copy is kept), makes one change
 * through the API or the service that commits it (never a direct database write: those reach a copy
 * only by its TTL), and reads again.
 */
describe('gradebook pages follow every change at once', () => {
  const suite = useTestApp({
    cast: ['instructor', 'otherInstructor', 'admin', 'student'],
    rateLimit: ROOMY_RATE_LIMITS,
  });
  const { instructor, otherInstructor, admin, student } = suite.cast;
  const call = apiCaller(suite);

  const page = async (courseId: string, caller: SignedInUser = instructor): Promise<Page> => {
    const response = await call(caller, 'GET', `/courses/${courseId}/gradebook`);
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  };
  const rowOf = (body: Page, userId: string) => body.data.find((row) => row.student.id === userId);
  const cellOf = (body: Page, userId: string, itemId: string) =>
    rowOf(body, userId)?.grades.find((cell) => cell.itemId === itemId);
  const ok = async (response: Promise<{ statusCode: number; body: string }>, status = 200) => {
    const answer = await response;
    expect(answer.statusCode, answer.body).toBe(status);
    return answer.body === '' ? undefined : JSON.parse(answer.body);
  };

  async function courseWithLearner(title = 'Cached gradebook') {
    const course = await insertCourse(suite.db, instructor.id, { title });
    const learner = await insertSignedInUser(suite.testApp);
    await insertEnrollment(suite.db, learner.id, course.id);
    return { course, learner };
  }

  it('a quiz attempt submitted through the API shows (a start alone changes no cell)', async () => {
    const { course, learner } = await courseWithLearner();
    const {
      quiz,
      questions: [question],
    } = await insertQuizWith(suite.db, course.id, {}, [
      { type: 'true_false', prompt: 'True?', correctAnswer: true, points: 10 },
    ]);
    expect(cellOf(await page(course.id), learner.id, quiz.id)).toMatchObject({
      score: null,
      submittedAttempts: 0,
    });
    const attempt = await ok(call(learner, 'POST', `/quizzes/${quiz.id}/attempts`), 201);
    expect(cellOf(await page(course.id), learner.id, quiz.id)).toMatchObject({
      score: null,
      submittedAttempts: 0,
    });
    await ok(
      call(learner, 'PUT', `/quiz-attempts/${attempt.id}/answers`, {
        sequence: 1,
        answers: { [question!.id]: true },
      }),
    );
    await ok(call(learner, 'POST', `/quiz-attempts/${attempt.id}/submit`));
    expect(cellOf(await page(course.id), learner.id, quiz.id)).toMatchObject({
      score: 10,
      submittedAttempts: 1,
      passed: true,
    });
  });

  it('an attempt awaiting review, its grading by hand and a re-grade each show', async () => {
    const { course, learner } = await courseWithLearner();
    const { quiz, questions: seeded } = await insertQuizWith(suite.db, course.id, {}, [
      { type: 'essay', prompt: 'Discuss.', correctAnswer: null, points: 10 },
    ]);
    const essay = seeded[0]!.id;
    await page(course.id);
    const attempt = await ok(call(learner, 'POST', `/quizzes/${quiz.id}/attempts`), 201);
    await ok(
      call(learner, 'PUT', `/quiz-attempts/${attempt.id}/answers`, {
        sequence: 1,
        answers: { [essay]: 'x' },
      }),
    );
    await ok(call(learner, 'POST', `/quiz-attempts/${attempt.id}/submit`));
    expect(cellOf(await page(course.id), learner.id, quiz.id)).toMatchObject({
      score: null,
      awaitingGrade: true,
      submittedAttempts: 1,
    });
    const grade = (points: number) =>
      ok(
        call(instructor, 'POST', `/quiz-attempts/${attempt.id}/grade`, {
          questions: [{ questionId: essay, points }],
        }),
      );
    await grade(6);
    expect(cellOf(await page(course.id), learner.id, quiz.id)).toMatchObject({
      score: 6,
      awaitingGrade: false,
    });
    await grade(9);
    expect(cellOf(await page(course.id), learner.id, quiz.id)).toMatchObject({ score: 9 });
  });

  it('an assignment submission shows (awaiting, late), then its grade and a re-grade', async () => {
    const { course, learner } = await courseWithLearner();
    const assignment = await insertGradedAssignment(suite.db, course.id, {
      maxPoints: 50,
      dueAt: new Date(Date.now() - 3_600_000),
      allowLate: true,
    });
    expect(cellOf(await page(course.id), learner.id, assignment.id)).toMatchObject({
      submittedAttempts: 0,
      missing: true,
    });
    const submission = await ok(
      call(learner, 'POST', `/assignments/${assignment.id}/submissions`, { content: 'work' }),
      201,
    );
    expect(cellOf(await page(course.id), learner.id, assignment.id)).toMatchObject({
      submittedAttempts: 1,
      awaitingGrade: true,
      late: true,
      missing: false,
      score: null,
    });
    const grade = (score: number, ifMatch?: string) =>
      suite.app.inject({
        method: 'POST',
        url: `/api/v1/assignment-submissions/${submission.id}/grade`,
        headers: { ...instructor.headers, ...(ifMatch ? { 'if-match': ifMatch } : {}) },
        payload: { score, status: 'graded' },
      });
    await ok(grade(40));
    expect(cellOf(await page(course.id), learner.id, assignment.id)).toMatchObject({
      score: 40,
      awaitingGrade: false,
    });
    await ok(grade(20, '"1"'));
    expect(cellOf(await page(course.id), learner.id, assignment.id)).toMatchObject({ score: 20 });
  });

  it('enrolment, drop and re-enrolment through the API add, remove and restore the row', async () => {
    const course = await insertCourse(suite.db, instructor.id);
    const learner = await insertSignedInUser(suite.testApp);
    expect(rowOf(await page(course.id), learner.id)).toBeUndefined();
    const enrollment = await ok(call(learner, 'POST', `/courses/${course.id}/enrollments`, {}), 201);
    expect(rowOf(await page(course.id), learner.id)).toMatchObject({ enrollmentStatus: 'active' });
    await ok(call(learner, 'POST', `/enrollments/${enrollment.id}/drop`));
    expect(rowOf(await page(course.id), learner.id)).toBeUndefined();
    await ok(call(learner, 'POST', `/courses/${course.id}/enrollments`, {}));
    expect(rowOf(await page(course.id), learner.id)).toMatchObject({ enrollmentStatus: 'active' });
  });

  it('a completion (the last required lesson) shows as a completed enrollment', async () => {
    const { course, learner } = await courseWithLearner();
    const module = await insertModule(suite.db, course.id, 0);
    const lesson = await insertLesson(suite.db, module, 0, { isRequired: true });
    expect(rowOf(await page(course.id), learner.id)).toMatchObject({ enrollmentStatus: 'active' });
    await ok(call(learner, 'PUT', `/me/lessons/${lesson.id}/progress`, { status: 'completed' }));
    expect(rowOf(await page(course.id), learner.id)).toMatchObject({ enrollmentStatus: 'completed' });
  });

  it('a renamed student shows under the new name', async () => {
    const { course, learner } = await courseWithLearner();
    expect(rowOf(await page(course.id), learner.id)?.student.name).not.toBe('Renamed Learner');
    await ok(call(learner, 'PATCH', '/me', { name: 'Renamed Learner' }));
    expect(rowOf(await page(course.id), learner.id)?.student.name).toBe('Renamed Learner');
  });

  it('quiz authoring shows: settings, score policy, question points, questions added and deleted, unpublish, publish, delete', async () => {
    const { course, learner } = await courseWithLearner();
    const quiz = await insertGradedQuiz(suite.db, course.id, {
      questionPoints: [10],
      scorePolicy: 'highest',
    });
    for (const scorePercent of [60, 80]) {
      await insertQuizAttempt(suite.db, { quizId: quiz.id, userId: learner.id, scorePercent, maxScore: 10 });
    }
    const [question] = await suite.db.select().from(questions).where(eq(questions.quizId, quiz.id));
    const item = async () => (await page(course.id)).items.find((entry) => entry.id === quiz.id);
    expect(cellOf(await page(course.id), learner.id, quiz.id)).toMatchObject({ score: 8 });

    await ok(call(instructor, 'PATCH', `/quizzes/${quiz.id}`, { scorePolicy: 'average' }));
    expect(cellOf(await page(course.id), learner.id, quiz.id)).toMatchObject({ score: 7 });
    await ok(call(instructor, 'PATCH', `/quizzes/${quiz.id}`, { isRequired: true }));
    expect(await item()).toMatchObject({ required: true });
    const closed = new Date(Date.now() - 60_000).toISOString();
    await ok(call(instructor, 'PATCH', `/quizzes/${quiz.id}`, { availableUntil: closed }));
    expect((await item())?.dueAt).toBeNull();
    expect(await item()).toMatchObject({ availableUntil: closed });
    // Wording stays editable with attempts, and the points of a question are re-read.
    await ok(call(instructor, 'PATCH', `/questions/${question!.id}`, { prompt: 'Reworded?' }));
    expect(await item()).toMatchObject({ maxScore: 10 });

    // A quiz without attempts: points, passing score, questions added and deleted, publishing, deleting.
    const fresh = await ok(
      call(instructor, 'POST', `/courses/${course.id}/quizzes`, { title: 'Fresh quiz' }),
      201,
    );
    const added = await ok(
      call(instructor, 'POST', `/quizzes/${fresh.id}/questions`, {
        type: 'true_false',
        prompt: 'One?',
        correctAnswer: true,
        points: 5,
      }),
      201,
    );
    expect((await page(course.id)).items.map((entry) => entry.id)).not.toContain(fresh.id);
    await ok(call(instructor, 'POST', `/quizzes/${fresh.id}/publish`));
    const freshItem = async () => (await page(course.id)).items.find((entry) => entry.id === fresh.id);
    expect(await freshItem()).toMatchObject({ maxScore: 5 });
    await ok(call(instructor, 'PATCH', `/questions/${added.id}`, { points: 7 }));
    expect(await freshItem()).toMatchObject({ maxScore: 7 });
    const second = await ok(
      call(instructor, 'POST', `/quizzes/${fresh.id}/questions`, {
        type: 'true_false',
        prompt: 'Two?',
        correctAnswer: false,
        points: 3,
      }),
      201,
    );
    expect(await freshItem()).toMatchObject({ maxScore: 10 });
    await ok(call(instructor, 'DELETE', `/questions/${second.id}`), 204);
    expect(await freshItem()).toMatchObject({ maxScore: 7 });
    await ok(call(instructor, 'PATCH', `/quizzes/${fresh.id}`, { passingScore: 90 }));
    expect(await freshItem()).toMatchObject({ passingScore: 90 });
    await ok(call(instructor, 'POST', `/quizzes/${fresh.id}/unpublish`));
    expect(await freshItem()).toBeUndefined();
    await ok(call(instructor, 'POST', `/quizzes/${fresh.id}/publish`));
    expect(await freshItem()).toBeDefined();
    await ok(call(instructor, 'DELETE', `/quizzes/${fresh.id}`), 204);
    expect(await freshItem()).toBeUndefined();
  });

  it('assignment authoring shows: points, passing score, due date, required, unpublish, publish, delete', async () => {
    const { course, learner } = await courseWithLearner();
    const assignment = await insertGradedAssignment(suite.db, course.id, { maxPoints: 50, passingScore: 50 });
    await insertAssignmentSubmission(suite.db, {
      assignmentId: assignment.id,
      studentId: learner.id,
      grade: 30,
    });
    const item = async () => (await page(course.id)).items.find((entry) => entry.id === assignment.id);
    expect(cellOf(await page(course.id), learner.id, assignment.id)).toMatchObject({ passed: true });
    await ok(call(instructor, 'PATCH', `/assignments/${assignment.id}`, { maxPoints: 100 }));
    expect(await item()).toMatchObject({ maxScore: 100 });
    expect(cellOf(await page(course.id), learner.id, assignment.id)).toMatchObject({ passed: false });
    await ok(call(instructor, 'PATCH', `/assignments/${assignment.id}`, { passingScore: 30 }));
    expect(cellOf(await page(course.id), learner.id, assignment.id)).toMatchObject({ passed: true });
    const due = new Date(Date.now() - 60_000).toISOString();
    await ok(call(instructor, 'PATCH', `/assignments/${assignment.id}`, { dueAt: due }));
    expect(await item()).toMatchObject({ dueAt: due });
    await ok(call(instructor, 'PATCH', `/assignments/${assignment.id}`, { isRequired: true }));
    expect(await item()).toMatchObject({ required: true });
    await ok(call(instructor, 'POST', `/assignments/${assignment.id}/unpublish`));
    expect(await item()).toBeUndefined();
    await ok(call(instructor, 'POST', `/assignments/${assignment.id}/publish`));
    expect(await item()).toBeDefined();

    const created = await ok(
      call(instructor, 'POST', `/courses/${course.id}/assignments`, { title: 'Created', maxPoints: 10 }),
      201,
    );
    await ok(call(instructor, 'POST', `/assignments/${created.id}/publish`));
    const createdItem = async () => (await page(course.id)).items.find((entry) => entry.id === created.id);
    expect(await createdItem()).toMatchObject({ maxScore: 10 });
    await ok(call(instructor, 'DELETE', `/assignments/${created.id}`), 204);
    expect(await createdItem()).toBeUndefined();
  });

  it('a due date passing shows as missing without any write (a page is not kept past it)', async () => {
    const { course, learner } = await courseWithLearner();
    const assignment = await insertGradedAssignment(suite.db, course.id, {
      dueAt: new Date(Date.now() + 1_500),
    });
    expect(cellOf(await page(course.id), learner.id, assignment.id)).toMatchObject({ missing: false });
    await new Promise((resolve) => setTimeout(resolve, 1_700));
    expect(cellOf(await page(course.id), learner.id, assignment.id)).toMatchObject({ missing: true });
  });

  it('a cached page never reaches a caller who may not see it; it is the same for every caller who may', async () => {
    const course = await insertCourse(suite.db, instructor.id, { title: 'Private grades' });
    const draft = await insertCourse(suite.db, instructor.id, { status: 'draft' });
    const secret = await insertUser(suite.db, { name: 'Secret Student' });
    const quiz = await insertGradedQuiz(suite.db, course.id, { title: 'Secret quiz' });
    for (const id of [course.id, draft.id]) await insertEnrollment(suite.db, secret.id, id);
    await insertEnrollment(suite.db, student.id, course.id);
    await insertQuizAttempt(suite.db, { quizId: quiz.id, userId: secret.id, scorePercent: 40 });
    for (const id of [course.id, draft.id]) {
      const cached = await call(instructor, 'GET', `/courses/${id}/gradebook`);
      expect(cached.statusCode).toBe(200);
      expect(cached.body).toContain('Secret Student');
      // An admin gets the very same bytes: the page shows nothing of its reader.
      expect((await call(admin, 'GET', `/courses/${id}/gradebook`)).body).toBe(cached.body);
    }
    for (const [caller, id, status] of [
      [student, course.id, 403],
      [otherInstructor, course.id, 403],
      [otherInstructor, draft.id, 404],
      [student, draft.id, 403],
    ] as const) {
      const refused = await call(caller, 'GET', `/courses/${id}/gradebook`);
      expect(refused.statusCode, `${id} ${status}`).toBe(status);
      expect(refused.headers['content-type']).toContain('application/problem+json');
      expect(refused.body).not.toContain('Secret');
    }
  });

  /**
   * Sources that run as background jobs (bulk enrolment, the expiry sweep): the same wiring as a
   * worker process (createSharedServices), whose subscribers invalidate its own gradebook pages.
   */
  function workerServices() {
    const shared = createSharedServices(
      {
        config: suite.testApp.config,
        database: suite.testApp.database,
        redis: undefined,
        mailer: createOutboxMailer(),
      },
      suite.app.log,
    );
    const gradebook = createGradebookService({ db: suite.db, pages: shared.gradebookPages });
    const read = async (courseId: string): Promise<Page> =>
      JSON.parse(
        (
          await gradebook.page(
            { id: instructor.id, role: 'instructor' },
            courseId,
            { sort: 'name', limit: 20 },
            JSON.stringify,
          )
        ).toString(),
      );
    return { shared, read };
  }

  it('a bulk enrolment shows its learners', async () => {
    const course = await insertCourse(suite.db, instructor.id);
    const learners = [await insertUser(suite.db), await insertUser(suite.db)];
    const { shared, read } = workerServices();
    expect((await read(course.id)).data).toEqual([]);
    const accepted = await ok(
      call(instructor, 'POST', `/courses/${course.id}/enrollments/bulk`, {
        emails: learners.map((learner) => learner.email),
      }),
      202,
    );
    await runBulkEnrolment({ db: suite.db, events: shared.events }, accepted.id);
    expect((await read(course.id)).data.map((row) => row.student.id).sort()).toEqual(
      learners.map((learner) => learner.id).sort(),
    );
  });

  it('the expiry sweep removes expired enrollments', async () => {
    const course = await insertCourse(suite.db, instructor.id);
    const lapsed = await insertUser(suite.db);
    await insertEnrollment(suite.db, lapsed.id, course.id, { expiresAt: new Date(Date.now() - 60_000) });
    const { shared, read } = workerServices();
    expect(rowOf(await read(course.id), lapsed.id)).toBeDefined();
    expect(await expireEnrollments({ db: suite.db, events: shared.events })).toBeGreaterThanOrEqual(1);
    expect(rowOf(await read(course.id), lapsed.id)).toBeUndefined();
  });
});
