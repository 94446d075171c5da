import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDatabaseClient,
  type DatabaseClient,
} from '../../src/infrastructure/database/client/client.js';
import {
  type EmbeddedPostgresHandle,
  startEmbeddedPostgres,
} from '../../src/infrastructure/database/client/embedded-postgres.js';
import { runMigrations } from '../../src/infrastructure/database/migrations/migrator.js';
import { users } from '../../src/infrastructure/database/schema/index.js';
import { bearer, type HttpSession, insertUser, serverApi } from '../helpers/factories/index.js';
import {
  isProblem,
  jsonOf,
  maxLatency,
  type Outcome,
  type ResponseOutcome,
  runWorkers,
  send,
  tally,
} from '../helpers/http-client.js';
import {
  freePort,
  type ServerProcess,
  scratchDir,
  sleep,
  spawnServer,
  waitFor,
  waitForReady,
} from '../helpers/processes.js';

/**
 * PostgreSQL goes away under a steady load of writes (registrations) and reads, then comes back.
 * While it is down every request must end, quickly, in a 503 problem+json (never a 500, never a
 * hang); once it is back the API must recover on its own within 5 s; and every registration that
 * was acknowledged with a 201 must be in the database afterwards.
 */

/** The bounds. */
const MAX_REQUEST_MS = 10_000;
const MAX_RECOVERY_MS = 5_000;
const OUTAGE_MS = 3_000;
const PASSWORD = 'outage-proof passphrase 42';

const scratch = scratchDir('lp-reliability-db-');
const dataDir = path.join(scratch.dir, 'postgres');
let pgPort: number;
let postgres: EmbeddedPostgresHandle | undefined;
let verifier: DatabaseClient;
let server: ServerProcess | undefined;
let session: HttpSession;

beforeAll(async () => {
  pgPort = await freePort();
  postgres = await startEmbeddedPostgres({ dataDir, port: pgPort });
  await runMigrations({ databaseUrl: postgres.url });
  verifier = createDatabaseClient(postgres.url, { max: 2, applicationName: 'reliability:verifier' });
  const reader = await insertUser(verifier.db, { role: 'instructor', password: PASSWORD });
  server = await spawnServer({
    DATABASE_URL: postgres.url,
    // Every 503 logs a warning; keep the errors (a 500 logs one) readable.
    LOG_LEVEL: 'error',
    RATE_LIMIT_AUTH_PER_MINUTE: '100000',
    RATE_LIMIT_GLOBAL_PER_MINUTE: '10000000',
  });
  await waitForReady(server);
  session = await serverApi.login(server.port, { email: reader.email, password: PASSWORD });
});

afterAll(async () => {
  await server?.stop();
  await verifier?.close().catch(() => {});
  await postgres?.stop();
  scratch.remove();
});

