import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { actorOf } from '../../http/authenticate.js';
import { errorResponses } from '../../http/error-responses.js';
import { BEARER } from '../../http/openapi-security.js';
import { problemResponse } from '../../http/problem.js';
import type { QuizStatisticsService } from './quiz-statistics.js';
import {
  AuthoringQuestionSchema,
  CourseParams,
  CreateQuestionBody,
  CreateQuizBody,
  DeletedSchema,
  QuestionListSchema,
  QuestionParams,
  QuizListSchema,
  QuizParams,
  QuizSchema,
  QuizStatisticsSchema,
  ReorderQuestionsBody,
  UpdateQuestionBody,
  UpdateQuizBody,
} from './quizzes.schemas.js';
import type { QuizzesService } from './quizzes.service.js';

export interface QuizRoutesOptions {
  quizzes: QuizzesService;
  statistics: QuizStatisticsService;
}

const TAGS = ['quizzes'];
const noSuchQuiz = problemResponse(
  'No such quiz, or not one the caller may see (a draft quiz or course exists for its staff only).',
);
const noSuchQuestion = problemResponse('No such question, or not one the caller may change.');
const notStaff = problemResponse(
  'Students may not author; another instructor may not change a course they can see but do not teach.',
);
const hasAttempts = problemResponse(
  '`quiz_has_attempts`: the edit would change how existing attempts were graded (wording stays editable).',
);
const badQuestion = problemResponse(
  '`invalid_question`: the options or correct answer do not fit the question type.',
);

/**
 * Quiz authoring (tag `quizzes`): the course's instructor and admins create quizzes, questions and
 * their order, publish them, and read item statistics. Learners read published quizzes (settings,
 * no questions: those come with an attempt, in its order, without answers).
 */
