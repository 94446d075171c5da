/**
 * The quizzes module: authoring (quizzes, questions, order, publishing), taking (attempts with a
 * server-side deadline, answer saves ordered by the client's sequence number, submission with
 * automatic grading), grading by hand with history and notification, and item statistics. It is the
 * one owner of `quizzes`, `questions` and `quiz_submissions` (the gradebook only reads them); each
 * score it sets or changes publishes `quiz-attempt.graded`, each authoring write `quiz.changed`. Overdue attempts are also submitted by
 * the `quizzes.submit-overdue-attempts` job (src/jobs.ts).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Database } from '../../infrastructure/database/client/client.js';
import type { DomainEventBus } from '../../infrastructure/events/domain-events.js';
import { quizAttemptRoutes } from './quiz-attempts.routes.js';
import { createQuizAttemptsService } from './quiz-attempts.service.js';
import { createQuizGradingService } from './quiz-grading.service.js';
import { createQuizStatistics } from './quiz-statistics.js';
import { quizRoutes } from './quizzes.routes.js';
import { createQuizzesService } from './quizzes.service.js';

/** Exactly what the quizzes module needs from the composition root. */
export interface QuizzesModuleDependencies {
  db: Database;
  events: DomainEventBus;
}

export const quizzesModule: FastifyPluginAsyncTypebox<QuizzesModuleDependencies> = async (app, deps) => {
  await app.register(quizRoutes, {
    quizzes: createQuizzesService(deps),
    statistics: createQuizStatistics(deps),
  });
  await app.register(quizAttemptRoutes, {
    attempts: createQuizAttemptsService(deps),
    grading: createQuizGradingService(deps),
  });
};
