/**
 * Quiz authoring by the course's staff: quizzes (every setting of the schema), their questions with
 * per-type validation, question order, publishing; and the quiz reads for staff and learners.
 *
 * Graded history is kept by refusing destructive edits: once a quiz has an attempt (open or
 * submitted), changing what grading depends on (the quiz's type or passing score; a question's type,
 * options, correct answer, points or matching flags; adding, deleting or reordering questions) is
 * 409 `quiz_has_attempts`. Wording (title, description, prompt, explanation, difficulty) and the
 * other settings stay editable. Every edit locks the quiz row, which a starting attempt also takes
 * (FOR KEY SHARE), so an edit and a start never interleave.
 */
import { and, eq, gt, sql } from 'drizzle-orm';
import type { Database } from '../../infrastructure/database/client/client.js';
import {
  type CorrectAnswer,
  lessons,
  type NewQuiz,
  type Question,
  type Quiz,
  questions,
  quizzes,
} from '../../infrastructure/database/schema/index.js';
import type { DomainEventBus, DomainEvents } from '../../infrastructure/events/domain-events.js';
import { type TransactionEvents, unitOfWork } from '../../infrastructure/events/unit-of-work.js';
import type { Actor } from '../../shared/actor.js';
import { AppError, type FieldError } from '../../shared/errors.js';
import type { Transaction } from '../../shared/transaction.js';
import { assertValidQuestion } from './question-rules.js';
import {
  authorizeCourseQuizWrite,
  authorizeQuizList,
  authorizeQuizRead,
  authorizeQuizWrite,
  courseNotFound,
  type QuizFacts,
  questionNotFound,
  quizNotFound,
} from './quiz-access.js';
import { toAuthoringQuestion, toQuizView } from './quiz-views.js';
import {
  bumpQuizVersion,
  nextQuizVersion,
  quizHasAttempts,
  selectCourseFacts,
  selectCourseQuizzes,
  selectQuestions,
  selectQuestionTotals,
  selectQuizFacts,
  selectQuizIdOfQuestion,
} from './quizzes.queries.js';
import {
  type AuthoringQuestion,
  type CreateQuestionInput,
  type CreateQuizInput,
  MAX_QUESTIONS_PER_QUIZ,
  type QuizView,
  type UpdateQuestionInput,
  type UpdateQuizInput,
} from './quizzes.schemas.js';

export interface QuizzesServiceDependencies {
  db: Database;
  /** Every committed write publishes `quiz.changed` (the gradebook shows quizzes' settings and points). */
  events: DomainEventBus;
}

/** Where rows wait during a renumbering (positions are unique per quiz and checked row by row). */
const POSITION_OFFSET = 1_000_000;

const toDate = (value: string | null | undefined): Date | null | undefined =>
  value === undefined ? undefined : value === null ? null : new Date(value);

function hasAttemptsError(what: string): AppError {
  return new AppError(
    'quiz_has_attempts',
    `The quiz has attempts: ${what} would change how they were graded. Wording can still be fixed; for other changes create a new quiz.`,
  );
}

const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** The quiz columns a create or update sets (undefined: not given). */
function quizColumns(input: UpdateQuizInput): Partial<NewQuiz> {
  const columns: Partial<NewQuiz> = {
    title: input.title?.trim(),
    description: input.description,
    type: input.type,
    lessonId: input.lessonId,
    timeLimitMinutes: input.timeLimitMinutes,
    maxAttempts: input.maxAttempts,
    passingScore: input.passingScore,
    shuffleQuestions: input.shuffleQuestions,
    shuffleOptions: input.shuffleOptions,
    showCorrectAnswers: input.showCorrectAnswers,
    showCorrectAnswersAt: toDate(input.showCorrectAnswersAt),
    scorePolicy: input.scorePolicy,
    isRequired: input.isRequired,
    availableFrom: toDate(input.availableFrom),
    availableUntil: toDate(input.availableUntil),
  };
  return Object.fromEntries(Object.entries(columns).filter(([, value]) => value !== undefined));
}

/** Cross-field checks of the settings as they will be (the schema checks each field). */
async function assertValidSettings(tx: Transaction, courseId: string, settings: Partial<NewQuiz>) {
  const errors: FieldError[] = [];
  const { availableFrom, availableUntil } = settings;
  if (availableFrom && availableUntil && availableUntil <= availableFrom) {
    errors.push({ field: '/body/availableUntil', message: 'must be after availableFrom' });
  }
  if (settings.lessonId) {
    const [lesson] = await tx
      .select({ id: lessons.id })
      .from(lessons)
      .where(and(eq(lessons.id, settings.lessonId), eq(lessons.courseId, courseId)));
    if (!lesson) errors.push({ field: '/body/lessonId', message: 'is not a lesson of this course' });
  }
  if (errors.length > 0) {
    throw new AppError('validation_failed', 'The quiz settings are not valid.', { errors });
  }
}

