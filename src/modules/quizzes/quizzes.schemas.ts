import { type Static, type TSchema, Type } from 'typebox';
import { PageSchema, PaginationQuery } from '../../http/pagination.js';
import {
  gradingStatusEnum,
  QUIZ_SCORE_POLICIES,
  questionDifficultyEnum,
  questionTypeEnum,
  quizTypeEnum,
} from '../../infrastructure/database/schema/index.js';
import { MAX_ACCEPTED_ANSWERS, MAX_OPTIONS } from './question-rules.js';

const uuid = (description?: string) => Type.String({ format: 'uuid', description });
const dateTime = (description?: string) => Type.String({ format: 'date-time', description });
const nullable = <T extends TSchema>(schema: T, description?: string) =>
  Type.Union([schema, Type.Null()], description === undefined ? {} : { description });

export const MAX_QUESTIONS_PER_QUIZ = 500;
export const MAX_ANSWER_LENGTH = 20_000;

// ---------------------------------------------------------------------------------------------
// Shared pieces

const OptionSchema = Type.Object(
  {
    id: Type.String({
      minLength: 1,
      maxLength: 64,
      pattern: '^[A-Za-z0-9_-]+$',
      description: 'Chosen by the author; answers name it.',
    }),
    text: Type.String({ minLength: 1, maxLength: 1000 }),
  },
  { additionalProperties: false },
);

const CorrectAnswerSchema = Type.Union(
  [
    Type.String({ maxLength: 64, description: 'multiple_choice: the correct option id.' }),
    Type.Array(Type.String({ maxLength: 1000 }), {
      maxItems: Math.max(MAX_OPTIONS, MAX_ACCEPTED_ANSWERS),
      description: 'multiple_select: the correct option ids; short_answer: the accepted answers.',
    }),
    Type.Boolean({ description: 'true_false.' }),
    Type.Null({ description: 'essay: graded by hand.' }),
  ],
  { description: 'Per type: see the question types.' },
);

/** An answer as a student gives it: an option id or a text, option ids, or a boolean. */
const AnswerSchema = Type.Union([
  Type.String({ maxLength: MAX_ANSWER_LENGTH }),
  Type.Array(Type.String({ maxLength: 64 }), { maxItems: MAX_OPTIONS }),
  Type.Boolean(),
]);
const AnswersSchema = Type.Record(Type.String({ format: 'uuid' }), AnswerSchema, {
  description: 'Question id → answer.',
});

const quizTypeField = Type.Enum(quizTypeEnum.enumValues, {
  description: 'practice, graded, exam, or survey (ungraded: no score, no pass).',
});
const scorePolicyField = Type.Enum([...QUIZ_SCORE_POLICIES], {
  description: 'Which attempt counts: the highest, the latest, or the average of all.',
});

// ---------------------------------------------------------------------------------------------
// Quizzes

const quizSettings = {
  title: Type.String({ minLength: 1, maxLength: 200 }),
  description: nullable(Type.String({ maxLength: 10_000 })),
  type: quizTypeField,
  lessonId: nullable(uuid('A lesson of the same course the quiz sits in.')),
  timeLimitMinutes: nullable(Type.Integer({ minimum: 1, maximum: 10_080 }), 'Null: untimed.'),
  maxAttempts: nullable(Type.Integer({ minimum: 1, maximum: 1000 }), 'Null: unlimited.'),
  passingScore: Type.Integer({ minimum: 0, maximum: 100, description: 'Minimum score percent to pass.' }),
  shuffleQuestions: Type.Boolean(),
  shuffleOptions: Type.Boolean(),
  showCorrectAnswers: Type.Boolean({
    description:
      'Whether a student sees per-question results, correct answers and explanations after submitting.',
  }),
  showCorrectAnswersAt: nullable(dateTime(), 'Not before this time (when showCorrectAnswers).'),
  scorePolicy: scorePolicyField,
  isRequired: Type.Boolean({ description: 'The course’s completion needs a pass.' }),
  availableFrom: nullable(dateTime()),
  availableUntil: nullable(
    dateTime('Attempts close at this time (a timed attempt’s deadline is capped by it).'),
  ),
};

