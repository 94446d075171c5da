import { Agent } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDatabaseClient,
  type DatabaseClient,
} from '../../src/infrastructure/database/client/client.js';
import {
  bearer,
  type HttpSession,
  insertUser,
  serverApi,
  type TestUser,
} from '../helpers/factories/index.js';
import { type Outcome, type RequestSpec, runWorkers, send, tally } from '../helpers/http-client.js';
import { type ServerProcess, sleep, spawnServer, waitFor, waitForReady } from '../helpers/processes.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

/**
 * SIGTERM while 64 keep-alive connections send requests back to back (a quarter of them sign-ins,
 * which spend ~10-20 ms hashing). Every request that reached the server must get a complete response
 * (2xx, or 503 once it is closing); none may be cut off by a reset or a hang-up; the process must
 * exit 0 within SHUTDOWN_TIMEOUT_MS. Connection attempts after the listener closed are refused
 * (ECONNREFUSED: nothing was sent), which a load balancer retries elsewhere.
 */

const CONNECTIONS = 64;
const SHUTDOWN_TIMEOUT_MS = 10_000;
const PASSWORD = 'graceful shutdown passphrase';

let database: TestDatabase;
let verifier: DatabaseClient;
let server: ServerProcess | undefined;
/** One account per connection: concurrent sign-ins to one account count against its attempt limit. */
let users: TestUser[];
let session: HttpSession;

beforeAll(async () => {
  database = await createTestDatabase();
  verifier = createDatabaseClient(database.url, { max: 1 });
  users = [];
  for (let i = 0; i < CONNECTIONS; i++) {
    users.push(await insertUser(verifier.db, { role: 'instructor', password: PASSWORD }));
  }
  server = await spawnServer({
    DATABASE_URL: database.url,
    RATE_LIMIT_AUTH_PER_MINUTE: '100000',
    RATE_LIMIT_GLOBAL_PER_MINUTE: '10000000',
    SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
  });
  await waitForReady(server);
  session = await serverApi.login(server.port, { email: users[0]!.email, password: PASSWORD });
});

afterAll(async () => {
  await server?.stop();
  await verifier?.close();
  await database?.drop();
});

/** Connection failures that mean a request was lost, as opposed to a refused new connection. */
const CUT_OFF = new Set(['ECONNRESET', 'EPIPE', 'RESPONSE_ABORTED', 'CLIENT_TIMEOUT']);

describe('graceful shutdown under load', () => {
  it('SIGTERM with 64 busy keep-alive connections: every request sent gets a full response, exit 0 in time', async () => {
    const live = server!;
    const agents = Array.from({ length: CONNECTIONS }, () => new Agent({ keepAlive: true, maxSockets: 1 }));
    const requestFor = (worker: number, iteration: number): RequestSpec => {
      switch ((worker + iteration) % 4) {
        case 0:
          return { path: '/api/v1/auth/login', body: { email: users[worker]!.email, password: PASSWORD } };
        case 1:
          return { path: '/api/v1/instructor/courses?limit=5', headers: bearer(session.accessToken) };
        case 2:
          return { path: '/health/ready' };
        default:
          return { path: '/health/live' };
      }
    };
    const refusedWorkers = new Set<number>();
    const workers = runWorkers(
      CONNECTIONS,
      async (worker, iteration) => {
        // A refused connection means the listener is closed: this client is done with this server.
        if (refusedWorkers.has(worker)) return 'stop';
        // Stagger the mix so that every kind of request is in flight at any moment.
        const outcome = await send(live.port, requestFor(worker, iteration), {
          agent: agents[worker],
          timeoutMs: 30_000,
        });
        if (outcome.kind === 'error' && outcome.code === 'ECONNREFUSED') refusedWorkers.add(worker);
        return outcome;
      },
      { maxMs: 40_000, maxSteps: 10_000 },
    );
    const { outcomes } = workers;

    try {
      await waitFor('steady load', async () => (outcomes.length >= 500 ? true : undefined), {
        timeoutMs: 20_000,
      });
      await sleep(200);
      const signalAt = performance.now();
      live.child.kill('SIGTERM');
      const exit = await live.exited;
      await workers.done;

      const exitMs = Math.round(exit.at - signalAt);
      const inFlight = outcomes.filter((o) => o.startedAt < signalAt && o.endedAt > signalAt);
      const afterSignal = outcomes.filter((o) => o.startedAt >= signalAt);
      const cutOff = outcomes.filter((o) => o.kind === 'error' && CUT_OFF.has(o.code));
      const refused = outcomes.filter((o) => o.kind === 'error' && o.code === 'ECONNREFUSED');
      const otherErrors = outcomes.filter(
        (o) => o.kind === 'error' && !CUT_OFF.has(o.code) && o.code !== 'ECONNREFUSED',
      );
      const summary = (list: Outcome[]) =>
        list.map((o) => ({
          path: o.path,
          outcome:
            o.kind === 'response'
              ? o.status
              : `${o.code} (sent: ${o.sent}, reused socket: ${o.reusedSocket})`,
          startedAfterSignalMs: Math.round(o.startedAt - signalAt),
        }));
      const inFlightByPath: Record<string, number> = {};
      for (const outcome of inFlight) {
        const kind = outcome.path.split('?')[0] as string;
        inFlightByPath[kind] = (inFlightByPath[kind] ?? 0) + 1;
      }
      console.info(
        '[reliability] graceful shutdown:',
        JSON.stringify({
          connections: CONNECTIONS,
          requestsBeforeSignal: outcomes.length - inFlight.length - afterSignal.length,
          inFlightAtSignal: inFlight.length,
          inFlightCompleted: inFlight.filter((o) => o.kind === 'response').length,
          inFlightByPath,
          startedAfterSignal: tally(afterSignal),
          cutOff: cutOff.length,
          exitCode: exit.code,
          exitAfterSignalMs: exitMs,
        }),
      );

      expect(exit.code, live.output()).toBe(0);
      expect(exitMs).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
      expect(live.output()).toContain('Stopped.');
      expect(summary(cutOff), 'requests cut off by the shutdown').toEqual([]);
      expect(summary(otherErrors)).toEqual([]);
      // The premise: SIGTERM came while the server was busy. Every connection sends back to back, so
      // nearly all 64 have a request open at any moment (typically 60-64); sign-ins, the slowest, among them.
      expect(inFlight.length, 'requests in flight when SIGTERM was sent').toBeGreaterThanOrEqual(
        CONNECTIONS / 2,
      );
      expect(inFlightByPath['/api/v1/auth/login'] ?? 0, 'sign-ins in flight at the signal').toBeGreaterThan(
        0,
      );
      for (const outcome of inFlight) {
        expect(
          outcome.kind === 'response' && outcome.status,
          `${JSON.stringify(summary([outcome]))}\n${live.output().slice(-4_000)}`,
        ).toBe(200);
      }
      const badStatuses = outcomes.filter(
        (o) => o.kind === 'response' && !(o.status === 200 || o.status === 503),
      );
      expect(summary(badStatuses)).toEqual([]);
      // Refused connections carried no request: the listener was already closed.
      for (const outcome of refused) expect(outcome.kind === 'error' && outcome.sent).toBe(false);
    } finally {
      workers.stop();
      await workers.done;
      for (const agent of agents) agent.destroy();
    }
  }, 90_000);
});
