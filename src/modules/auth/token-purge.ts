import { sql } from 'drizzle-orm';
import type { Database } from '../../infrastructure/database/client/client.js';
import { passwordResetTokens, refreshTokens } from '../../infrastructure/database/schema/index.js';

export interface TokenPurgeOptions {
  /** Days a token is kept after its expiry (EXPIRED_TOKEN_RETENTION_DAYS). */
  retentionDays: number;
  /** Rows per DELETE: each statement holds its row locks only that long. */
  batchSize?: number;
  /** Stops between batches when aborted (worker shutdown); the next run continues. */
  signal?: AbortSignal;
}

export interface TokenPurgeResult {
  refreshTokens: number;
  passwordResetTokens: number;
}

export const TOKEN_PURGE_BATCH_SIZE = 1_000;

/**
 * The auth module's scheduled clean-up (the hourly `auth.purge-expired-tokens` job, src/jobs.ts):
 * refresh and password-reset tokens whose expiry is more than `retentionDays` ago can never be used
 * again and are deleted, in batches of `batchSize` rows, each batch its own short statement, so the
 * purge never holds many locks and sign-ins go on meanwhile. Within the retention an expired (or
 * revoked) token is still recognised: a copied refresh token presented again still revokes its family.
 * Rows that have not expired are never touched, whatever their state.
 */
export async function purgeExpiredTokens(
  db: Database,
  options: TokenPurgeOptions,
): Promise<TokenPurgeResult> {
  const batchSize = options.batchSize ?? TOKEN_PURGE_BATCH_SIZE;
  const cutoff = sql`now() - make_interval(days => ${options.retentionDays})`;

  async function purge(table: typeof refreshTokens | typeof passwordResetTokens): Promise<number> {
    let total = 0;
    for (;;) {
      if (options.signal?.aborted) return total;
      const result = await db.execute(sql`
        DELETE FROM ${table} WHERE ${table.id} IN (
          SELECT ${table.id} FROM ${table} WHERE ${table.expiresAt} < ${cutoff} LIMIT ${batchSize}
        )`);
      const deleted = result.rowCount ?? 0;
      total += deleted;
      if (deleted < batchSize) return total;
    }
  }

  return {
    refreshTokens: await purge(refreshTokens),
    passwordResetTokens: await purge(passwordResetTokens),
  };
}