export const CreateQuizBody = Type.Object(
  {
    title: quizSettings.title,
    description: Type.Optional(quizSettings.description),
    type: Type.Optional(quizSettings.type),
    lessonId: Type.Optional(quizSettings.lessonId),
    timeLimitMinutes: Type.Optional(quizSettings.timeLimitMinutes),
    maxAttempts: Type.Optional(quizSettings.maxAttempts),
    passingScore: Type.Optional(quizSettings.passingScore),
    shuffleQuestions: Type.Optional(quizSettings.shuffleQuestions),
    shuffleOptions: Type.Optional(quizSettings.shuffleOptions),
    showCorrectAnswers: Type.Optional(quizSettings.showCorrectAnswers),
    showCorrectAnswersAt: Type.Optional(quizSettings.showCorrectAnswersAt),
    scorePolicy: Type.Optional(quizSettings.scorePolicy),
    isRequired: Type.Optional(quizSettings.isRequired),
    availableFrom: Type.Optional(quizSettings.availableFrom),
    availableUntil: Type.Optional(quizSettings.availableUntil),
  },
  { additionalProperties: false },
);
export type CreateQuizInput = Static<typeof CreateQuizBody>;

export const UpdateQuizBody = Type.Partial(CreateQuizBody, { additionalProperties: false, minProperties: 1 });
export type UpdateQuizInput = Static<typeof UpdateQuizBody>;

const questionFields = {
  type: Type.Enum(questionTypeEnum.enumValues, {
    description:
      'multiple_choice (one option id), multiple_select (option ids), true_false (a boolean), ' +
      'short_answer (accepted answers, matched by caseSensitive / normalizeWhitespace), essay (graded by hand).',
  }),
  prompt: Type.String({ minLength: 1, maxLength: 10_000 }),
  difficulty: Type.Enum(questionDifficultyEnum.enumValues),
  options: Type.Array(OptionSchema, { maxItems: MAX_OPTIONS }),
  correctAnswer: CorrectAnswerSchema,
  explanation: nullable(
    Type.String({ maxLength: 10_000 }),
    'Shown with the correct answer after review opens.',
  ),
  points: Type.Number({ minimum: 0, maximum: 10_000, multipleOf: 0.01 }),
  caseSensitive: Type.Boolean({ description: 'short_answer: compare case.' }),
  normalizeWhitespace: Type.Boolean({
    description: 'short_answer: trim and collapse whitespace before comparing.',
  }),
  partialCredit: Type.Boolean({
    description: 'multiple_select: (right − wrong chosen) / correct count of the points.',
  }),
};

export const CreateQuestionBody = Type.Object(
  {
    type: questionFields.type,
    prompt: questionFields.prompt,
    difficulty: Type.Optional(questionFields.difficulty),
    options: Type.Optional(questionFields.options),
    correctAnswer: Type.Optional(questionFields.correctAnswer),
    explanation: Type.Optional(questionFields.explanation),
    points: Type.Optional(questionFields.points),
    caseSensitive: Type.Optional(questionFields.caseSensitive),
    normalizeWhitespace: Type.Optional(questionFields.normalizeWhitespace),
    partialCredit: Type.Optional(questionFields.partialCredit),
  },
  { additionalProperties: false },
);
export type CreateQuestionInput = Static<typeof CreateQuestionBody>;

export const UpdateQuestionBody = Type.Partial(CreateQuestionBody, {
  additionalProperties: false,
  minProperties: 1,
});
export type UpdateQuestionInput = Static<typeof UpdateQuestionBody>;

export const ReorderQuestionsBody = Type.Object(
  {
    questionIds: Type.Array(uuid(), {
      minItems: 1,
      maxItems: MAX_QUESTIONS_PER_QUIZ,
      uniqueItems: true,
      description: 'Every question of the quiz, once, in the new order.',
    }),
  },
  { additionalProperties: false },
);

