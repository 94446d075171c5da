/**
 * Item analysis for course staff, computed by PostgreSQL in one statement from the submitted attempts'
 * scores and their per-question rows (quiz_item_results, written with the results at submission and
 * grading): no attempt is loaded into the application. Per quiz: the number of
 * submitted attempts, the average and median score percent. Per question: how many attempts graded
 * it, the share fully correct (essays awaiting review excluded), the average points, and the
 * discrimination index: the mean share of the question's points earned by the upper 27% of attempts
 * (ranked by score) minus that of the lower 27% (null with fewer than two attempts).
 */
import { sql } from 'drizzle-orm';
import type { Database } from '../../infrastructure/database/client/client.js';
import type { QuestionType } from '../../infrastructure/database/schema/index.js';
import type { Actor } from '../../shared/actor.js';
import { AppError } from '../../shared/errors.js';
import { isCourseStaff, quizNotFound } from './quiz-access.js';
import { selectQuizFacts } from './quizzes.queries.js';
import type { QuizStatistics } from './quizzes.schemas.js';

/** Share of the attempts in each of the upper and lower groups. */
export const DISCRIMINATION_GROUP_SHARE = 0.27;

interface StatisticsRow extends Record<string, unknown> {
  attempts: number;
  average: string | null;
  median: string | null;
  questions: {
    questionId: string;
    position: number;
    type: QuestionType;
    answered: number;
    correctRate: string | null;
    averagePoints: string | null;
    discriminationIndex: string | null;
  }[];
}

const rounded = (value: string | number | null, digits: number): number | null =>
  value === null ? null : Number(Number(value).toFixed(digits));

export async function selectQuizStatistics(db: Database, quizId: string): Promise<QuizStatistics> {
  // JIT compilation of this plan costs more (~20 ms here) than it saves on 10,000 attempts.
  const result = await db.transaction(async (tx) => {
    await tx.execute(sql`SET LOCAL jit = off`);
    // The rank joins the attempts' quiz_item_results rows as a subquery, not a CTE: the planner then
    // knows its id is unique and hashes the 10,000 attempts rather than the 200,000 item rows (which
    // spilled to disk and took ~85 ms). The totals come straight from the attempts.
    return tx.execute<StatisticsRow>(sql`
    WITH groups AS (
      SELECT count(*) AS n, ceil(count(*) * ${DISCRIMINATION_GROUP_SHARE}::numeric)::int AS k,
             avg(score_percent) AS average,
             percentile_cont(0.5) WITHIN GROUP (ORDER BY score_percent) AS median
        FROM quiz_submissions
       WHERE quiz_id = ${quizId}::uuid AND submitted_at IS NOT NULL),
    item AS (
      SELECT i.question_id, i.correct, i.points, i.points / nullif(i.max_points, 0) AS share,
             ranked.rn <= g.k AS upper, ranked.rn > g.n - g.k AS lower
        FROM quiz_item_results AS i
        JOIN (SELECT id, row_number() OVER (ORDER BY score DESC NULLS LAST, id) AS rn
                FROM quiz_submissions
               WHERE quiz_id = ${quizId}::uuid AND submitted_at IS NOT NULL) AS ranked
          ON ranked.id = i.submission_id
        CROSS JOIN groups AS g
       WHERE i.quiz_id = ${quizId}::uuid),
    per_question AS (
      SELECT question_id,
             count(*)::int AS answered,
             avg(CASE WHEN correct THEN 1.0 WHEN NOT correct THEN 0.0 END) AS correct_rate,
             avg(points) AS average_points,
             avg(share) FILTER (WHERE upper) - avg(share) FILTER (WHERE lower) AS discrimination
        FROM item
       GROUP BY question_id)
    SELECT g.n::int AS attempts, g.average, g.median,
           coalesce((SELECT json_agg(json_build_object(
                       'questionId', q.id, 'position', q.position, 'type', q.type,
                       'answered', coalesce(p.answered, 0), 'correctRate', p.correct_rate,
                       'averagePoints', p.average_points,
                       'discriminationIndex', CASE WHEN g.n >= 2 THEN p.discrimination END)
                       ORDER BY q.position)
                       FROM questions AS q LEFT JOIN per_question AS p ON p.question_id = q.id
                      WHERE q.quiz_id = ${quizId}::uuid), '[]'::json) AS questions
      FROM groups AS g`);
  });
  const row = result.rows[0] as StatisticsRow;
  return {
    quizId,
    attempts: row.attempts,
    averageScorePercent: rounded(row.average, 2),
    medianScorePercent: rounded(row.median, 2),
    questions: row.questions.map((question) => ({
      questionId: question.questionId,
      position: question.position,
      type: question.type,
      answered: question.answered,
      correctRate: rounded(question.correctRate, 4),
      averagePoints: rounded(question.averagePoints, 2),
      discriminationIndex: rounded(question.discriminationIndex, 4),
    })),
  };
}

export function createQuizStatistics({ db }: { db: Database }) {
  return {
    /** Course staff only: 403 for whoever can see the quiz otherwise, 404 for a quiz they cannot see. */
    async get(actor: Actor, quizId: string): Promise<QuizStatistics> {
      const facts = await selectQuizFacts(db, quizId, actor.id);
      if (!facts) throw quizNotFound();
      if (!isCourseStaff(actor, facts)) {
        if (facts.courseStatus !== 'published' || !facts.quiz.isPublished) throw quizNotFound();
        throw new AppError('forbidden', 'Quiz statistics are for the course’s instructor and admins.');
      }
      return selectQuizStatistics(db, quizId);
    },
  };
}

export type QuizStatisticsService = ReturnType<typeof createQuizStatistics>;