interface QuestionState {
  type: Question['type'];
  prompt: string;
  difficulty: Question['difficulty'];
  options: Question['options'];
  correctAnswer: CorrectAnswer;
  explanation: string | null;
  points: number;
  caseSensitive: boolean;
  normalizeWhitespace: boolean;
  partialCredit: boolean;
}

function questionState(current: QuestionState | undefined, input: UpdateQuestionInput): QuestionState {
  const type = input.type ?? current?.type;
  if (type === undefined) throw new Error('questionState: a new question has a type');
  return {
    type,
    prompt: input.prompt?.trim() ?? current?.prompt ?? '',
    difficulty: input.difficulty ?? current?.difficulty ?? 'medium',
    options: input.options ?? current?.options ?? [],
    correctAnswer: input.correctAnswer !== undefined ? input.correctAnswer : (current?.correctAnswer ?? null),
    explanation: input.explanation !== undefined ? input.explanation : (current?.explanation ?? null),
    points: input.points ?? current?.points ?? 1,
    caseSensitive: input.caseSensitive ?? current?.caseSensitive ?? false,
    normalizeWhitespace: input.normalizeWhitespace ?? current?.normalizeWhitespace ?? true,
    partialCredit: input.partialCredit ?? current?.partialCredit ?? true,
  };
}

/** Fields whose change alters grading; wording (prompt, explanation, difficulty) is not among them. */
const GRADING_FIELDS = [
  'type',
  'options',
  'correctAnswer',
  'points',
  'caseSensitive',
  'normalizeWhitespace',
  'partialCredit',
] as const;

/** After the commit, for the gradebook: its columns show the quiz's settings and points. */
function quizChanged(changes: TransactionEvents<DomainEvents>, quiz: Pick<Quiz, 'id' | 'courseId'>): void {
  changes.publish('quiz.changed', { quizId: quiz.id, courseId: quiz.courseId });
}