describe('database outage under load', () => {
  it('answers 503 problem+json while PostgreSQL is down, recovers within 5 s, loses no acknowledged write', async () => {
    const live = server!;
    const runId = randomBytes(4).toString('hex');
    const emailOf = (worker: number, iteration: number) =>
      `outage-${runId}-${worker}-${iteration}@reliability.test`;
    const registeredEmail = new Map<Outcome, string>();

    // 3 writers, 3 readers (2 on an instructor's course list, read from the database every time,
    // 1 on the public catalog, which may be served from the cache) and a readiness probe every 100 ms,
    // as a load balancer would poll it.
    const workers = runWorkers(
      7,
      async (worker, iteration) => {
        if (worker < 3) {
          const email = emailOf(worker, iteration);
          const outcome = await send(
            live.port,
            { path: '/api/v1/auth/register', body: { email, password: PASSWORD, name: 'Outage writer' } },
            { label: 'write', timeoutMs: 30_000 },
          );
          registeredEmail.set(outcome, email);
          return outcome;
        }
        if (worker < 5) {
          return send(
            live.port,
            { path: '/api/v1/instructor/courses?limit=5', headers: bearer(session.accessToken) },
            { label: 'read', timeoutMs: 30_000 },
          );
        }
        if (worker === 5) {
          return send(
            live.port,
            { path: '/api/v1/courses?limit=5' },
            { label: 'catalog', timeoutMs: 30_000 },
          );
        }
        await sleep(100);
        return send(live.port, { path: '/health/ready' }, { label: 'ready', timeoutMs: 30_000 });
      },
      { maxMs: 60_000, maxSteps: 5_000 },
    );
    const { outcomes } = workers;
    const responses = (label: string, from = 0, to = Number.POSITIVE_INFINITY) =>
      outcomes.filter(
        (o): o is ResponseOutcome =>
          o.kind === 'response' && o.label === label && o.startedAt >= from && o.endedAt <= to,
      );

    try {
      // Steady state first.
      await waitFor(
        'a few acknowledged writes',
        async () => (responses('write').filter((o) => o.status === 201).length >= 5 ? true : undefined),
        { timeoutMs: 15_000 },
      );
      await sleep(500);

      const stopRequestedAt = performance.now();
      await postgres!.stop();
      const downAt = performance.now();
      await waitFor(
        'the readiness probe to report 503',
        async () => (responses('ready', downAt).some((o) => o.status === 503) ? true : undefined),
        { timeoutMs: 10_000 },
      );
      await sleep(OUTAGE_MS);

      const restartRequestedAt = performance.now();
      postgres = await startEmbeddedPostgres({ dataDir, port: pgPort });
      // PostgreSQL accepts connections from here on (startEmbeddedPostgres resolves once it does).
      const backAt = performance.now();
      const firstReady = await waitFor(
        'the readiness probe to report 200 again',
        async () => responses('ready', backAt).find((o) => o.status === 200),
        { timeoutMs: 20_000 },
      );
      const firstWrite = await waitFor(
        'an acknowledged write after the database is back',
        async () => responses('write', backAt).find((o) => o.status === 201),
        { timeoutMs: 20_000 },
      );
      await sleep(1_000);
      workers.stop();
      await workers.done;

      // What happened while it was down: requests started after it stopped and ended before the restart.
      const duringOutage = outcomes.filter((o) => o.startedAt >= downAt && o.endedAt <= restartRequestedAt);
      const byLabel = (label: string) => tally(duringOutage.filter((o) => o.label === label));

      const failures = outcomes.filter((o) => o.kind === 'error');
      expect(failures, 'every request got a complete HTTP response').toEqual([]);
      const unexpected = outcomes.filter(
        (o) => o.kind === 'response' && o.status >= 500 && o.status !== 503,
      ) as ResponseOutcome[];
      expect(
        unexpected.map((o) => `${o.method} ${o.path} → ${o.status} ${o.body.slice(0, 300)}`),
        `no 5xx other than 503\n${live
          .output()
          .split('\n')
          .filter((line) => line.includes('"level":50'))
          .join('\n')
          .slice(-5_000)}`,
      ).toEqual([]);
      const unavailable = outcomes.filter((o) => o.kind === 'response' && o.status === 503);
      for (const outcome of unavailable) {
        expect(isProblem(outcome), `${outcome.path}: ${JSON.stringify(outcome)}`).toBe(true);
        expect(jsonOf(outcome)).toMatchObject({ status: 503, code: 'service_unavailable' });
        expect((outcome as ResponseOutcome).headers['retry-after']).toMatch(/^\d+$/);
      }
      expect(byLabel('ready')['503'], 'readiness reports 503 during the outage').toBeGreaterThan(0);
      expect(byLabel('ready')['200'] ?? 0, 'and never 200').toBe(0);
      expect(byLabel('write')['503'], 'writes answer 503 during the outage').toBeGreaterThan(0);
      expect(byLabel('write')['201'] ?? 0).toBe(0);
      expect(byLabel('read')['503'], 'database reads answer 503 during the outage').toBeGreaterThan(0);

      const slowest = maxLatency(outcomes);
      const slowestDuringOutage = maxLatency(outcomes.filter((o) => o.endedAt >= stopRequestedAt));
      expect(slowest, 'no request takes longer than the bound').toBeLessThan(MAX_REQUEST_MS);

      const readyRecoveryMs = Math.round(firstReady.endedAt - backAt);
      const writeRecoveryMs = Math.round(firstWrite.endedAt - backAt);
      expect(readyRecoveryMs).toBeLessThan(MAX_RECOVERY_MS);
      expect(writeRecoveryMs).toBeLessThan(MAX_RECOVERY_MS);

      // Zero lost acknowledged writes.
      const acknowledged = new Set(
        outcomes
          .filter((o) => o.label === 'write' && o.kind === 'response' && o.status === 201)
          .map((o) => registeredEmail.get(o) as string),
      );
      const stored = new Set(
        (
          await verifier.db
            .select({ email: users.email })
            .from(users)
            .where(like(users.email, `outage-${runId}-%`))
        ).map((row) => row.email),
      );
      const lost = [...acknowledged].filter((email) => !stored.has(email));
      const storedWithoutAck = [...stored].filter((email) => !acknowledged.has(email));
      expect(lost, 'acknowledged writes missing from the database').toEqual([]);

      console.info(
        '[reliability] database outage:',
        JSON.stringify({
          requests: outcomes.length,
          outageMs: Math.round(backAt - downAt),
          restartTookMs: Math.round(backAt - restartRequestedAt),
          stopTookMs: Math.round(downAt - stopRequestedAt),
          duringOutage: {
            ready: byLabel('ready'),
            write: byLabel('write'),
            read: byLabel('read'),
            catalog: byLabel('catalog'),
          },
          overall: tally(outcomes),
          maxLatencyMs: slowest,
          maxLatencyFromStopMs: slowestDuringOutage,
          readyRecoveryMs,
          writeRecoveryMs,
          acknowledgedWrites: acknowledged.size,
          storedWrites: stored.size,
          lostWrites: lost.length,
          storedButNotAcknowledged: storedWithoutAck.length,
        }),
      );
    } finally {
      workers.stop();
      await workers.done;
    }
  }, 120_000);
});
