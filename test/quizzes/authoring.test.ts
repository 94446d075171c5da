import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { questions, quizSubmissions, quizzes } from '../../src/infrastructure/database/schema/index.js';
import { apiCaller } from '../helpers/api-call.js';
import { insertCourse, insertEnrollment, insertLesson, insertModule } from '../helpers/factories/index.js';
import { useTestApp } from '../helpers/use-test-app.js';
import { insertQuizWith } from './quiz-fixtures.js';

const MARKER = 'authoringsecretmarker';

describe('quiz authoring', () => {
  const suite = useTestApp({ cast: ['student', 'otherStudent', 'instructor', 'otherInstructor', 'admin'] });
  const { student, otherStudent, instructor, otherInstructor, admin } = suite.cast;
  let courseId: string;
  let draftCourseId: string;
  let lessonId: string;

  beforeAll(async () => {
    const course = await insertCourse(suite.db, instructor.id);
    courseId = course.id;
    draftCourseId = (await insertCourse(suite.db, instructor.id, { status: 'draft' })).id;
    const module = await insertModule(suite.db, courseId, 0);
    lessonId = (await insertLesson(suite.db, module, 0)).id;
    await insertEnrollment(suite.db, student.id, courseId);
  });

  const call = apiCaller(suite);

  const quizCount = async (course: string) =>
    (await suite.db.select().from(quizzes).where(eq(quizzes.courseId, course))).length;
  const questionCount = async (quizId: string) =>
    (await suite.db.select().from(questions).where(eq(questions.quizId, quizId))).length;

  async function newQuiz(settings: Record<string, unknown> = {}) {
    const response = await call(instructor, 'POST', `/courses/${courseId}/quizzes`, {
      title: 'Quiz',
      ...settings,
    });
    expect(response.statusCode, response.body).toBe(201);
    return response.json() as { id: string };
  }

  it('creates a quiz with every setting (instructor); it starts unpublished', async () => {
    const response = await call(instructor, 'POST', `/courses/${courseId}/quizzes`, {
      title: '  Week 1  ',
      description: 'Basics',
      type: 'exam',
      lessonId,
      timeLimitMinutes: 30,
      maxAttempts: 2,
      passingScore: 60,
      shuffleQuestions: true,
      shuffleOptions: true,
      showCorrectAnswers: true,
      showCorrectAnswersAt: '2030-01-01T00:00:00.000Z',
      scorePolicy: 'average',
      isRequired: true,
      availableFrom: '2026-01-01T00:00:00.000Z',
      availableUntil: '2031-01-01T00:00:00.000Z',
    });
    expect(response.statusCode, response.body).toBe(201);
    const body = response.json();
    expect(body).toMatchObject({
      title: 'Week 1',
      type: 'exam',
      lessonId,
      timeLimitMinutes: 30,
      maxAttempts: 2,
      passingScore: 60,
      scorePolicy: 'average',
      isRequired: true,
      isPublished: false,
      questionCount: 0,
      questions: [],
      showCorrectAnswersAt: '2030-01-01T00:00:00.000Z',
    });
    const [row] = await suite.db.select().from(quizzes).where(eq(quizzes.id, body.id));
    expect(row).toMatchObject({ shuffleQuestions: true, shuffleOptions: true, scorePolicy: 'average' });
  });

  it('refuses bad settings with problem+json and writes nothing', async () => {
    const before = await quizCount(courseId);
    const otherCourse = await insertCourse(suite.db, instructor.id);
    const otherLesson = await insertLesson(suite.db, await insertModule(suite.db, otherCourse.id, 0), 0);
    for (const body of [
      { title: 'x', lessonId: otherLesson.id },
      { title: 'x', availableFrom: '2030-01-02T00:00:00Z', availableUntil: '2030-01-01T00:00:00Z' },
      { title: 'x', passingScore: 101 },
      { title: 'x', scorePolicy: 'best' },
      { title: '' },
      { title: 'x', unknown: true },
    ]) {
      const response = await call(instructor, 'POST', `/courses/${courseId}/quizzes`, body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.json().code).toBe('validation_failed');
    }
    expect(await quizCount(courseId)).toBe(before);
  });

  it('lets only the course staff create: student 403, other instructor 403 (published) / 404 (draft); nothing written', async () => {
    const before = await quizCount(courseId);
    expect((await call(student, 'POST', `/courses/${courseId}/quizzes`, { title: 'x' })).statusCode).toBe(
      403,
    );
    expect(
      (await call(otherInstructor, 'POST', `/courses/${courseId}/quizzes`, { title: 'x' })).statusCode,
    ).toBe(403);
    const hidden = await call(otherInstructor, 'POST', `/courses/${draftCourseId}/quizzes`, { title: 'x' });
    expect(hidden.statusCode).toBe(404);
    expect(hidden.json().code).toBe('not_found');
    expect(await quizCount(courseId)).toBe(before);
    expect(
      (await call(admin, 'POST', `/courses/${draftCourseId}/quizzes`, { title: 'by admin' })).statusCode,
    ).toBe(201);
  });

  it('adds a question of every type, validated per type (422 invalid_question writes nothing)', async () => {
    const quiz = await newQuiz();
    const valid = [
      {
        type: 'multiple_choice',
        prompt: 'p',
        options: [
          { id: 'a', text: 'A' },
          { id: 'b', text: 'B' },
        ],
        correctAnswer: 'a',
      },
      {
        type: 'multiple_select',
        prompt: 'p',
        options: [
          { id: 'a', text: 'A' },
          { id: 'b', text: 'B' },
        ],
        correctAnswer: ['a', 'b'],
        partialCredit: false,
      },
      { type: 'true_false', prompt: 'p', correctAnswer: true, difficulty: 'hard' },
      {
        type: 'short_answer',
        prompt: 'p',
        correctAnswer: ['Paris'],
        caseSensitive: true,
        normalizeWhitespace: false,
      },
      { type: 'essay', prompt: 'p', points: 10, explanation: 'A model answer' },
    ];
    for (const [position, body] of valid.entries()) {
      const response = await call(instructor, 'POST', `/quizzes/${quiz.id}/questions`, body);
      expect(response.statusCode, response.body).toBe(201);
      expect(response.json()).toMatchObject({ ...body, position });
    }
    const invalid = [
      {
        type: 'multiple_choice',
        prompt: 'p',
        options: [
          { id: 'a', text: 'A' },
          { id: 'b', text: 'B' },
        ],
        correctAnswer: 'c',
      },
      { type: 'multiple_choice', prompt: 'p', options: [{ id: 'a', text: 'A' }], correctAnswer: 'a' },
      {
        type: 'multiple_select',
        prompt: 'p',
        options: [
          { id: 'a', text: 'A' },
          { id: 'b', text: 'B' },
        ],
        correctAnswer: 'a',
      },
      { type: 'true_false', prompt: 'p', correctAnswer: 'yes' },
      { type: 'short_answer', prompt: 'p', correctAnswer: [] },
      { type: 'essay', prompt: 'p', correctAnswer: 'model' },
    ];
    for (const body of invalid) {
      const response = await call(instructor, 'POST', `/quizzes/${quiz.id}/questions`, body);
      expect(response.statusCode, JSON.stringify(body)).toBe(422);
      expect(response.json()).toMatchObject({ code: 'invalid_question', errors: expect.any(Array) });
    }
    expect(await questionCount(quiz.id)).toBe(valid.length);
    const byStudent = await call(student, 'POST', `/quizzes/${quiz.id}/questions`, valid[0]);
    expect(byStudent.statusCode).toBe(403);
    // A draft quiz of a published course does not exist for another instructor.
    expect((await call(otherInstructor, 'POST', `/quizzes/${quiz.id}/questions`, valid[0])).statusCode).toBe(
      404,
    );
    expect(await questionCount(quiz.id)).toBe(valid.length);
  });

  it('shows correct answers to staff only; learners get published quizzes without questions', async () => {
    const { quiz } = await insertQuizWith(suite.db, courseId, { title: 'Visible' }, [
      { type: 'short_answer', prompt: 'Q', correctAnswer: [MARKER], explanation: `${MARKER}-why` },
    ]);
    const { quiz: draft } = await insertQuizWith(suite.db, courseId, { title: 'Draft', isPublished: false });
    const staffView = await call(instructor, 'GET', `/quizzes/${quiz.id}`);
    expect(staffView.statusCode).toBe(200);
    expect(staffView.json().questions[0]).toMatchObject({
      correctAnswer: [MARKER],
      explanation: `${MARKER}-why`,
    });
    const learnerView = await call(student, 'GET', `/quizzes/${quiz.id}`);
    expect(learnerView.statusCode).toBe(200);
    expect(learnerView.json()).toMatchObject({ id: quiz.id, questionCount: 1, totalPoints: 1 });
    expect(learnerView.json().questions).toBeUndefined();
    expect(learnerView.body).not.toContain(MARKER);
    expect((await call(student, 'GET', `/quizzes/${draft.id}`)).statusCode).toBe(404);
    const notEnrolled = await call(otherStudent, 'GET', `/quizzes/${quiz.id}`);
    expect(notEnrolled.statusCode).toBe(403);
    expect(notEnrolled.json().code).toBe('not_enrolled');
    expect(notEnrolled.body).not.toContain(MARKER);

    const staffList = await call(instructor, 'GET', `/courses/${courseId}/quizzes`);
    const learnerList = await call(student, 'GET', `/courses/${courseId}/quizzes`);
    const staffIds = staffList.json().data.map((q: { id: string }) => q.id);
    const learnerIds = learnerList.json().data.map((q: { id: string }) => q.id);
    expect(staffIds).toEqual(expect.arrayContaining([quiz.id, draft.id]));
    expect(learnerIds).toContain(quiz.id);
    expect(learnerIds).not.toContain(draft.id);
    expect(learnerList.body).not.toContain(MARKER);
    expect((await call(otherStudent, 'GET', `/courses/${courseId}/quizzes`)).statusCode).toBe(403);
    expect((await call(otherStudent, 'GET', `/courses/${draftCourseId}/quizzes`)).statusCode).toBe(404);
  });

  it('reorders and renumbers questions; refuses a list that is not the quiz’s questions', async () => {
    const { quiz, questions: rows } = await insertQuizWith(suite.db, courseId);
    const reversed = rows.map((row) => row.id).reverse();
    const response = await call(instructor, 'PUT', `/quizzes/${quiz.id}/questions/order`, {
      questionIds: reversed,
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().data.map((q: { id: string }) => q.id)).toEqual(reversed);
    const bad = await call(instructor, 'PUT', `/quizzes/${quiz.id}/questions/order`, {
      questionIds: reversed.slice(1),
    });
    expect(bad.statusCode).toBe(400);
    const deleted = await call(instructor, 'DELETE', `/questions/${reversed[1]}`);
    expect(deleted.statusCode).toBe(204);
    const left = await suite.db
      .select()
      .from(questions)
      .where(eq(questions.quizId, quiz.id))
      .orderBy(questions.position);
    expect(left.map((row) => [row.id, row.position])).toEqual([
      [reversed[0], 0],
      [reversed[2], 1],
      [reversed[3], 2],
    ]);
  });

  it('publishes only a quiz with questions worth points (409 quiz_not_ready), and unpublishes', async () => {
    const empty = await newQuiz();
    const refused = await call(instructor, 'POST', `/quizzes/${empty.id}/publish`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().code).toBe('quiz_not_ready');
    const [row] = await suite.db.select().from(quizzes).where(eq(quizzes.id, empty.id));
    expect(row?.isPublished).toBe(false);
    const { quiz } = await insertQuizWith(suite.db, courseId, { isPublished: false });
    expect((await call(student, 'POST', `/quizzes/${quiz.id}/publish`)).statusCode).toBe(403);
    const published = await call(instructor, 'POST', `/quizzes/${quiz.id}/publish`);
    expect(published.json().isPublished).toBe(true);
    const unpublished = await call(instructor, 'POST', `/quizzes/${quiz.id}/unpublish`);
    expect(unpublished.json().isPublished).toBe(false);
  });

  describe('once the quiz has attempts', () => {
    let quizId: string;
    let questionId: string;

    beforeAll(async () => {
      const fixture = await insertQuizWith(suite.db, courseId);
      quizId = fixture.quiz.id;
      questionId = fixture.questions[0]!.id;
      await suite.db.insert(quizSubmissions).values({ quizId, userId: student.id });
    });

    it('refuses destructive edits with 409 quiz_has_attempts and changes nothing', async () => {
      const before = await suite.db
        .select()
        .from(questions)
        .where(eq(questions.quizId, quizId))
        .orderBy(questions.position);
      const refusals = [
        call(instructor, 'PATCH', `/questions/${questionId}`, { correctAnswer: 'a' }),
        call(instructor, 'PATCH', `/questions/${questionId}`, { points: 5 }),
        call(instructor, 'PATCH', `/questions/${questionId}`, {
          options: [
            { id: 'a', text: '4' },
            { id: 'b', text: '7' },
          ],
        }),
        call(instructor, 'POST', `/quizzes/${quizId}/questions`, {
          type: 'true_false',
          prompt: 'p',
          correctAnswer: true,
        }),
        call(instructor, 'DELETE', `/questions/${questionId}`),
        call(instructor, 'PUT', `/quizzes/${quizId}/questions/order`, {
          questionIds: before.map((row) => row.id).reverse(),
        }),
        call(instructor, 'PATCH', `/quizzes/${quizId}`, { type: 'survey' }),
        call(instructor, 'PATCH', `/quizzes/${quizId}`, { passingScore: 10 }),
        call(instructor, 'DELETE', `/quizzes/${quizId}`),
      ];
      for (const response of await Promise.all(refusals)) {
        expect(response.statusCode, response.body).toBe(409);
        expect(response.json().code).toBe('quiz_has_attempts');
      }
      const after = await suite.db
        .select()
        .from(questions)
        .where(eq(questions.quizId, quizId))
        .orderBy(questions.position);
      expect(after).toEqual(before);
      const [quiz] = await suite.db.select().from(quizzes).where(eq(quizzes.id, quizId));
      expect(quiz).toMatchObject({ type: 'graded', passingScore: 70 });
    });

    it('still allows wording fixes and non-grading settings', async () => {
      const wording = await call(instructor, 'PATCH', `/questions/${questionId}`, {
        prompt: 'Which number is prime?',
        explanation: 'Fixed typo',
        correctAnswer: 'b',
      });
      expect(wording.statusCode, wording.body).toBe(200);
      expect(wording.json()).toMatchObject({ prompt: 'Which number is prime?', explanation: 'Fixed typo' });
      const settings = await call(instructor, 'PATCH', `/quizzes/${quizId}`, {
        title: 'Renamed',
        description: 'New words',
        timeLimitMinutes: 45,
      });
      expect(settings.statusCode, settings.body).toBe(200);
      expect(settings.json()).toMatchObject({ title: 'Renamed', timeLimitMinutes: 45 });
    });
  });

  it('deletes a quiz without attempts (with its questions)', async () => {
    const { quiz } = await insertQuizWith(suite.db, courseId);
    expect((await call(otherInstructor, 'DELETE', `/quizzes/${quiz.id}`)).statusCode).toBe(403);
    expect((await call(instructor, 'DELETE', `/quizzes/${quiz.id}`)).statusCode).toBe(204);
    expect(await questionCount(quiz.id)).toBe(0);
    expect((await call(instructor, 'GET', `/quizzes/${quiz.id}`)).statusCode).toBe(404);
  });
});