/** A question as its authors see it (correct answer and explanation included). */
export const AuthoringQuestionSchema = Type.Object(
  {
    id: uuid(),
    quizId: uuid(),
    position: Type.Integer({ minimum: 0 }),
    ...questionFields,
    createdAt: dateTime(),
    updatedAt: dateTime(),
  },
  { additionalProperties: false, title: 'AuthoringQuestion' },
);
export type AuthoringQuestion = Static<typeof AuthoringQuestionSchema>;

export const QuestionListSchema = Type.Object(
  { data: Type.Array(AuthoringQuestionSchema, { description: 'In quiz order.' }) },
  { additionalProperties: false, title: 'QuizQuestionList' },
);

export const QuizSchema = Type.Object(
  {
    id: uuid(),
    courseId: uuid(),
    ...quizSettings,
    isPublished: Type.Boolean(),
    questionCount: Type.Integer({ minimum: 0 }),
    totalPoints: Type.Number({ minimum: 0 }),
    createdAt: dateTime(),
    updatedAt: dateTime(),
    questions: Type.Optional(
      Type.Array(AuthoringQuestionSchema, {
        description: 'Course staff only: the questions in order, with correct answers and explanations.',
      }),
    ),
  },
  { additionalProperties: false, title: 'Quiz' },
);
export type QuizView = Static<typeof QuizSchema>;

export const QuizListSchema = Type.Object(
  { data: Type.Array(QuizSchema, { description: 'In creation order (without questions).' }) },
  { additionalProperties: false, title: 'QuizList' },
);

// ---------------------------------------------------------------------------------------------
// Attempts

/** A question as a student taking it sees it: no correct answer, no explanation. */
const AttemptQuestionSchema = Type.Object(
  {
    id: uuid(),
    type: questionFields.type,
    prompt: questionFields.prompt,
    difficulty: questionFields.difficulty,
    points: questionFields.points,
    options: Type.Array(OptionSchema, { description: 'In this attempt’s order.' }),
  },
  { additionalProperties: false },
);

const QuestionResultSchema = Type.Object(
  {
    questionId: uuid(),
    points: Type.Number({ minimum: 0 }),
    maxPoints: Type.Number({ minimum: 0 }),
    correct: nullable(Type.Boolean(), 'Null while an essay awaits grading.'),
    needsReview: Type.Boolean(),
    feedback: nullable(Type.String()),
    correctAnswer: CorrectAnswerSchema,
    explanation: nullable(Type.String()),
  },
  { additionalProperties: false },
);

export const AttemptSchema = Type.Object(
  {
    id: uuid(),
    quizId: uuid(),
    userId: uuid(),
    attemptNumber: Type.Integer({ minimum: 1 }),
    status: Type.Enum(['open', 'submitted'] as const),
    startedAt: dateTime(),
    deadlineAt: nullable(dateTime(), 'Saves are refused a few seconds after it; null: no deadline.'),
    submittedAt: nullable(dateTime()),
    autoSubmitted: Type.Boolean({
      description: 'Submitted by the server at the deadline with the saved answers.',
    }),
    answersSequence: Type.Integer({ minimum: 0, description: 'The sequence number of the saved answers.' }),
    answers: AnswersSchema,
    gradingStatus: Type.Enum(gradingStatusEnum.enumValues),
    score: nullable(Type.Number({ minimum: 0 })),
    maxScore: nullable(Type.Number({ minimum: 0 })),
    scorePercent: nullable(Type.Number({ minimum: 0, maximum: 100 })),
    passed: nullable(Type.Boolean(), 'Null for surveys and until every question is graded.'),
    feedback: nullable(Type.String()),
    questions: Type.Array(AttemptQuestionSchema, { description: 'In this attempt’s order.' }),
    results: nullable(
      Type.Array(QuestionResultSchema),
      'Per-question results: for course staff always; for the student once submitted and only when the quiz shows correct answers (and showCorrectAnswersAt has passed).',
    ),
  },
  { additionalProperties: false, title: 'QuizAttempt' },
);
export type AttemptView = Static<typeof AttemptSchema>;

