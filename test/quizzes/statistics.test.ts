import { beforeAll, describe, expect, it } from 'vitest';
import { quizSubmissions } from '../../src/infrastructure/database/schema/index.js';
import { apiCaller } from '../helpers/api-call.js';
import {
  insertCourse,
  insertEnrollment,
  insertSignedInUser,
  type SignedInUser,
} from '../helpers/factories/index.js';
import { useTestApp } from '../helpers/use-test-app.js';
import { insertItemRowsFromResults, insertQuizWith } from './quiz-fixtures.js';

/**
 * Ten submitted attempts (and one open one, which does not count) with hand-computed statistics.
 * Per attempt: [q1 points of 1, q2 points of 2], ranked by score with no tie across the 27% cuts
 * (ceil(2.7) = 3 attempts in each group: the first three and the last three).
 */
const POINTS: [number, number][] = [
  [1, 2],
  [1, 2],
  [1, 1.5],
  [0, 2],
  [1, 1],
  [1, 0],
  [0, 1],
  [0, 0.5],
  [0, 0],
  [0, 0],
];

describe('quiz statistics', () => {
  const suite = useTestApp({ cast: ['student', 'otherStudent', 'instructor', 'otherInstructor', 'admin'] });
  const { student, otherStudent, instructor, otherInstructor, admin } = suite.cast;
  let courseId: string;
  let quizId: string;
  let questionIds: [string, string];
  const call = apiCaller(suite);

  beforeAll(async () => {
    courseId = (await insertCourse(suite.db, instructor.id)).id;
    await insertEnrollment(suite.db, student.id, courseId);
    const fixture = await insertQuizWith(suite.db, courseId, {}, [
      {
        type: 'multiple_choice',
        prompt: 'q1',
        options: [
          { id: 'a', text: 'A' },
          { id: 'b', text: 'B' },
        ],
        correctAnswer: 'a',
        points: 1,
      },
      {
        type: 'multiple_select',
        prompt: 'q2',
        options: [
          { id: 'a', text: 'A' },
          { id: 'b', text: 'B' },
        ],
        correctAnswer: ['a', 'b'],
        points: 2,
      },
    ]);
    quizId = fixture.quiz.id;
    questionIds = fixture.questions.map((q) => q.id) as [string, string];
    const [q1, q2] = questionIds;
    await suite.db.insert(quizSubmissions).values(
      POINTS.map(([p1, p2], index) => {
        const score = p1 + p2;
        return {
          quizId,
          userId: student.id,
          attemptNumber: index + 1,
          startedAt: new Date(Date.now() - 3_600_000),
          submittedAt: new Date(),
          score,
          maxScore: 3,
          scorePercent: Math.round((score / 3) * 10_000) / 100,
          gradingStatus: 'auto_graded' as const,
          results: {
            [q1]: { points: p1, maxPoints: 1, correct: p1 === 1, needsReview: false },
            [q2]: { points: p2, maxPoints: 2, correct: p2 === 2, needsReview: false },
          },
        };
      }),
    );
    await suite.db.insert(quizSubmissions).values({ quizId, userId: student.id, attemptNumber: 11 });
    await insertItemRowsFromResults(suite.db, quizId);
  });

  it('matches the hand-computed figures', async () => {
    const response = await suite.app.inject({
      method: 'GET',
      url: `/api/v1/quizzes/${quizId}/statistics`,
      headers: instructor.headers,
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({
      quizId,
      attempts: 10,
      averageScorePercent: 50,
      medianScorePercent: 50,
      questions: [
        {
          questionId: questionIds[0],
          position: 0,
          type: 'multiple_choice',
          answered: 10,
          correctRate: 0.5,
          averagePoints: 0.5,
          discriminationIndex: 1,
        },
        // Upper shares 1, 1, 0.75; lower 0.25, 0, 0: 0.9167 − 0.0833.
        {
          questionId: questionIds[1],
          position: 1,
          type: 'multiple_select',
          answered: 10,
          correctRate: 0.3,
          averagePoints: 1,
          discriminationIndex: 0.8333,
        },
      ],
    });
  });

  it('is for course staff only (the enrolled student 403, others 403 on a visible quiz)', async () => {
    const as = (user: SignedInUser) =>
      suite.app.inject({ method: 'GET', url: `/api/v1/quizzes/${quizId}/statistics`, headers: user.headers });
    expect((await as(admin)).statusCode).toBe(200);
    for (const user of [student, otherStudent, otherInstructor]) {
      const response = await as(user);
      expect(response.statusCode).toBe(403);
      expect(response.body).not.toContain('correctRate');
    }
  });

  it('counts attempts submitted and graded through the API; an essay awaiting review is neither correct nor wrong', async () => {
    const { quiz, questions } = await insertQuizWith(suite.db, courseId, {}, [
      { type: 'true_false', prompt: 'True?', correctAnswer: true, points: 2 },
      { type: 'essay', prompt: 'Discuss.', correctAnswer: null, points: 8 },
    ]);
    const [tf, essay] = questions.map((q) => q.id) as [string, string];
    const submit = async (answer: boolean) => {
      const learner = await insertSignedInUser(suite.testApp);
      await insertEnrollment(suite.db, learner.id, courseId);
      const attempt = (await call(learner, 'POST', `/quizzes/${quiz.id}/attempts`)).json();
      await call(learner, 'PUT', `/quiz-attempts/${attempt.id}/answers`, {
        sequence: 1,
        answers: { [tf]: answer, [essay]: 'An essay' },
      });
      expect((await call(learner, 'POST', `/quiz-attempts/${attempt.id}/submit`)).statusCode).toBe(200);
      return attempt.id as string;
    };
    // The first: true/false right, essay graded 8 of 8 (10 of 10); the second: wrong, essay awaiting review.
    const graded = await submit(true);
    await submit(false);
    const grade = await call(instructor, 'POST', `/quiz-attempts/${graded}/grade`, {
      questions: [{ questionId: essay, points: 8 }],
    });
    expect(grade.statusCode, grade.body).toBe(200);
    const response = await call(instructor, 'GET', `/quizzes/${quiz.id}/statistics`);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({
      quizId: quiz.id,
      attempts: 2,
      averageScorePercent: 50,
      medianScorePercent: 50,
      questions: [
        {
          questionId: tf,
          position: 0,
          type: 'true_false',
          answered: 2,
          correctRate: 0.5,
          averagePoints: 1,
          discriminationIndex: 1,
        },
        // The essay awaiting review counts as answered (0 points) but not in the correct rate.
        {
          questionId: essay,
          position: 1,
          type: 'essay',
          answered: 2,
          correctRate: 1,
          averagePoints: 4,
          discriminationIndex: 1,
        },
      ],
    });
  });
});
