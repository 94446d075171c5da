import { spawnSync } from 'node:child_process';
import { Redis } from 'ioredis';

/**
 * What a suite needs beyond Node.js and PostgreSQL, and what happens when it is missing.
 *
 * Locally a suite (or test) whose requirement is missing is skipped, and says so in ONE line: what was
 * not tested and how to enable it. With `REQUIRE_ALL_SUITES=1` (set by `.ci/run`) a missing requirement
 * fails the test file instead, so CI can never pass with cache, rollback or backup tests silently skipped.
 *
 * Call it once at the top of the test file (top-level await) and pass `available` to `describe.skipIf` /
 * `it.skipIf` (negated), and `title(...)` as the title so the skip reason is also in the report.
 */
export interface SuiteRequirement {
  /** The requirement is met: run the tests. */
  available: boolean;
  /** The title as given when available, else with "(skipped: …)" appended. */
  title(title: string): string;
}

export type Requirement = 'redis' | 'redis-server' | 'psql' | 'pg_dump';

const HOW_TO_ENABLE: Record<Requirement, string> = {
  redis:
    'start Redis (e.g. `redis-server --daemonize yes --port 6379 --save ""`) and set TEST_REDIS_URL=redis://127.0.0.1:6379',
  'redis-server': 'install Redis so that `redis-server` is on PATH (Debian: apt-get install redis-server)',
  psql: 'install the PostgreSQL client tools so that `psql` is on PATH (Debian: apt-get install postgresql-client)',
  pg_dump:
    'install the PostgreSQL client tools so that `pg_dump` is on PATH (Debian: apt-get install postgresql-client)',
};

/** Whether missing requirements fail the run (CI) instead of skipping (a developer's machine). */
export function requireAllSuites(): boolean {
  return process.env.REQUIRE_ALL_SUITES === '1' || process.env.REQUIRE_ALL_SUITES === 'true';
}

/**
 * The one decision point: `reason` undefined means available. Missing: throws under REQUIRE_ALL_SUITES
 * (vitest then fails the file), else prints the one line and returns a skipping requirement.
 */
export function settleRequirement(
  requirement: Requirement,
  untested: string,
  reason: string | undefined,
): SuiteRequirement {
  if (reason === undefined) return { available: true, title: (title) => title };
  const enable = HOW_TO_ENABLE[requirement];
  if (requireAllSuites()) {
    throw new Error(
      `REQUIRE_ALL_SUITES=1: ${untested} cannot run: ${reason}. Refusing to skip it; ${enable}.`,
    );
  }
  console.warn(`[suite skipped] ${untested} NOT tested: ${reason}. To run it: ${enable}.`);
  return { available: false, title: (title) => `${title} (skipped: ${reason})` };
}

/** Whether `command --version` runs; the reason it does not otherwise. */
function commandMissing(command: string): string | undefined {
  const result = spawnSync(command, ['--version'], { stdio: 'ignore' });
  if (result.status === 0) return undefined;
  return result.error ? `no \`${command}\` on PATH` : `\`${command} --version\` exited ${result.status}`;
}

/** A suite that runs `psql`, `pg_dump` or `redis-server` itself. */
export function requireCommand(
  command: 'psql' | 'pg_dump' | 'redis-server',
  untested: string,
): SuiteRequirement {
  return settleRequirement(command, untested, commandMissing(command));
}

function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(not a URL)';
  }
}

/** Why no Redis answers PING at `url` within `timeoutMs`, or undefined when one does. */
export async function redisUnreachable(url: string, timeoutMs = 2_000): Promise<string | undefined> {
  const redis = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: timeoutMs,
  });
  redis.on('error', () => {});
  let timer: NodeJS.Timeout | undefined;
  try {
    const answer = await Promise.race([
      redis.connect().then(() => redis.ping()),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return answer === 'PONG' ? undefined : `PING answered ${String(answer)}`;
  } catch (error) {
    return `no Redis answers at TEST_REDIS_URL=${withoutPassword(url)} (${(error as Error).message})`;
  } finally {
    clearTimeout(timer);
    redis.disconnect();
  }
}

/** A suite that needs the Redis server of TEST_REDIS_URL, reachable. */
export async function requireRedis(untested: string): Promise<SuiteRequirement> {
  const url = process.env.TEST_REDIS_URL;
  const reason = url ? await redisUnreachable(url) : 'TEST_REDIS_URL is not set';
  return settleRequirement('redis', untested, reason);
}
