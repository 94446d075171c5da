import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import type { Journal } from '../../src/infrastructure/database/migrations/migration-files.js';
import { runMigrations } from '../../src/infrastructure/database/migrations/migrator.js';
import { copyMigrations, type MigrationsCopy } from '../helpers/migration-copies.js';
import { createEmptyDatabase, createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const TAG = '0006_quiz_item_results';

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A user, a course, a quiz with two questions: the ids. */
async function insertQuiz(client: pg.Client) {
  const { rows } = await client.query<{ user_id: string; quiz_id: string; q1: string; q2: string }>(`
    WITH u AS (INSERT INTO users (email, password_hash, name, role)
               VALUES ('backfill-' || gen_random_uuid() || '@example.test', 'x', 'Backfill', 'student') RETURNING id),
         c AS (INSERT INTO courses (slug, title, instructor_id)
               SELECT 'backfill-' || gen_random_uuid(), 'Backfill', id FROM u RETURNING id),
         qz AS (INSERT INTO quizzes (course_id, title) SELECT id, 'Backfill quiz' FROM c RETURNING id),
         q AS (INSERT INTO questions (quiz_id, type, prompt, correct_answer, position, points)
               SELECT qz.id, t.type::question_type, 'Q', t.answer::jsonb, t.position, t.points
                 FROM qz, (VALUES ('true_false', 'true', 0, 2), ('essay', NULL, 1, 8)) AS t(type, answer, position, points)
               RETURNING id, position)
    SELECT (SELECT id FROM u) AS user_id, (SELECT id FROM qz) AS quiz_id,
           (SELECT id FROM q WHERE position = 0) AS q1, (SELECT id FROM q WHERE position = 1) AS q2`);
  return rows[0]!;
}

const itemRows = (client: pg.Client, submissionId: string) =>
  client
    .query(
      `SELECT quiz_id, question_id, points, max_points, correct FROM quiz_item_results
        WHERE submission_id = $1 ORDER BY max_points`,
      [submissionId],
    )
    .then((result) => result.rows);

describe('migration 0006 (quiz_item_results)', () => {
  let database: TestDatabase | undefined;
  let fixture: MigrationsCopy | undefined;
  afterEach(async () => {
    fixture?.remove();
    fixture = undefined;
    await database?.drop();
    database = undefined;
  });

  it('backfills one row per question of every submitted attempt from its results, none for open ones', async () => {
    database = await createEmptyDatabase();
    // The migrations as they were before 0006.
    fixture = copyMigrations();
    const journalPath = path.join(fixture.dir, 'meta', '_journal.json');
    const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as Journal;
    const index = journal.entries.findIndex((entry) => entry.tag === TAG);
    expect(index).toBeGreaterThan(0);
    for (const entry of journal.entries.slice(index)) rmSync(path.join(fixture.dir, `${entry.tag}.sql`));
    journal.entries = journal.entries.slice(0, index);
    writeFileSync(journalPath, JSON.stringify(journal, null, 2));
    await runMigrations({ databaseUrl: database.url, migrationsDir: fixture.dir });

    const { submitted, open, ids } = await withClient(database.url, async (client) => {
      const ids = await insertQuiz(client);
      const results = {
        [ids.q1]: { points: 1.33, maxPoints: 2, correct: false, needsReview: false },
        [ids.q2]: { points: 0, maxPoints: 8, correct: null, needsReview: true },
      };
      const inserted = await client.query<{ id: string }>(
        `INSERT INTO quiz_submissions (quiz_id, user_id, attempt_number, started_at, submitted_at, score, max_score,
                                       score_percent, grading_status, results)
         VALUES ($1, $2, 1, now() - interval '1 hour', now(), 1.33, 10, 13.3, 'needs_review', $3),
                ($1, $2, 2, now(), NULL, NULL, NULL, NULL, 'pending', '{}')
         RETURNING id`,
        [ids.quiz_id, ids.user_id, JSON.stringify(results)],
      );
      return { submitted: inserted.rows[0]!.id, open: inserted.rows[1]!.id, ids };
    });

    const result = await runMigrations({ databaseUrl: database.url });
    expect(result.applied.map((migration) => migration.tag)).toEqual([TAG]);
    await withClient(database.url, async (client) => {
      expect(await itemRows(client, submitted)).toEqual([
        { quiz_id: ids.quiz_id, question_id: ids.q1, points: 1.33, max_points: 2, correct: false },
        { quiz_id: ids.quiz_id, question_id: ids.q2, points: 0, max_points: 8, correct: null },
      ]);
      expect(await itemRows(client, open)).toEqual([]);
    });
  });

  it('the rows go with their attempt, and points above the maximum are refused', async () => {
    database = await createTestDatabase();
    await withClient(database.url, async (client) => {
      const ids = await insertQuiz(client);
      const { rows } = await client.query<{ id: string }>(
        `INSERT INTO quiz_submissions (quiz_id, user_id, started_at, submitted_at, grading_status, score, max_score)
         VALUES ($1, $2, now() - interval '1 hour', now(), 'auto_graded', 2, 10) RETURNING id`,
        [ids.quiz_id, ids.user_id],
      );
      const submission = rows[0]!.id;
      const insert = (points: number, maxPoints: number) =>
        client.query(
          `INSERT INTO quiz_item_results (submission_id, quiz_id, question_id, points, max_points, correct)
           VALUES ($1, $2, $3, $4, $5, true)`,
          [submission, ids.quiz_id, ids.q1, points, maxPoints],
        );
      await expect(insert(2.5, 2)).rejects.toMatchObject({
        constraint: 'quiz_item_results_points_max_check',
      });
      await expect(insert(-1, 2)).rejects.toMatchObject({ constraint: 'quiz_item_results_points_check' });
      await insert(2, 2);
      expect(await itemRows(client, submission)).toHaveLength(1);
      await client.query('DELETE FROM quiz_submissions WHERE id = $1', [submission]);
      expect(await itemRows(client, submission)).toEqual([]);
    });
  });
});
