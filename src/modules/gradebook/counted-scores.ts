/**
 * What counts of a student's work, as SQL shared by the gradebook and the completion rule, so both
 * always agree on a score (the column semantics are in assessments.schema.ts):
 * - a quiz attempt counts once it is submitted and graded (`auto_graded` or `graded`); an attempt
 *   still `needs_review` does not count yet. The quiz's `score_policy` picks the counted percent:
 *   the highest, the latest graded attempt's, or the average of the graded attempts;
 * - an assignment's counted score is its latest `graded` or `returned` attempt's grade less the late
 *   penalty fixed at submission: grade × (1 − penalty_percent / 100).
 * Surveys are ungraded: they never appear here.
 */
import { type SQL, sql } from 'drizzle-orm';

/** Quiz attempts that count for scores (alias `s` for quiz_submissions). */
export const COUNTED_QUIZ_ATTEMPT = sql`s.submitted_at IS NOT NULL AND s.grading_status IN ('auto_graded', 'graded')`;

/**
 * The counted percent (0..100; NULL when no attempt counts) of the quiz_submissions `s` aggregated
 * (by a GROUP BY, or a scalar subquery) for the quiz's `policy` column; attempts that do not count
 * are filtered out here, so the same rows can feed the other aggregates of a gradebook cell.
 */
export function countedQuizPercent(policy: SQL): SQL {
  const counted = sql`FILTER (WHERE ${COUNTED_QUIZ_ATTEMPT})`;
  return sql`round(CASE ${policy}
                 WHEN 'highest' THEN max(s.score_percent) ${counted}
                 WHEN 'average' THEN avg(s.score_percent) ${counted}
                 ELSE (array_agg(s.score_percent ORDER BY s.attempt_number DESC) ${counted})[1] END, 2)`;
}

/** Assignment attempts whose grade counts (alias `s` for assignment_submissions). */
export const COUNTED_ASSIGNMENT_ATTEMPT = sql`s.grading_status IN ('graded', 'returned') AND s.grade IS NOT NULL`;

/**
 * The counted points (NULL when no attempt counts) of the assignment_submissions `s` aggregated: the
 * latest graded or returned attempt's grade, less its late penalty.
 */
export const COUNTED_ASSIGNMENT_POINTS = sql`round((array_agg(s.grade * (1 - s.penalty_percent / 100)
                                                     ORDER BY s.attempt_number DESC)
                                           FILTER (WHERE ${COUNTED_ASSIGNMENT_ATTEMPT}))[1], 2)`;

/** A quiz's points possible now: the sum of its questions' points (alias `q` for quizzes). */
export const QUIZ_MAX_POINTS = sql`(SELECT coalesce(sum(qq.points), 0) FROM questions AS qq WHERE qq.quiz_id = q.id)`;