export const quizRoutes: FastifyPluginAsyncTypebox<QuizRoutesOptions> = async (
  app,
  { quizzes, statistics },
) => {
  app.addHook('onSend', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
  });

  app.post(
    '/courses/:id/quizzes',
    {
      preHandler: app.authenticate,
      schema: {
        tags: TAGS,
        operationId: 'createQuiz',
        summary: 'Create a quiz in a course (instructor, admin)',
        description: 'A draft quiz (unpublished) with the settings given; questions are added next.',
        security: BEARER,
        params: CourseParams,
        body: CreateQuizBody,
        response: {
          201: QuizSchema,
          ...errorResponses(400, 401),
          403: notStaff,
          404: problemResponse('No such course, or a draft course of another instructor.'),
          422: problemResponse(
            '`validation_failed`: the lesson is not in this course, or the window is empty.',
          ),
        },
      },
    },
    async (request, reply) => {
      const quiz = await quizzes.create(actorOf(request), request.params.id, request.body);
      return reply.code(201).send(quiz);
    },
  );

  app.get(
    '/courses/:id/quizzes',
    {
      preHandler: app.authenticate,
      schema: {
        tags: TAGS,
        operationId: 'listCourseQuizzes',
        summary: 'The quizzes of a course',
        description:
          'Course staff: every quiz. Learners (active or completed enrollment): the published ones. Without questions.',
        security: BEARER,
        params: CourseParams,
        response: {
          200: QuizListSchema,
          ...errorResponses(400, 401),
          403: problemResponse('`not_enrolled`: enroll in the course first.'),
          404: problemResponse('No such course, or one the caller cannot see.'),
        },
      },
    },
    async (request) => quizzes.list(actorOf(request), request.params.id),
  );

  app.get(
    '/quizzes/:id',
    {
      preHandler: app.authenticate,
      schema: {
        tags: TAGS,
        operationId: 'getQuiz',
        summary: 'One quiz',
        description:
          'Course staff: with its questions, correct answers and explanations. Learners: a published quiz’s settings and counts only.',
        security: BEARER,
        params: QuizParams,
        response: {
          200: QuizSchema,
          ...errorResponses(400, 401),
          403: problemResponse('`not_enrolled`: enroll in the course first.'),
          404: noSuchQuiz,
        },
      },
    },
    async (request) => quizzes.get(actorOf(request), request.params.id),
  );

  app.patch(
    '/quizzes/:id',
    {
      preHandler: app.authenticate,
      schema: {
        tags: TAGS,
        operationId: 'updateQuiz',
        summary: 'Change a quiz’s settings',
        description:
          'Any setting; with attempts, changing the type or passing score is 409 `quiz_has_attempts`.',
        security: BEARER,
        params: QuizParams,
        body: UpdateQuizBody,
        response: {
          200: QuizSchema,
          ...errorResponses(400, 401),
          403: notStaff,
          404: noSuchQuiz,
          409: hasAttempts,
        },
      },
    },
    async (request) => quizzes.update(actorOf(request), request.params.id, request.body),
  );

  app.delete(
    '/quizzes/:id',
    {
      preHandler: app.authenticate,
      schema: {
        tags: TAGS,
        operationId: 'deleteQuiz',
        summary: 'Delete a quiz without attempts',
        description:
          'With its questions. A quiz with attempts keeps them: 409 `quiz_has_attempts` (unpublish it).',
        security: BEARER,
        params: QuizParams,
        response: {
          204: DeletedSchema,
          ...errorResponses(400, 401),
          403: notStaff,
          404: noSuchQuiz,
          409: hasAttempts,
        },
      },
    },
    async (request, reply) => {
      await quizzes.remove(actorOf(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/quizzes/:id/questions',
    {
      preHandler: app.authenticate,
      schema: {
        tags: TAGS,
        operationId: 'addQuizQuestion',
        summary: 'Add a question (appended)',
        description:
          'Per type: multiple_choice needs 2+ options and `correctAnswer` one option id; multiple_select option ids; ' +
          'true_false a boolean and no options; short_answer accepted answers; essay no correct answer.',
        security: BEARER,
        params: QuizParams,
        body: CreateQuestionBody,
        response: {
          201: AuthoringQuestionSchema,
          ...errorResponses(400, 401),
          403: notStaff,
          404: noSuchQuiz,
          409: hasAttempts,
          422: badQuestion,
        },
      },
    },
    async (request, reply) => {
      const question = await quizzes.addQuestion(actorOf(request), request.params.id, request.body);
      return reply.code(201).send(question);
    },
  );

  app.patch(
    '/questions/:id',
    {
      preHandler: app.authenticate,
      schema: {
        tags: TAGS,
        operationId: 'updateQuizQuestion',
        summary: 'Change a question',
        description:
          'The result must still be valid for its type (422). With attempts, only the prompt, explanation and difficulty may change (409).',
        security: BEARER,
        params: QuestionParams,
        body: UpdateQuestionBody,
        response: {
          200: AuthoringQuestionSchema,
          ...errorResponses(400, 401),
          403: notStaff,
          404: noSuchQuestion,
          409: hasAttempts,
          422: badQuestion,
        },
      },
    },
    async (request) => quizzes.updateQuestion(actorOf(request), request.params.id, request.body),
  );

  app.delete(
    '/questions/:id',
    {
      preHandler: app.authenticate,
      schema: {
        tags: TAGS,
        operationId: 'deleteQuizQuestion',
        summary: 'Delete a question',
        description: 'The questions after it move up. Refused once the quiz has attempts (409).',
        security: BEARER,
        params: QuestionParams,
        response: {
          204: DeletedSchema,
          ...errorResponses(400, 401),
          403: notStaff,
          404: noSuchQuestion,
          409: hasAttempts,
        },
      },
    },
    async (request, reply) => {
      await quizzes.removeQuestion(actorOf(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.put(
    '/quizzes/:id/questions/order',
    {
      preHandler: app.authenticate,
      schema: {
        tags: TAGS,
        operationId: 'reorderQuizQuestions',
        summary: 'Put the questions in a new order',
        description:
          'Every question id once. Refused once the quiz has attempts (409), unless the order is unchanged.',
        security: BEARER,
        params: QuizParams,
        body: ReorderQuestionsBody,
        response: {
          200: QuestionListSchema,
          ...errorResponses(400, 401),
          403: notStaff,
          404: noSuchQuiz,
          409: hasAttempts,
        },
      },
    },
    async (request) => ({
      data: await quizzes.reorderQuestions(actorOf(request), request.params.id, request.body.questionIds),
    }),
  );

  for (const [action, published] of [
    ['publish', true],
    ['unpublish', false],
  ] as const) {
    app.post(
      `/quizzes/:id/${action}`,
      {
        preHandler: app.authenticate,
        schema: {
          tags: TAGS,
          operationId: published ? 'publishQuiz' : 'unpublishQuiz',
          summary: published ? 'Publish a quiz' : 'Unpublish a quiz',
          description: published
            ? 'Learners see it and may start attempts. Needs a question (and, unless a survey, points): 409 `quiz_not_ready`.'
            : 'Learners no longer see it or start attempts; existing attempts stay.',
          security: BEARER,
          params: QuizParams,
          response: {
            200: QuizSchema,
            ...errorResponses(400, 401),
            403: notStaff,
            404: noSuchQuiz,
            ...(published ? { 409: problemResponse('`quiz_not_ready`: no questions, or no points.') } : {}),
          },
        },
      },
      async (request) => quizzes.setPublished(actorOf(request), request.params.id, published),
    );
  }

  app.get(
    '/quizzes/:id/statistics',
    {
      preHandler: app.authenticate,
      schema: {
        tags: TAGS,
        operationId: 'getQuizStatistics',
        summary: 'Item analysis (instructor, admin)',
        description:
          'Submitted attempts, average and median score percent; per question: correct rate, average points and ' +
          'the discrimination index (upper vs lower 27% by score). Computed in SQL.',
        security: BEARER,
        params: QuizParams,
        response: {
          200: QuizStatisticsSchema,
          ...errorResponses(400, 401),
          403: problemResponse('Learners and other instructors may not see statistics.'),
          404: noSuchQuiz,
        },
      },
    },
    async (request) => statistics.get(actorOf(request), request.params.id),
  );
};
