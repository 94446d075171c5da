import { beforeAll, describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../src/infrastructure/security/password.js';
import { insertUser, type TestUser, uniqueClientAddress } from '../helpers/factories/index.js';
import { useTestApp } from '../helpers/use-test-app.js';

/**
 * Account enumeration by timing: known and unknown addresses must take the same time on the
 * password reset and login endpoints. Samples are interleaved (known, unknown, unknown, known, ...)
 * so that background load affects both sides alike; medians are compared.
 */

const SAMPLES = 30;
/*
 * Thresholds are fractions of the cost of the work whose absence would leak, measured in the same
 * run, so that a loaded machine (slower everything) does not fail the test while the leak still does:
 * - reset: doing the account's database write before answering shows up as one committed write;
 * - login: skipping argon2 for unknown emails shows up as one argon2 verification.
 * Each bound is half that cost (with a 1 ms floor for the reset).
 */
const LEAK_FRACTION = 0.5;

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

describe('no account enumeration by timing', () => {
  const suite = useTestApp({ rateLimit: { globalPerMinute: 100_000, authPerMinute: 100_000 } });
  let known: TestUser[];

  beforeAll(async () => {
    known = [];
    for (let i = 0; i < SAMPLES + 5; i++) known.push(await insertUser(suite.db));
  });

  /**
   * `pauseMs` between samples lets work a request leaves for after its response (the reset email)
   * finish first, so that it slows neither side's next sample.
   */
  async function interleaved(
    measureKnown: (i: number) => Promise<number>,
    measureUnknown: (i: number) => Promise<number>,
    pauseMs = 0,
  ) {
    const knownTimes: number[] = [];
    const unknownTimes: number[] = [];
    const pause = () => new Promise((resolve) => setTimeout(resolve, pauseMs));
    for (let i = 0; i < SAMPLES; i++) {
      const order = i % 2 === 0 ? ['known', 'unknown'] : ['unknown', 'known'];
      for (const side of order) {
        if (side === 'known') knownTimes.push(await measureKnown(i));
        else unknownTimes.push(await measureUnknown(i));
        if (pauseMs > 0) await pause();
      }
    }
    return { known: median(knownTimes), unknown: median(unknownTimes) };
  }

  it('POST /auth/password-reset: known and unknown addresses take the same time', async () => {
    const reset = (email: string) =>
      timed(async () => {
        const response = await suite.app.inject({
          method: 'POST',
          url: '/api/v1/auth/password-reset',
          remoteAddress: uniqueClientAddress(),
          payload: { email },
        });
        expect(response.statusCode).toBe(202);
      });
    // Warm-up: JIT, pool connections, prepared code paths.
    for (let i = 0; i < 5; i++) {
      await reset(known[SAMPLES + i]!.email);
      await reset(`warmup-${i}@example.com`);
    }
    // The warm-up emails go out after their responses; let them finish before counting.
    await expect.poll(() => suite.testApp.outbox.sent.length, { timeout: 5_000, interval: 20 }).toBe(5);
    const sentBefore = suite.testApp.outbox.sent.length;
    const result = await interleaved(
      (i) => reset(known[i]!.email),
      (i) => reset(`ghost-${i}@example.com`),
      15,
    );
    // What one committed write costs on this database right now (the flush the leak would add).
    await suite.testApp.database.pool.query(
      'CREATE TABLE IF NOT EXISTS timing_probe (id serial PRIMARY KEY)',
    );
    const writeTimes: number[] = [];
    for (let i = 0; i < 15; i++) {
      writeTimes.push(
        await timed(() => suite.testApp.database.pool.query('INSERT INTO timing_probe DEFAULT VALUES')),
      );
    }
    const bound = Math.max(1, LEAK_FRACTION * median(writeTimes));
    console.info(
      `password-reset median: known ${result.known.toFixed(2)} ms, unknown ${result.unknown.toFixed(2)} ms, difference ${Math.abs(result.known - result.unknown).toFixed(2)} ms (bound ${bound.toFixed(2)} ms)`,
    );
    expect(Math.abs(result.known - result.unknown)).toBeLessThan(bound);
    // The known ones really do get their emails, after the responses.
    await expect
      .poll(() => suite.testApp.outbox.sent.length - sentBefore, { timeout: 5_000, interval: 20 })
      .toBe(SAMPLES);
  });

  it('POST /auth/login: a wrong password costs what an unknown email costs (argon2 runs for both)', async () => {
    const login = (email: string, password: string, status: number) =>
      timed(async () => {
        const response = await suite.app.inject({
          method: 'POST',
          url: '/api/v1/auth/login',
          remoteAddress: uniqueClientAddress(),
          payload: { email, password },
        });
        expect(response.statusCode).toBe(status);
      });
    const result = await interleaved(
      (i) => login(known[i]!.email, 'definitely the wrong password', 401),
      (i) => login(`nobody-${i}@example.com`, 'definitely the wrong password', 401),
    );
    const success: number[] = [];
    for (let i = 0; i < 10; i++) success.push(await login(known[i]!.email, known[i]!.password, 200));
    const hash = await hashPassword('reference password');
    const verifyTimes: number[] = [];
    for (let i = 0; i < 10; i++) verifyTimes.push(await timed(() => verifyPassword(hash, 'wrong password')));
    const bound = LEAK_FRACTION * median(verifyTimes);
    console.info(
      `login median: wrong password ${result.known.toFixed(2)} ms, unknown email ${result.unknown.toFixed(2)} ms, successful ${median(success).toFixed(2)} ms (bound ${bound.toFixed(2)} ms)`,
    );
    expect(Math.abs(result.known - result.unknown)).toBeLessThan(bound);
  });

  // Registration answers 409 for a taken address on purpose (README, security section); what it must
  // not add is a timing difference on top, e.g. hashing the password only for new addresses. A new
  // registration also commits its rows, which a loaded database makes slow: so the check is that the
  // taken address pays for argon2, measured against argon2 sampled between the requests (same load).
  it('POST /auth/register: a taken address (409) costs what a new one (201) costs (argon2 runs for both)', async () => {
    const register = (email: string, status: number) =>
      timed(async () => {
        const response = await suite.app.inject({
          method: 'POST',
          url: '/api/v1/auth/register',
          remoteAddress: uniqueClientAddress(),
          payload: { email, password: 'a perfectly fine passphrase', name: 'Timing Test' },
        });
        expect(response.statusCode).toBe(status);
      });
    const hash = await hashPassword('reference password');
    const argon2Times: number[] = [];
    const result = await interleaved(
      async (i) => {
        argon2Times.push(await timed(() => verifyPassword(hash, 'wrong password')));
        return register(known[i]!.email, 409);
      },
      (i) => register(`new-registration-${i}-${Date.now()}@example.com`, 201),
    );
    const argon2 = median(argon2Times);
    console.info(
      `register median: taken ${result.known.toFixed(2)} ms, new ${result.unknown.toFixed(2)} ms, one argon2 verification ${argon2.toFixed(2)} ms`,
    );
    // Without argon2 a taken address would answer after one indexed read: far below this.
    expect(result.known).toBeGreaterThan(LEAK_FRACTION * argon2 + 1);
    // And it is not the cheaper side by more than half an argon2 run.
    expect(result.unknown - result.known).toBeLessThan(
      Math.max(LEAK_FRACTION * argon2, result.unknown * 0.5),
    );
  });

  it('argon2id cost (reported, loosely bounded)', async () => {
    const hashTimes: number[] = [];
    const verifyTimes: number[] = [];
    let hash = '';
    for (let i = 0; i < 10; i++) {
      hashTimes.push(
        await timed(async () => {
          hash = await hashPassword(`measure me ${i}`);
        }),
      );
      verifyTimes.push(await timed(() => verifyPassword(hash, `measure me ${i}`)));
    }
    console.info(
      `argon2id median: hash ${median(hashTimes).toFixed(2)} ms, verify ${median(verifyTimes).toFixed(2)} ms`,
    );
    // Fast enough for a login endpoint, slow enough to be doing real work.
    expect(median(hashTimes)).toBeGreaterThan(2);
    expect(median(hashTimes)).toBeLessThan(250);
  });
});
