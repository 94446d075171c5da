import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quizSubmissions } from '../../src/infrastructure/database/schema/index.js';
import { insertCourse, insertEnrollment, insertUser, waitForCrontabs } from '../helpers/factories/index.js';
import { waitFor } from '../helpers/processes.js';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { attemptRow, insertQuizWith } from './quiz-fixtures.js';

describe('the quizzes.submit-overdue-attempts job', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await buildTestApp({ jobs: { workerEnabled: true, concurrency: 2, fetchBatchSize: 10 } });
    await testApp.app.ready();
  });

  afterAll(async () => {
    await testApp?.close();
  });

  it('is scheduled every minute, and the app’s worker submits overdue attempts with their saved answers', async () => {
    const { db } = testApp;
    // The worker records its schedule shortly after it starts, not before the app's `ready`.
    expect(await waitForCrontabs(db, ['quizzes.submit-overdue-attempts'])).toContain(
      'quizzes.submit-overdue-attempts',
    );

    const instructor = await insertUser(db, { role: 'instructor' });
    const student = await insertUser(db);
    const course = await insertCourse(db, instructor.id);
    const enrollment = await insertEnrollment(db, student.id, course.id);
    const { quiz, questions } = await insertQuizWith(db, course.id, { timeLimitMinutes: 5 });
    const [attempt] = await db
      .insert(quizSubmissions)
      .values({
        quizId: quiz.id,
        userId: student.id,
        enrollmentId: enrollment.id,
        startedAt: new Date(Date.now() - 10 * 60_000),
        deadlineAt: new Date(Date.now() - 5 * 60_000),
        questionOrder: questions.map((q) => ({ questionId: q.id, optionIds: q.options.map((o) => o.id) })),
        answers: { [questions[0]!.id]: 'b', [questions[3]!.id]: 'Paris' },
        answersSequence: 1,
      })
      .returning();
    await db.execute(sql`SELECT graphile_worker.add_job('quizzes.submit-overdue-attempts', '{}'::json)`);
    const submitted = await waitFor(
      'the sweep to submit the attempt',
      async () => {
        const row = await attemptRow(db, attempt!.id);
        return row.submittedAt === null ? undefined : row;
      },
      { timeoutMs: 15_000 },
    );
    expect(submitted).toMatchObject({
      autoSubmitted: true,
      gradingStatus: 'auto_graded',
      score: 6,
      maxScore: 10,
    });
  });
});
