import type pg from 'pg';

export type CheckStatus = 'ok' | 'unavailable';

export interface ReadinessReport {
  ready: boolean;
  checks: { database: CheckStatus };
}

export interface HealthServiceOptions {
  /** Longest a readiness probe waits for the database before reporting it unavailable (ms). */
  timeoutMs?: number;
  onFailure?: (error: unknown) => void;
}

export class HealthCheckTimeoutError extends Error {
  override name = 'HealthCheckTimeoutError';
}

async function withTimeout<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new HealthCheckTimeoutError(`no answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    // The losing promise's rejection is still handled by Promise.race.
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function createHealthService(pool: Pick<pg.Pool, 'query'>, options: HealthServiceOptions = {}) {
  const timeoutMs = options.timeoutMs ?? 2_000;
  return {
    /** Can this instance serve requests: is the database reachable within `timeoutMs`? */
    async readiness(): Promise<ReadinessReport> {
      try {
        await withTimeout(pool.query('select 1'), timeoutMs);
        return { ready: true, checks: { database: 'ok' } };
      } catch (error) {
        options.onFailure?.(error);
        return { ready: false, checks: { database: 'unavailable' } };
      }
    },
  };
}

export type HealthService = ReturnType<typeof createHealthService>;
