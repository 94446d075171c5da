/**
 * `Idempotency-Key` for POSTs that create enrollments: the first request with a key stores its
 * answer (status and body) in `idempotency_keys`, in the same transaction as its work; a retry with
 * the same key, by the same user, for the same operation gets exactly that answer again and does
 * nothing. The key reused for a different request (other path parameters or body) is 422
 * `idempotency_key_reused`. Only successful answers are stored: a refused request wrote nothing, so
 * its retry runs again (and may succeed once, say, the prerequisites are done). Keys live 24 hours.
 *
 * Concurrent requests with one key wait for each other on a transaction-level advisory lock derived
 * from (user, operation, key), so the second sees the first's committed answer instead of doing the
 * work twice.
 */
import { createHash } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { idempotencyKeys } from '../../infrastructure/database/schema/index.js';
import { AppError } from '../../shared/errors.js';
import type { Transaction } from '../../shared/transaction.js';

export const IDEMPOTENCY_KEY_TTL_HOURS = 24;

export interface IdempotentAnswer<T> {
  status: number;
  body: T;
}

export interface IdempotencyClaim {
  userId: string;
  scope: string;
  key: string;
  /** The significant parts of the request (path parameters and body), hashed into its fingerprint. */
  request: unknown;
}

function fingerprint(request: unknown): string {
  return createHash('sha256').update(JSON.stringify(request)).digest('hex');
}

/**
 * Runs `work` at most once per key: returns the stored answer when the key was used before for the
 * same request, else runs `work` and stores its answer (in the caller's transaction).
 */
export async function idempotent<T>(
  tx: Transaction,
  claim: IdempotencyClaim | undefined,
  work: () => Promise<IdempotentAnswer<T>>,
): Promise<IdempotentAnswer<T> & { replayed: boolean }> {
  if (claim === undefined) return { ...(await work()), replayed: false };
  const requestHash = fingerprint(claim.request);
  await tx.execute(
    sql`SELECT pg_advisory_xact_lock(hashtextextended(${`${claim.userId} ${claim.scope} ${claim.key}`}, 0))`,
  );
  const where = and(
    eq(idempotencyKeys.userId, claim.userId),
    eq(idempotencyKeys.scope, claim.scope),
    eq(idempotencyKeys.key, claim.key),
  );
  const [stored] = await tx.select().from(idempotencyKeys).where(where);
  if (stored && stored.expiresAt.getTime() > Date.now()) {
    if (stored.requestHash !== requestHash) {
      throw new AppError(
        'idempotency_key_reused',
        'This Idempotency-Key was already used for a different request; use a new key for a new request.',
      );
    }
    return { status: stored.statusCode, body: stored.response as T, replayed: true };
  }
  if (stored) await tx.delete(idempotencyKeys).where(where);
  const answer = await work();
  await tx.insert(idempotencyKeys).values({
    userId: claim.userId,
    scope: claim.scope,
    key: claim.key,
    requestHash,
    statusCode: answer.status,
    resourceId: (answer.body as { id?: string }).id ?? null,
    response: answer.body,
    expiresAt: sql`now() + make_interval(hours => ${IDEMPOTENCY_KEY_TTL_HOURS})`,
  });
  return { ...answer, replayed: false };
}
