import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { apiCaller } from '../helpers/api-call.js';
import { insertCourse, insertEnrollment } from '../helpers/factories/index.js';
import { useTestApp } from '../helpers/use-test-app.js';
import { insertQuizWith, type QuestionSeed } from './quiz-fixtures.js';

/**
 * Correct answers and explanations never reach a student before submitting, by any route: every
 * student-facing quiz answer (successes and refusals alike) is scanned for marker values planted in
 * every question's correct answer and explanation. The control at the end shows the scan finds them
 * when the quiz's review does show them.
 */
describe('quiz answers before submission', () => {
  const suite = useTestApp({ cast: ['student', 'instructor'] });
  const { student, instructor } = suite.cast;
  const markers: string[] = [];
  const mark = (what: string) => {
    const value = `quizleak${randomBytes(6).toString('hex')}${what}`;
    markers.push(value);
    return value;
  };
  let courseId: string;

  const seeds = (): QuestionSeed[] => [
    {
      type: 'multiple_choice',
      prompt: 'mc',
      options: [
        { id: 'a', text: 'A' },
        { id: 'b', text: 'B' },
      ],
      correctAnswer: 'a',
      explanation: mark('mcexplanation'),
    },
    {
      type: 'multiple_select',
      prompt: 'ms',
      options: [
        { id: 'a', text: 'A' },
        { id: 'b', text: 'B' },
      ],
      correctAnswer: ['a'],
      explanation: mark('msexplanation'),
    },
    { type: 'true_false', prompt: 'tf', correctAnswer: true, explanation: mark('tfexplanation') },
    {
      type: 'short_answer',
      prompt: 'sa',
      correctAnswer: [mark('accepted1'), mark('accepted2')],
      explanation: mark('saexplanation'),
    },
    { type: 'essay', prompt: 'essay', correctAnswer: null, explanation: mark('essayexplanation') },
  ];

  beforeAll(async () => {
    courseId = (await insertCourse(suite.db, instructor.id)).id;
    await insertEnrollment(suite.db, student.id, courseId);
  });

  const call = apiCaller(suite);

  const leaked = (body: string) => markers.filter((value) => body.includes(value));

  /** Every student-facing route of a quiz up to (and including) submitting; the bodies by route. */
  async function walk(quizId: string, questionIds: string[]): Promise<Record<string, string>> {
    const bodies: Record<string, string> = {};
    const record = async (label: string, response: Promise<{ statusCode: number; body: string }>) => {
      const answer = await response;
      expect(answer.statusCode, `${label}: ${answer.body}`).toBeLessThan(500);
      bodies[label] = answer.body;
      return answer;
    };
    await record('list quizzes', call(student, 'GET', `/courses/${courseId}/quizzes`));
    await record('get quiz', call(student, 'GET', `/quizzes/${quizId}`));
    const started = await record('start attempt', call(student, 'POST', `/quizzes/${quizId}/attempts`));
    const attemptId = JSON.parse(started.body).id as string;
    await record('start again (open attempt)', call(student, 'POST', `/quizzes/${quizId}/attempts`));
    await record('get attempt', call(student, 'GET', `/quiz-attempts/${attemptId}`));
    const answers = { [questionIds[0]!]: 'b', [questionIds[3]!]: 'a guess', [questionIds[4]!]: 'an essay' };
    await record(
      'save answers',
      call(student, 'PUT', `/quiz-attempts/${attemptId}/answers`, { sequence: 2, answers }),
    );
    await record(
      'stale save',
      call(student, 'PUT', `/quiz-attempts/${attemptId}/answers`, { sequence: 1, answers }),
    );
    await record(
      'invalid save',
      call(student, 'PUT', `/quiz-attempts/${attemptId}/answers`, {
        sequence: 3,
        answers: { [questionIds[0]!]: 'z' },
      }),
    );
    await record('list attempts', call(student, 'GET', `/quizzes/${quizId}/attempts`));
    await record('statistics (refused)', call(student, 'GET', `/quizzes/${quizId}/statistics`));
    await record(
      'grade (refused)',
      call(student, 'POST', `/quiz-attempts/${attemptId}/grade`, {
        questions: [{ questionId: questionIds[4]!, points: 1 }],
      }),
    );
    await record('submit', call(student, 'POST', `/quiz-attempts/${attemptId}/submit`));
    await record('get submitted attempt', call(student, 'GET', `/quiz-attempts/${attemptId}`));
    return bodies;
  }

  it('no student-facing answer carries a correct answer or an explanation (review closed)', async () => {
    const { quiz, questions } = await insertQuizWith(
      suite.db,
      courseId,
      { showCorrectAnswers: false, timeLimitMinutes: 30 },
      seeds(),
    );
    const bodies = await walk(
      quiz.id,
      questions.map((q) => q.id),
    );
    const leaks = Object.entries(bodies).flatMap(([label, body]) =>
      leaked(body).map((value) => `${label}: ${value}`),
    );
    expect(leaks).toEqual([]);
    // The authoring view has them: the markers are real.
    const staff = await call(instructor, 'GET', `/quizzes/${quiz.id}`);
    expect(leaked(staff.body).length).toBeGreaterThan(0);
  });

  it('control: with review open they appear only once submitted', async () => {
    const { quiz, questions } = await insertQuizWith(
      suite.db,
      courseId,
      { showCorrectAnswers: true },
      seeds(),
    );
    const bodies = await walk(
      quiz.id,
      questions.map((q) => q.id),
    );
    const { submit, 'get submitted attempt': review, ...before } = bodies;
    expect(Object.values(before).flatMap(leaked)).toEqual([]);
    expect(leaked(submit ?? '').length).toBeGreaterThan(0);
    expect(leaked(review ?? '').length).toBeGreaterThan(0);
  });
});