/** An attempt in a list: its facts without questions and answers. */
export const AttemptSummarySchema = Type.Object(
  {
    id: uuid(),
    quizId: uuid(),
    userId: uuid(),
    attemptNumber: Type.Integer({ minimum: 1 }),
    status: Type.Enum(['open', 'submitted'] as const),
    startedAt: dateTime(),
    deadlineAt: nullable(dateTime()),
    submittedAt: nullable(dateTime()),
    autoSubmitted: Type.Boolean(),
    gradingStatus: Type.Enum(gradingStatusEnum.enumValues),
    score: nullable(Type.Number({ minimum: 0 })),
    maxScore: nullable(Type.Number({ minimum: 0 })),
    scorePercent: nullable(Type.Number({ minimum: 0, maximum: 100 })),
    passed: nullable(Type.Boolean()),
  },
  { additionalProperties: false, title: 'QuizAttemptSummary' },
);
export type AttemptSummary = Static<typeof AttemptSummarySchema>;
export const AttemptPageSchema = PageSchema(AttemptSummarySchema, 'QuizAttemptPage');

export const AttemptsQuery = Type.Object({ ...PaginationQuery }, { additionalProperties: false });

export const SaveAnswersBody = Type.Object(
  {
    sequence: Type.Integer({
      minimum: 1,
      maximum: Number.MAX_SAFE_INTEGER,
      description:
        'Rises with every save of the client: a save with a sequence not above the stored one is refused (409 stale_answers).',
    }),
    answers: AnswersSchema,
  },
  { additionalProperties: false },
);
export type SaveAnswersInput = Static<typeof SaveAnswersBody>;

export const GradeAttemptBody = Type.Object(
  {
    questions: Type.Array(
      Type.Object(
        {
          questionId: uuid(),
          points: Type.Number({ minimum: 0, maximum: 10_000, multipleOf: 0.01 }),
          feedback: Type.Optional(nullable(Type.String({ maxLength: 10_000 }))),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: MAX_QUESTIONS_PER_QUIZ },
    ),
    feedback: Type.Optional(nullable(Type.String({ maxLength: 10_000 }), 'Overall feedback to the student.')),
  },
  { additionalProperties: false },
);
export type GradeAttemptInput = Static<typeof GradeAttemptBody>;

// ---------------------------------------------------------------------------------------------
// Statistics

export const QuizStatisticsSchema = Type.Object(
  {
    quizId: uuid(),
    attempts: Type.Integer({ minimum: 0, description: 'Submitted attempts.' }),
    averageScorePercent: nullable(Type.Number()),
    medianScorePercent: nullable(Type.Number()),
    questions: Type.Array(
      Type.Object(
        {
          questionId: uuid(),
          position: Type.Integer({ minimum: 0 }),
          type: questionFields.type,
          answered: Type.Integer({ minimum: 0, description: 'Attempts that graded this question.' }),
          correctRate: nullable(
            Type.Number({ minimum: 0, maximum: 1 }),
            'Share fully correct; null for essays.',
          ),
          averagePoints: nullable(Type.Number()),
          discriminationIndex: nullable(
            Type.Number({ minimum: -1, maximum: 1 }),
            'Mean share of the points in the upper 27% of attempts (by score) minus that in the lower 27%.',
          ),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false, title: 'QuizStatistics' },
);
export type QuizStatistics = Static<typeof QuizStatisticsSchema>;

// ---------------------------------------------------------------------------------------------
// Params

export const CourseParams = Type.Object({ id: uuid('Course id.') });
export const QuizParams = Type.Object({ id: uuid('Quiz id.') });
export const QuestionParams = Type.Object({ id: uuid('Question id.') });
export const AttemptParams = Type.Object({ id: uuid('Attempt id.') });

export const DeletedSchema = Type.Null({ description: 'Deleted.' });
