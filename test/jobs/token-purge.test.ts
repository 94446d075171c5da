import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { passwordResetTokens, refreshTokens } from '../../src/infrastructure/database/schema/index.js';
import { purgeExpiredTokens } from '../../src/modules/auth/index.js';
import {
  insertPasswordResetToken,
  insertRefreshToken,
  insertUser,
  queuedJobs,
} from '../helpers/factories/index.js';
import { waitFor } from '../helpers/processes.js';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { useTestApp } from '../helpers/use-test-app.js';

const DAY = 86_400_000;
const daysFromNow = (days: number) => new Date(Date.now() + days * DAY);

async function remainingIds(db: TestApp['db']) {
  const refresh = await db.select({ id: refreshTokens.id }).from(refreshTokens);
  const reset = await db.select({ id: passwordResetTokens.id }).from(passwordResetTokens);
  return { refresh: refresh.map((r) => r.id).sort(), reset: reset.map((r) => r.id).sort() };
}

describe('purgeExpiredTokens', () => {
  const suite = useTestApp();

  it('deletes only tokens that expired longer ago than the retention, whatever else they are', async () => {
    const { db } = suite;
    await db.execute(sql`DELETE FROM refresh_tokens; DELETE FROM password_reset_tokens`);
    const user = await insertUser(db);
    const keptRefresh = [
      await insertRefreshToken(db, user.id, { expiresAt: daysFromNow(30) }),
      // Revoked or used but not expired: reuse detection still needs them.
      await insertRefreshToken(db, user.id, { expiresAt: daysFromNow(1), revokedReason: 'logout' }),
      await insertRefreshToken(db, user.id, { expiresAt: daysFromNow(1), usedAt: new Date() }),
      // Expired, but within the 7-day retention.
      await insertRefreshToken(db, user.id, { expiresAt: daysFromNow(-6.9), usedAt: daysFromNow(-7.5) }),
    ];
    await insertRefreshToken(db, user.id, { expiresAt: daysFromNow(-7.1) });
    await insertRefreshToken(db, user.id, { expiresAt: daysFromNow(-400), revokedReason: 'reuse_detected' });
    const keptReset = [
      await insertPasswordResetToken(db, user.id, { expiresAt: daysFromNow(0.01) }),
      await insertPasswordResetToken(db, user.id, { expiresAt: daysFromNow(-1), usedAt: daysFromNow(-1.01) }),
    ];
    await insertPasswordResetToken(db, user.id, { expiresAt: daysFromNow(-8), usedAt: daysFromNow(-8.01) });
    await insertPasswordResetToken(db, user.id, { expiresAt: daysFromNow(-30) });

    const purged = await purgeExpiredTokens(db, { retentionDays: 7 });
    expect(purged).toEqual({ refreshTokens: 2, passwordResetTokens: 2 });
    expect(await remainingIds(db)).toEqual({
      refresh: keptRefresh.map((t) => t.id).sort(),
      reset: keptReset.map((t) => t.id).sort(),
    });
    // Nothing left to do: a second run deletes nothing.
    expect(await purgeExpiredTokens(db, { retentionDays: 7 })).toEqual({
      refreshTokens: 0,
      passwordResetTokens: 0,
    });
  });

  it('deletes in batches until none is left, and a retention of 0 purges as soon as a token expires', async () => {
    const { db } = suite;
    await db.execute(sql`DELETE FROM refresh_tokens; DELETE FROM password_reset_tokens`);
    const user = await insertUser(db);
    for (let i = 0; i < 7; i++) await insertRefreshToken(db, user.id, { expiresAt: daysFromNow(-0.01) });
    const live = await insertRefreshToken(db, user.id, { expiresAt: daysFromNow(0.01) });
    expect(await purgeExpiredTokens(db, { retentionDays: 0, batchSize: 3 })).toEqual({
      refreshTokens: 7,
      passwordResetTokens: 0,
    });
    expect((await remainingIds(db)).refresh).toEqual([live.id]);
  });

  it('stops between batches once its signal is aborted (a worker shutting down)', async () => {
    const { db } = suite;
    await db.execute(sql`DELETE FROM refresh_tokens`);
    const user = await insertUser(db);
    for (let i = 0; i < 4; i++) await insertRefreshToken(db, user.id, { expiresAt: daysFromNow(-10) });
    const controller = new AbortController();
    controller.abort();
    expect(
      await purgeExpiredTokens(db, { retentionDays: 7, batchSize: 2, signal: controller.signal }),
    ).toEqual({
      refreshTokens: 0,
      passwordResetTokens: 0,
    });
    expect((await remainingIds(db)).refresh).toHaveLength(4);
  });
});

describe('the auth.purge-expired-tokens job', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await buildTestApp({
      jobs: { workerEnabled: true, concurrency: 2, fetchBatchSize: 10 },
      expiredTokenRetentionDays: 3,
    });
    await testApp.app.ready();
  });

  afterAll(async () => {
    await testApp?.close();
  });

  it('is scheduled hourly, and the app’s worker runs it with the configured retention', async () => {
    const { db } = testApp;
    const { rows } = await db.execute(
      sql`SELECT identifier FROM graphile_worker._private_known_crontabs ORDER BY identifier`,
    );
    expect(rows).toEqual([
      { identifier: 'auth.purge-expired-tokens' },
      { identifier: 'enrollments.expire' },
      { identifier: 'enrollments.purge-idempotency-keys' },
      { identifier: 'quizzes.submit-overdue-attempts' },
    ]);

    const user = await insertUser(db);
    const kept = await insertRefreshToken(db, user.id, { expiresAt: daysFromNow(-2) });
    await insertRefreshToken(db, user.id, { expiresAt: daysFromNow(-4) });
    await db.execute(sql`SELECT graphile_worker.add_job('auth.purge-expired-tokens', '{}'::json)`);
    await waitFor(
      'the purge job to complete',
      async () => ((await queuedJobs(db, 'auth.purge-expired-tokens')).length === 0 ? true : undefined),
      { timeoutMs: 15_000 },
    );
    expect((await remainingIds(db)).refresh).toEqual([kept.id]);
  });
});
