import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { actorOf } from '../../http/authenticate.js';
import { errorResponses } from '../../http/error-responses.js';
import { BEARER } from '../../http/openapi-security.js';
import { problemResponse } from '../../http/problem.js';
import type { QuizAttemptsService } from './quiz-attempts.service.js';
import type { QuizGradingService } from './quiz-grading.service.js';
import {
  AttemptPageSchema,
  AttemptParams,
  AttemptSchema,
  AttemptsQuery,
  GradeAttemptBody,
  QuizParams,
  SaveAnswersBody,
} from './quizzes.schemas.js';

export interface QuizAttemptRoutesOptions {
  attempts: QuizAttemptsService;
  grading: QuizGradingService;
}

const TAGS = ['quizzes'];
const noSuchAttempt = problemResponse(
  'No such attempt, or not one the caller may see (its student and course staff).',
);
const noSuchQuiz = problemResponse('No such quiz, or not one the caller may see.');

/**
 * Taking quizzes (tag `quizzes`): starting an attempt, saving answers with a sequence number,
 * submitting (graded at once), reading attempts, and grading by hand. Answers never carry correct
 * answers or explanations before the attempt is submitted; after, only as the quiz's review allows.
 */
export const quizAttemptRoutes: FastifyPluginAsyncTypebox<QuizAttemptRoutesOptions> = async (
  app,
  { attempts, grading },
) => {
  app.addHook('onSend', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
  });

  app.post(
    '/quizzes/:id/attempts',
    {
      preHandler: app.authenticate,
      schema: {
        tags: TAGS,
        operationId: 'startQuizAttempt',
        summary: 'Start an attempt (enrolled students)',
        description:
          'Records the start and the deadline (start + time limit, capped by availableUntil) and fixes the ' +
          'question and option order. 201 with a new attempt; 200 with the open one if there is one. ' +
          '409 `attempt_limit_reached`, `quiz_not_available` (outside the window).',
        security: BEARER,
        params: QuizParams,
        response: {
          200: AttemptSchema,
          201: AttemptSchema,
          ...errorResponses(400, 401),
          403: problemResponse('`not_enrolled`, or course staff (who do not take their quizzes).'),
          404: noSuchQuiz,
          409: problemResponse('`attempt_limit_reached` or `quiz_not_available`.'),
        },
      },
    },
    async (request, reply) => {
      const { attempt, created } = await attempts.start(actorOf(request), request.params.id);
      return reply.code(created ? 201 : 200).send(attempt);
    },
  );

  app.get(
    '/quizzes/:id/attempts',
    {
      preHandler: app.authenticate,
      schema: {
        tags: TAGS,
        operationId: 'listQuizAttempts',
        summary: 'Attempts at a quiz',
        description: 'Course staff: every student’s; a learner: their own. Newest first, keyset pages.',
        security: BEARER,
        params: QuizParams,
        querystring: AttemptsQuery,
        response: {
          200: AttemptPageSchema,
          ...errorResponses(400, 401),
          403: problemResponse('`not_enrolled`.'),
          404: noSuchQuiz,
        },
      },
    },
    async (request) => attempts.list(actorOf(request), request.params.id, request.query),
  );

  app.get(
    '/quiz-attempts/:id',
    {
      preHandler: app.authenticate,
      schema: {
        tags: TAGS,
        operationId: 'getQuizAttempt',
        summary: 'One attempt',
        description:
          'Its student and course staff. An open attempt past its deadline is submitted first (with its saved answers).',
        security: BEARER,
        params: AttemptParams,
        response: { 200: AttemptSchema, ...errorResponses(400, 401), 404: noSuchAttempt },
      },
    },
    async (request) => attempts.get(actorOf(request), request.params.id),
  );

  app.put(
    '/quiz-attempts/:id/answers',
    {
      preHandler: app.authenticate,
      schema: {
        tags: TAGS,
        operationId: 'saveQuizAnswers',
        summary: 'Save answers (replaces the saved set)',
        description:
          'Stored only if `sequence` is above the stored one: else 409 `stale_answers` (with the stored ' +
          '`answersSequence`; the newer answers stay). After the deadline (+5 s grace): 409 `attempt_expired` ' +
          'and the attempt is submitted with the answers saved before.',
        security: BEARER,
        params: AttemptParams,
        body: SaveAnswersBody,
        response: {
          200: AttemptSchema,
          ...errorResponses(400, 401),
          403: problemResponse('Course staff cannot answer for a student.'),
          404: noSuchAttempt,
          409: problemResponse('`stale_answers`, `attempt_expired` or `attempt_submitted`.'),
          422: problemResponse(
            '`invalid_answers`: a question not in the attempt, or an answer of the wrong shape.',
          ),
        },
      },
    },
    async (request) => attempts.saveAnswers(actorOf(request), request.params.id, request.body),
  );

  app.post(
    '/quiz-attempts/:id/submit',
    {
      preHandler: app.authenticate,
      schema: {
        tags: TAGS,
        operationId: 'submitQuizAttempt',
        summary: 'Submit an attempt',
        description:
          'Grades the objective questions at once (essays: `needs_review`). Per-question results, correct ' +
          'answers and explanations are included only when the quiz shows them (and showCorrectAnswersAt passed).',
        security: BEARER,
        params: AttemptParams,
        response: {
          200: AttemptSchema,
          ...errorResponses(400, 401),
          403: problemResponse('Course staff cannot submit for a student.'),
          404: noSuchAttempt,
          409: problemResponse(
            '`attempt_submitted` (or `attempt_expired`: the server submitted it at the deadline).',
          ),
        },
      },
    },
    async (request) => attempts.submit(actorOf(request), request.params.id),
  );

  app.post(
    '/quiz-attempts/:id/grade',
    {
      preHandler: app.authenticate,
      schema: {
        tags: TAGS,
        operationId: 'gradeQuizAttempt',
        summary: 'Grade questions by hand (instructor, admin)',
        description:
          'Points and feedback for essays (questions awaiting review). Totals, percent and pass/fail are ' +
          'recomputed; `graded` once nothing awaits review. Recorded in the grade history; the student is notified.',
        security: BEARER,
        params: AttemptParams,
        body: GradeAttemptBody,
        response: {
          200: AttemptSchema,
          ...errorResponses(400, 401),
          403: problemResponse('The attempt’s student may not grade it.'),
          404: noSuchAttempt,
          409: problemResponse('`attempt_not_gradable`: still open.'),
          422: problemResponse(
            '`invalid_grades`: a question not awaiting review, or more points than it is worth.',
          ),
        },
      },
    },
    async (request) => grading.grade(actorOf(request), request.params.id, request.body),
  );
};
