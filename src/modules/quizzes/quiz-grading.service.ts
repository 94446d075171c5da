/**
 * Grading by hand: course staff give points (and feedback) to the questions of a submitted attempt
 * that a human must grade (essays: `needsReview`; graded ones can be graded again). The totals,
 * percent and pass/fail are recomputed from all results; the attempt is `graded` once no question
 * awaits review. In one transaction: the attempt, a grade_changes row (who, when, old and new score
 * and status), the student's `quiz_graded` notification, and `quiz-attempt.graded`.
 */
import { eq, sql } from 'drizzle-orm';
import type { Database } from '../../infrastructure/database/client/client.js';
import {
  gradeChanges,
  type QuizSubmission,
  quizSubmissions,
} from '../../infrastructure/database/schema/index.js';
import type { DomainEventBus } from '../../infrastructure/events/domain-events.js';
import { unitOfWork } from '../../infrastructure/events/unit-of-work.js';
import { type Actor, isAdmin } from '../../shared/actor.js';
import { AppError, type FieldError } from '../../shared/errors.js';
import { writeNotification } from '../notifications/index.js';
import { scoredColumns } from './attempt-submission.js';
import { type AnswerResult, roundPoints } from './grading.js';
import { attemptNotFound } from './quiz-access.js';
import { toAttemptView } from './quiz-views.js';
import { itemResultsWrite, selectAttemptFacts, selectQuestionsByIds } from './quizzes.queries.js';
import type { AttemptView, GradeAttemptInput } from './quizzes.schemas.js';

export interface QuizGradingServiceDependencies {
  db: Database;
  events: DomainEventBus;
}

export function createQuizGradingService({ db, events }: QuizGradingServiceDependencies) {
  return {
    async grade(actor: Actor, attemptId: string, input: GradeAttemptInput): Promise<AttemptView> {
      return unitOfWork(db, events, async (tx, txEvents) => {
        const facts = await selectAttemptFacts(tx, attemptId, true);
        if (!facts) throw attemptNotFound();
        const { attempt, quiz } = facts;
        const staff = isAdmin(actor) || facts.instructorId === actor.id;
        if (!staff) {
          if (attempt.userId === actor.id) {
            throw new AppError('forbidden', 'Only the course’s instructor or an admin grades attempts.');
          }
          throw attemptNotFound();
        }
        if (attempt.submittedAt === null) {
          throw new AppError(
            'attempt_not_gradable',
            'The attempt is still open: it is graded once submitted.',
          );
        }
        const rows = await selectQuestionsByIds(
          tx,
          attempt.questionOrder.map((entry) => entry.questionId),
        );
        const questionsById = new Map(rows.map((row) => [row.id, row]));
        const results: Record<string, AnswerResult> = { ...attempt.results };
        const errors: FieldError[] = [];
        const seen = new Set<string>();
        for (const [index, grade] of input.questions.entries()) {
          const field = `/body/questions/${index}`;
          const result = results[grade.questionId];
          const question = questionsById.get(grade.questionId);
          const refusal =
            !result || !question
              ? { field: `${field}/questionId`, message: 'is not a question of this attempt' }
              : seen.has(grade.questionId)
                ? { field: `${field}/questionId`, message: 'is graded twice' }
                : !result.needsReview && question.type !== 'essay'
                  ? {
                      field: `${field}/questionId`,
                      message:
                        'is graded automatically (only essays and questions awaiting review are graded by hand)',
                    }
                  : grade.points > result.maxPoints
                    ? {
                        field: `${field}/points`,
                        message: `is more than the question's ${result.maxPoints} points`,
                      }
                    : undefined;
          if (refusal || !result) {
            if (refusal) errors.push(refusal);
            continue;
          }
          seen.add(grade.questionId);
          const points = roundPoints(grade.points);
          results[grade.questionId] = {
            points,
            maxPoints: result.maxPoints,
            correct: points >= result.maxPoints,
            needsReview: false,
            ...(grade.feedback ? { feedback: grade.feedback } : {}),
          };
        }
        if (errors.length > 0) {
          throw new AppError('invalid_grades', 'Some grades do not fit the attempt.', { errors });
        }
        const { needsReview, columns } = scoredColumns(quiz, results);
        const gradingStatus = needsReview ? 'needs_review' : 'graded';
        // All of the attempt's rows, not only the graded ones: one statement shape, and an attempt
        // without rows (submitted by an older version during a deploy) gets them.
        const [graded] = await tx
          .with(itemResultsWrite(tx, attempt, columns.results))
          .update(quizSubmissions)
          .set({
            ...columns,
            gradingStatus,
            gradedAt: sql`now()`,
            graderId: actor.id,
            ...(input.feedback !== undefined ? { feedback: input.feedback } : {}),
            updatedAt: sql`now()`,
          })
          .where(eq(quizSubmissions.id, attemptId))
          .returning();
        await tx.insert(gradeChanges).values({
          quizSubmissionId: attemptId,
          graderId: actor.id,
          oldGrade: attempt.score === null ? null : Number(attempt.score),
          newGrade: columns.score,
          oldStatus: attempt.gradingStatus,
          newStatus: gradingStatus,
          feedback: input.feedback ?? null,
        });
        await writeNotification(tx, txEvents, {
          userId: attempt.userId,
          type: 'quiz_graded',
          title: `Your attempt at ${quiz.title} was graded`,
          body:
            columns.scorePercent === null
              ? 'Your instructor graded your answers.'
              : `Score: ${columns.score} of ${columns.maxScore} points (${columns.scorePercent}%).`,
          payload: { quizId: quiz.id, attemptId, courseId: quiz.courseId },
          linkUrl: `/quiz-attempts/${attemptId}`,
        });
        txEvents.publish('quiz-attempt.graded', {
          attemptId,
          quizId: quiz.id,
          userId: attempt.userId,
          courseId: quiz.courseId,
          required: quiz.isRequired,
        });
        return toAttemptView(graded as QuizSubmission, questionsById, true);
      });
    },
  };
}

export type QuizGradingService = ReturnType<typeof createQuizGradingService>;
