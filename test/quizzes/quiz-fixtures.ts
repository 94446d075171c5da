import { asc, eq, sql } from 'drizzle-orm';
import type { Database } from '../../src/infrastructure/database/client/client.js';
import {
  type NewQuestion,
  type NewQuiz,
  type Question,
  type Quiz,
  type QuizSubmission,
  questions,
  quizItemResults,
  quizSubmissions,
  quizzes,
} from '../../src/infrastructure/database/schema/index.js';

/**
 * Quizzes for the quiz tests, written directly (the authoring endpoints have their own tests): a
 * published quiz with one question of each objective type unless `questions` says otherwise.
 */
export type QuestionSeed = Omit<NewQuestion, 'quizId' | 'position'>;

export const OBJECTIVE_QUESTIONS: QuestionSeed[] = [
  {
    type: 'multiple_choice',
    prompt: 'Which is a prime?',
    options: [
      { id: 'a', text: '4' },
      { id: 'b', text: '7' },
      { id: 'c', text: '9' },
    ],
    correctAnswer: 'b',
    explanation: '7 has no divisors but 1 and itself.',
    points: 2,
  },
  {
    type: 'multiple_select',
    prompt: 'Which are even?',
    options: [
      { id: 'a', text: '2' },
      { id: 'b', text: '3' },
      { id: 'c', text: '4' },
      { id: 'd', text: '6' },
    ],
    correctAnswer: ['a', 'c', 'd'],
    points: 3,
  },
  { type: 'true_false', prompt: 'The sky is green.', correctAnswer: false, points: 1 },
  { type: 'short_answer', prompt: 'Capital of France?', correctAnswer: ['Paris'], points: 4 },
];

export async function insertQuizWith(
  db: Database,
  courseId: string,
  settings: Partial<Omit<NewQuiz, 'courseId'>> = {},
  seeds: QuestionSeed[] = OBJECTIVE_QUESTIONS,
): Promise<{ quiz: Quiz; questions: Question[] }> {
  const [quiz] = await db
    .insert(quizzes)
    .values({ title: 'Fixture quiz', isPublished: true, ...settings, courseId })
    .returning();
  if (!quiz) throw new Error('insertQuizWith: no quiz row');
  const rows =
    seeds.length === 0
      ? []
      : await db
          .insert(questions)
          .values(seeds.map((seed, position) => ({ ...seed, quizId: quiz.id, position })))
          .returning();
  rows.sort((a, b) => a.position - b.position);
  return { quiz, questions: rows };
}

export async function attemptRow(db: Database, id: string): Promise<QuizSubmission> {
  const [row] = await db.select().from(quizSubmissions).where(eq(quizSubmissions.id, id));
  if (!row) throw new Error(`attemptRow: no attempt ${id}`);
  return row;
}

export function attemptRowsOf(db: Database, quizId: string): Promise<QuizSubmission[]> {
  return db.select().from(quizSubmissions).where(eq(quizSubmissions.quizId, quizId));
}

/** Moves an attempt's clock back: it started `minutesAgo` and its deadline passed `overdueSeconds` ago. */
export async function backdateAttempt(db: Database, id: string, minutesAgo: number, overdueSeconds: number) {
  const now = Date.now();
  await db
    .update(quizSubmissions)
    .set({
      startedAt: new Date(now - minutesAgo * 60_000),
      deadlineAt: new Date(now - overdueSeconds * 1000),
    })
    .where(eq(quizSubmissions.id, id));
}

/** An attempt's per-question rows (quiz_item_results), by question id. */
export async function itemRowsOf(db: Database, submissionId: string) {
  const rows = await db
    .select()
    .from(quizItemResults)
    .where(eq(quizItemResults.submissionId, submissionId))
    .orderBy(asc(quizItemResults.questionId));
  return Object.fromEntries(
    rows.map((row) => [
      row.questionId,
      { quizId: row.quizId, points: row.points, maxPoints: row.maxPoints, correct: row.correct },
    ]),
  );
}

/**
 * For attempts a test inserts as rows (not submitted through the application): their per-question rows
 * from their results, as migration 0006's backfill writes them.
 */
export async function insertItemRowsFromResults(db: Database, quizId: string): Promise<void> {
  await db.execute(sql`
    INSERT INTO quiz_item_results (submission_id, quiz_id, question_id, points, max_points, correct)
    SELECT s.id, s.quiz_id, r.key::uuid, (r.value->>'points')::float8, (r.value->>'maxPoints')::float8,
           (r.value->>'correct')::boolean
      FROM quiz_submissions AS s CROSS JOIN LATERAL jsonb_each(s.results) AS r
     WHERE s.quiz_id = ${quizId}::uuid AND s.submitted_at IS NOT NULL`);
}
