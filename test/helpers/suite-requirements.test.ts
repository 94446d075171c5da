import { afterEach, describe, expect, it, vi } from 'vitest';
import { redisUnreachable, settleRequirement } from './suite-requirements.js';

describe('suite requirements', () => {
  const saved = process.env.REQUIRE_ALL_SUITES;
  afterEach(() => {
    if (saved === undefined) delete process.env.REQUIRE_ALL_SUITES;
    else process.env.REQUIRE_ALL_SUITES = saved;
    vi.restoreAllMocks();
  });

  it('runs a suite whose requirement is met, under its own title', () => {
    const met = settleRequirement('psql', 'something', undefined);
    expect(met.available).toBe(true);
    expect(met.title('a title')).toBe('a title');
  });

  it('locally skips a suite whose requirement is missing, with one line saying what and how', () => {
    delete process.env.REQUIRE_ALL_SUITES;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const missing = settleRequirement('redis', 'the thing', 'TEST_REDIS_URL is not set');
    expect(missing.available).toBe(false);
    expect(missing.title('a title')).toBe('a title (skipped: TEST_REDIS_URL is not set)');
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toMatch(
      /^\[suite skipped\] the thing NOT tested: TEST_REDIS_URL is not set\. To run it: .*TEST_REDIS_URL=redis:\/\/127\.0\.0\.1:6379\.$/,
    );
  });

  it('fails instead of skipping under REQUIRE_ALL_SUITES=1', () => {
    process.env.REQUIRE_ALL_SUITES = '1';
    expect(() => settleRequirement('pg_dump', 'db:backup', 'no `pg_dump` on PATH')).toThrow(
      /^REQUIRE_ALL_SUITES=1: db:backup cannot run: no `pg_dump` on PATH\. Refusing to skip it; install/,
    );
  });

  it('finds no Redis where none listens, without showing a password', async () => {
    expect(await redisUnreachable('redis://:secret-password@127.0.0.1:1', 1_000)).toMatch(
      /^no Redis answers at TEST_REDIS_URL=redis:\/\/:\*\*\*@127\.0\.0\.1:1 /,
    );
  });
});
