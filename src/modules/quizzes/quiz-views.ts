/**
 * The answers' shapes. The one place that decides what a student sees: questions of an attempt never
 * carry a correct answer or an explanation; per-question results (with them) reach the student only
 * once the attempt is submitted and the quiz's review setting allows (`reviewOpen`).
 */
import type {
  CorrectAnswer,
  Question,
  Quiz,
  QuizSubmission,
} from '../../infrastructure/database/schema/index.js';
import type { QuestionTotals } from './quizzes.queries.js';
import type { AttemptSummary, AttemptView, AuthoringQuestion, QuizView } from './quizzes.schemas.js';

const iso = (date: Date | null): string | null => date?.toISOString() ?? null;

export function toAuthoringQuestion(question: Question): AuthoringQuestion {
  return {
    id: question.id,
    quizId: question.quizId,
    position: question.position,
    type: question.type,
    prompt: question.prompt,
    difficulty: question.difficulty,
    options: question.options,
    correctAnswer: question.correctAnswer ?? null,
    explanation: question.explanation,
    points: Number(question.points),
    caseSensitive: question.caseSensitive,
    normalizeWhitespace: question.normalizeWhitespace,
    partialCredit: question.partialCredit,
    createdAt: question.createdAt.toISOString(),
    updatedAt: question.updatedAt.toISOString(),
  };
}

export function toQuizView(
  quiz: Quiz,
  totals: Pick<QuestionTotals, 'questionCount' | 'totalPoints'> | undefined,
  authoringQuestions?: Question[],
): QuizView {
  const view: QuizView = {
    id: quiz.id,
    courseId: quiz.courseId,
    lessonId: quiz.lessonId,
    title: quiz.title,
    description: quiz.description,
    type: quiz.type,
    timeLimitMinutes: quiz.timeLimitMinutes,
    maxAttempts: quiz.maxAttempts,
    passingScore: quiz.passingScore,
    shuffleQuestions: quiz.shuffleQuestions,
    shuffleOptions: quiz.shuffleOptions,
    showCorrectAnswers: quiz.showCorrectAnswers,
    showCorrectAnswersAt: iso(quiz.showCorrectAnswersAt),
    scorePolicy: quiz.scorePolicy,
    isRequired: quiz.isRequired,
    availableFrom: iso(quiz.availableFrom),
    availableUntil: iso(quiz.availableUntil),
    isPublished: quiz.isPublished,
    questionCount: totals?.questionCount ?? 0,
    totalPoints: totals?.totalPoints ?? 0,
    createdAt: quiz.createdAt.toISOString(),
    updatedAt: quiz.updatedAt.toISOString(),
  };
  if (authoringQuestions) view.questions = authoringQuestions.map(toAuthoringQuestion);
  return view;
}

/** Whether a student may see per-question results, correct answers and explanations now. */
export function reviewOpen(
  quiz: Pick<Quiz, 'showCorrectAnswers' | 'showCorrectAnswersAt'>,
  now: Date,
): boolean {
  if (!quiz.showCorrectAnswers) return false;
  return quiz.showCorrectAnswersAt === null || quiz.showCorrectAnswersAt <= now;
}

export function toAttemptSummary(attempt: QuizSubmission): AttemptSummary {
  return {
    id: attempt.id,
    quizId: attempt.quizId,
    userId: attempt.userId,
    attemptNumber: attempt.attemptNumber,
    status: attempt.submittedAt === null ? 'open' : 'submitted',
    startedAt: attempt.startedAt.toISOString(),
    deadlineAt: iso(attempt.deadlineAt),
    submittedAt: iso(attempt.submittedAt),
    autoSubmitted: attempt.autoSubmitted,
    gradingStatus: attempt.gradingStatus,
    score: attempt.score === null ? null : Number(attempt.score),
    maxScore: attempt.maxScore === null ? null : Number(attempt.maxScore),
    scorePercent: attempt.scorePercent === null ? null : Number(attempt.scorePercent),
    passed: attempt.passed,
  };
}

/**
 * The attempt with its questions in the attempt's order (options too), and its results when
 * `showResults` (course staff; the student after submitting when review is open).
 */
export function toAttemptView(
  attempt: QuizSubmission,
  questionsById: ReadonlyMap<string, Question>,
  showResults: boolean,
): AttemptView {
  const ordered = attempt.questionOrder.flatMap((entry) => {
    const question = questionsById.get(entry.questionId);
    return question ? [{ entry, question }] : [];
  });
  const attemptQuestions = ordered.map(({ entry, question }) => {
    const optionsById = new Map(question.options.map((option) => [option.id, option]));
    const options = entry.optionIds.flatMap((id) => {
      const option = optionsById.get(id);
      return option ? [option] : [];
    });
    return {
      id: question.id,
      type: question.type,
      prompt: question.prompt,
      difficulty: question.difficulty,
      points: Number(question.points),
      options,
    };
  });
  const submitted = attempt.submittedAt !== null;
  const results =
    submitted && showResults
      ? ordered.map(({ question }) => {
          const result = attempt.results[question.id];
          return {
            questionId: question.id,
            points: result?.points ?? 0,
            maxPoints: result?.maxPoints ?? Number(question.points),
            correct: result?.correct ?? null,
            needsReview: result?.needsReview ?? false,
            feedback: result?.feedback ?? null,
            correctAnswer: (question.correctAnswer ?? null) as CorrectAnswer,
            explanation: question.explanation,
          };
        })
      : null;
  return {
    ...toAttemptSummary(attempt),
    answersSequence: Number(attempt.answersSequence),
    answers: attempt.answers as AttemptView['answers'],
    feedback: attempt.feedback,
    questions: attemptQuestions,
    results,
  };
}