export function createQuizzesService({ db, events }: QuizzesServiceDependencies) {
  async function viewOf(
    executor: Database | Transaction,
    quiz: Quiz,
    withQuestions: boolean,
  ): Promise<QuizView> {
    const totals = (await selectQuestionTotals(executor, [quiz.id])).get(quiz.id);
    return toQuizView(quiz, totals, withQuestions ? await selectQuestions(executor, quiz.id) : undefined);
  }

  /** The quiz locked for an edit by an author (404/403 as quiz-access says). */
  async function lockedForWrite(tx: Transaction, actor: Actor, quizId: string): Promise<QuizFacts> {
    const facts = await selectQuizFacts(tx, quizId, actor.id, true);
    if (!facts) throw quizNotFound();
    authorizeQuizWrite(actor, facts);
    return facts;
  }

  /** The question's quiz locked for an edit, and the question as it is under that lock. */
  async function lockedQuestion(tx: Transaction, actor: Actor, questionId: string) {
    const quizId = await selectQuizIdOfQuestion(tx, questionId);
    if (!quizId) throw questionNotFound();
    const facts = await selectQuizFacts(tx, quizId, actor.id, true);
    if (!facts) throw questionNotFound();
    try {
      authorizeQuizWrite(actor, facts);
    } catch (error) {
      if (error instanceof AppError && error.code === 'not_found') throw questionNotFound();
      throw error;
    }
    const [question] = await tx.select().from(questions).where(eq(questions.id, questionId));
    if (!question) throw questionNotFound();
    return { facts, question };
  }

  /** Renumbers the quiz's questions 0..n-1 in `orderedIds` (two statements; caller holds the quiz lock). */
  async function renumber(tx: Transaction, quizId: string, orderedIds: string[]) {
    if (orderedIds.length === 0) return;
    await tx
      .update(questions)
      .set({ position: sql`${questions.position} + ${POSITION_OFFSET}` })
      .where(eq(questions.quizId, quizId));
    const targets = sql.join(
      orderedIds.map((id, position) => sql`(${id}::uuid, ${position}::integer)`),
      sql`, `,
    );
    await tx.execute(sql`
      UPDATE questions SET position = target.position, updated_at = now()
        FROM (VALUES ${targets}) AS target (id, position)
       WHERE questions.id = target.id AND questions.quiz_id = ${quizId}::uuid`);
  }

  return {
    async create(actor: Actor, courseId: string, input: CreateQuizInput): Promise<QuizView> {
      return unitOfWork(db, events, async (tx, changes) => {
        const facts = await selectCourseFacts(tx, courseId, actor.id);
        if (!facts) throw courseNotFound();
        authorizeCourseQuizWrite(actor, facts);
        const columns = quizColumns(input);
        await assertValidSettings(tx, courseId, columns);
        const [quiz] = await tx
          .insert(quizzes)
          .values({ ...columns, title: input.title.trim(), courseId })
          .returning();
        // A new quiz is a draft, no gradebook column yet; the event still means "any committed write".
        quizChanged(changes, quiz as Quiz);
        return viewOf(tx, quiz as Quiz, true);
      });
    },

    /** Staff: everything, questions with answers. Learners: the settings and counts, no questions. */
    async get(actor: Actor, quizId: string): Promise<QuizView> {
      const facts = await selectQuizFacts(db, quizId, actor.id);
      if (!facts) throw quizNotFound();
      const as = authorizeQuizRead(actor, facts);
      return viewOf(db, facts.quiz, as === 'staff');
    },

    async list(actor: Actor, courseId: string): Promise<{ data: QuizView[] }> {
      const facts = await selectCourseFacts(db, courseId, actor.id);
      if (!facts) throw courseNotFound();
      const as = authorizeQuizList(actor, facts);
      const rows = await selectCourseQuizzes(db, courseId, as === 'learner');
      const totals = await selectQuestionTotals(
        db,
        rows.map((row) => row.id),
      );
      return { data: rows.map((quiz) => toQuizView(quiz, totals.get(quiz.id))) };
    },

    async update(actor: Actor, quizId: string, input: UpdateQuizInput): Promise<QuizView> {
      return unitOfWork(db, events, async (tx, changes) => {
        const { quiz } = await lockedForWrite(tx, actor, quizId);
        const columns = quizColumns(input);
        const changesGrading =
          (columns.type !== undefined && columns.type !== quiz.type) ||
          (columns.passingScore !== undefined && columns.passingScore !== quiz.passingScore);
        if (changesGrading && (await quizHasAttempts(tx, quizId))) {
          throw hasAttemptsError('changing its type or passing score');
        }
        await assertValidSettings(tx, quiz.courseId, {
          lessonId: columns.lessonId,
          availableFrom: columns.availableFrom !== undefined ? columns.availableFrom : quiz.availableFrom,
          availableUntil: columns.availableUntil !== undefined ? columns.availableUntil : quiz.availableUntil,
        });
        const [updated] = await tx
          .update(quizzes)
          .set({ ...columns, updatedAt: nextQuizVersion })
          .where(eq(quizzes.id, quizId))
          .returning();
        quizChanged(changes, quiz);
        return viewOf(tx, updated as Quiz, true);
      });
    },

    /** Refused once attempts exist (they keep their quiz: the foreign key is RESTRICT); unpublish instead. */
    async remove(actor: Actor, quizId: string): Promise<void> {
      await unitOfWork(db, events, async (tx, changes) => {
        const { quiz } = await lockedForWrite(tx, actor, quizId);
        if (await quizHasAttempts(tx, quizId)) {
          throw new AppError(
            'quiz_has_attempts',
            'The quiz has attempts, which keep their quiz: unpublish it instead of deleting it.',
          );
        }
        await tx.delete(quizzes).where(eq(quizzes.id, quizId));
        quizChanged(changes, quiz);
      });
    },

    async addQuestion(actor: Actor, quizId: string, input: CreateQuestionInput): Promise<AuthoringQuestion> {
      return unitOfWork(db, events, async (tx, changes) => {
        const { quiz } = await lockedForWrite(tx, actor, quizId);
        const state = questionState(undefined, input);
        assertValidQuestion(state);
        if (await quizHasAttempts(tx, quizId)) throw hasAttemptsError('adding a question');
        const [{ n } = { n: 0 }] = await tx
          .select({ n: sql<number>`count(*)::int` })
          .from(questions)
          .where(eq(questions.quizId, quizId));
        if (n >= MAX_QUESTIONS_PER_QUIZ) {
          throw new AppError('invalid_question', `A quiz holds at most ${MAX_QUESTIONS_PER_QUIZ} questions.`);
        }
        const [question] = await tx
          .insert(questions)
          .values({ ...state, quizId, position: n })
          .returning();
        await bumpQuizVersion(tx, quizId);
        quizChanged(changes, quiz);
        return toAuthoringQuestion(question as Question);
      });
    },

    async updateQuestion(
      actor: Actor,
      questionId: string,
      input: UpdateQuestionInput,
    ): Promise<AuthoringQuestion> {
      return unitOfWork(db, events, async (tx, changes) => {
        const { facts, question } = await lockedQuestion(tx, actor, questionId);
        const current = questionState(
          { ...question, points: Number(question.points), correctAnswer: question.correctAnswer ?? null },
          {},
        );
        const next = questionState(current, input);
        assertValidQuestion(next);
        const changed = GRADING_FIELDS.filter((field) => !sameJson(current[field], next[field]));
        if (changed.length > 0 && (await quizHasAttempts(tx, question.quizId))) {
          throw hasAttemptsError(`changing ${changed.join(', ')}`);
        }
        const [updated] = await tx
          .update(questions)
          .set({ ...next, updatedAt: new Date() })
          .where(eq(questions.id, questionId))
          .returning();
        await bumpQuizVersion(tx, question.quizId);
        quizChanged(changes, facts.quiz);
        return toAuthoringQuestion(updated as Question);
      });
    },

    async removeQuestion(actor: Actor, questionId: string): Promise<void> {
      await unitOfWork(db, events, async (tx, changes) => {
        const { facts, question } = await lockedQuestion(tx, actor, questionId);
        if (await quizHasAttempts(tx, question.quizId)) throw hasAttemptsError('deleting a question');
        await tx.delete(questions).where(eq(questions.id, questionId));
        await bumpQuizVersion(tx, question.quizId);
        quizChanged(changes, facts.quiz);
        const rest = await tx
          .select({ id: questions.id })
          .from(questions)
          .where(and(eq(questions.quizId, question.quizId), gt(questions.position, question.position)));
        if (rest.length === 0) return;
        const remaining = await selectQuestions(tx, question.quizId);
        await renumber(
          tx,
          question.quizId,
          remaining.map((row) => row.id),
        );
      });
    },

    async reorderQuestions(
      actor: Actor,
      quizId: string,
      questionIds: string[],
    ): Promise<AuthoringQuestion[]> {
      return unitOfWork(db, events, async (tx, changes) => {
        const { quiz } = await lockedForWrite(tx, actor, quizId);
        const current = await selectQuestions(tx, quizId);
        const currentIds = new Set(current.map((row) => row.id));
        if (questionIds.length !== current.length || !questionIds.every((id) => currentIds.has(id))) {
          throw new AppError('validation_failed', 'List every question of the quiz exactly once.', {
            errors: [{ field: '/body/questionIds', message: 'must be the quiz’s question ids, each once' }],
          });
        }
        const unchanged = current.every((row, index) => row.id === questionIds[index]);
        if (!unchanged) {
          if (await quizHasAttempts(tx, quizId)) throw hasAttemptsError('reordering its questions');
          await renumber(tx, quizId, questionIds);
          await bumpQuizVersion(tx, quizId);
          // The order shows in no gradebook cell; published because the event means "any write".
          quizChanged(changes, quiz);
        }
        return (await selectQuestions(tx, quizId)).map(toAuthoringQuestion);
      });
    },

    /** A quiz is published with at least one question, and (unless a survey) points to earn. */
    async setPublished(actor: Actor, quizId: string, published: boolean): Promise<QuizView> {
      return unitOfWork(db, events, async (tx, changes) => {
        const { quiz } = await lockedForWrite(tx, actor, quizId);
        if (published) {
          const totals = (await selectQuestionTotals(tx, [quizId])).get(quizId);
          if (!totals || totals.questionCount === 0) {
            throw new AppError('quiz_not_ready', 'Add at least one question before publishing the quiz.');
          }
          if (quiz.type !== 'survey' && totals.totalPoints <= 0) {
            throw new AppError('quiz_not_ready', 'A graded quiz needs questions worth some points.');
          }
        }
        const [updated] = await tx
          .update(quizzes)
          .set({ isPublished: published, updatedAt: nextQuizVersion })
          .where(eq(quizzes.id, quizId))
          .returning();
        quizChanged(changes, quiz);
        return viewOf(tx, updated as Quiz, true);
      });
    },
  };
}

export type QuizzesService = ReturnType<typeof createQuizzesService>;
