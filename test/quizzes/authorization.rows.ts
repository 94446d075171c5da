import { and, eq } from 'drizzle-orm';
import { quizSubmissions } from '../../src/infrastructure/database/schema/index.js';
import {
  authoring,
  COURSES,
  courseOf,
  type MatrixContext,
  type RouteAuthorization,
} from '../security/authorization-rows.js';

/**
 * Quizzes. The cast's quiz is published in `enrolledCourse`: `student` learns there, `otherStudent`
 * and `otherInstructor` can see the course but are not enrolled (403), the course's instructor and
 * admins author it. Attempts are their student's and the course staff's: anyone else gets 404.
 */
const quizParams = ({ world }: MatrixContext) => ({ params: { id: world.quiz.id } });
const questionParams = ({ world }: MatrixContext) => ({ params: { id: world.quiz.questionId } });
const attemptParams = ({ world }: MatrixContext) => ({ params: { id: world.quiz.attemptId } });

/** Edits refused while attempts exist are checked on a world whose quiz has none (each write has its own world). */
async function withoutAttempts({ db, world }: MatrixContext) {
  await db.delete(quizSubmissions).where(eq(quizSubmissions.quizId, world.quiz.id));
}

/** Authoring a published quiz of a published course: students and other instructors 403. */
const quizAuthoring = (owner: RouteAuthorization['expected']['admin']): RouteAuthorization['expected'] => ({
  anonymous: 401,
  student: 403,
  otherStudent: 403,
  instructor: owner,
  otherInstructor: 403,
  admin: owner,
});

const learnerRead: RouteAuthorization['expected'] = {
  anonymous: 401,
  student: 200,
  otherStudent: 403,
  instructor: 200,
  otherInstructor: 403,
  admin: 200,
};

/** The attempt's own student acts on it; staff see it (403 to act for the student); others 404. */
const studentAction: RouteAuthorization['expected'] = {
  anonymous: 401,
  student: 200,
  otherStudent: 404,
  instructor: 403,
  otherInstructor: 404,
  admin: 403,
};

const quizRow = (request: RouteAuthorization['request'], expected: RouteAuthorization['expected']) => ({
  resources: ['enrolledQuiz'] as const,
  request,
  expected,
});

export const QUIZZES_AUTHORIZATION_ROWS: Record<string, RouteAuthorization> = {
  'POST /api/v1/courses/{id}/quizzes': {
    resources: COURSES,
    request: ({ world, resource }) => ({
      params: { id: courseOf(world, resource).id },
      body: { title: 'Matrix quiz' },
    }),
    expected: authoring(201),
  },
  'GET /api/v1/courses/{id}/quizzes': {
    resources: [...COURSES, 'enrolledCourse'],
    request: ({ world, resource }) => ({ params: { id: courseOf(world, resource).id } }),
    expected: {
      anonymous: 401,
      student: { draftCourse: 404, publishedCourse: 403, enrolledCourse: 200 },
      otherStudent: { draftCourse: 404, publishedCourse: 403, enrolledCourse: 403 },
      instructor: 200,
      otherInstructor: { draftCourse: 404, publishedCourse: 403, enrolledCourse: 403 },
      admin: 200,
    },
  },
  'GET /api/v1/quizzes/{id}': quizRow(quizParams, learnerRead),
  'PATCH /api/v1/quizzes/{id}': quizRow(
    (context) => ({ ...quizParams(context), body: { title: 'Renamed by the matrix' } }),
    quizAuthoring(200),
  ),
  'DELETE /api/v1/quizzes/{id}': quizRow(async (context) => {
    await withoutAttempts(context);
    return quizParams(context);
  }, quizAuthoring(204)),
  'POST /api/v1/quizzes/{id}/questions': quizRow(async (context) => {
    await withoutAttempts(context);
    return { ...quizParams(context), body: { type: 'true_false', prompt: 'Matrix?', correctAnswer: true } };
  }, quizAuthoring(201)),
  'PATCH /api/v1/questions/{id}': quizRow(
    (context) => ({ ...questionParams(context), body: { prompt: 'Reworded by the matrix' } }),
    quizAuthoring(200),
  ),
  'DELETE /api/v1/questions/{id}': quizRow(async (context) => {
    await withoutAttempts(context);
    return questionParams(context);
  }, quizAuthoring(204)),
  'PUT /api/v1/quizzes/{id}/questions/order': quizRow(
    (context) => ({ ...quizParams(context), body: { questionIds: [context.world.quiz.questionId] } }),
    quizAuthoring(200),
  ),
  'POST /api/v1/quizzes/{id}/publish': quizRow(quizParams, quizAuthoring(200)),
  'POST /api/v1/quizzes/{id}/unpublish': quizRow(quizParams, quizAuthoring(200)),
  'GET /api/v1/quizzes/{id}/statistics': quizRow(quizParams, quizAuthoring(200)),
  'POST /api/v1/quizzes/{id}/attempts': quizRow(quizParams, {
    anonymous: 401,
    // The student's open attempt is returned.
    student: 200,
    otherStudent: 403,
    instructor: 403,
    otherInstructor: 403,
    admin: 403,
  }),
  'GET /api/v1/quizzes/{id}/attempts': quizRow(quizParams, learnerRead),
  'GET /api/v1/quiz-attempts/{id}': {
    resources: ['studentQuizAttempt'],
    request: attemptParams,
    expected: {
      anonymous: 401,
      student: 200,
      otherStudent: 404,
      instructor: 200,
      otherInstructor: 404,
      admin: 200,
    },
  },
  'PUT /api/v1/quiz-attempts/{id}/answers': {
    resources: ['studentQuizAttempt'],
    request: (context) => ({
      ...attemptParams(context),
      body: { sequence: 1, answers: { [context.world.quiz.questionId]: 'a guess' } },
    }),
    expected: studentAction,
  },
  'POST /api/v1/quiz-attempts/{id}/submit': {
    resources: ['studentQuizAttempt'],
    request: attemptParams,
    expected: studentAction,
  },
  'POST /api/v1/quiz-attempts/{id}/grade': {
    resources: ['studentQuizAttempt'],
    // A submitted attempt whose question awaits review (the cast's attempt is open).
    request: async (context) => {
      const { world, db } = context;
      await db
        .update(quizSubmissions)
        .set({
          submittedAt: new Date(),
          gradingStatus: 'needs_review',
          score: 0,
          maxScore: 1,
          scorePercent: 0,
          results: { [world.quiz.questionId]: { points: 0, maxPoints: 1, correct: null, needsReview: true } },
        })
        .where(and(eq(quizSubmissions.id, world.quiz.attemptId)));
      return {
        ...attemptParams(context),
        body: { questions: [{ questionId: world.quiz.questionId, points: 1 }] },
      };
    },
    expected: {
      anonymous: 401,
      student: 403,
      otherStudent: 404,
      instructor: 200,
      otherInstructor: 404,
      admin: 200,
    },
  },
};
