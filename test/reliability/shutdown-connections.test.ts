import { Agent } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send } from '../helpers/http-client.js';
import { useTestApp } from '../helpers/use-test-app.js';

/**
 * Regression test for closing with keep-alive connections open (found by graceful-shutdown.test.ts):
 * a request in flight when close() starts must end its connection with its response (before the
 * fix the connection stayed open, idle, and close() waited for keepAliveTimeout, 72 s, so the process
 * was killed by SHUTDOWN_TIMEOUT_MS with exit code 1); and a connection idle at that moment must still
 * answer a request sent on it right then (before the fix it was destroyed at once: a reset).
 */

let port: number;
let releaseSlowRequest: () => void = () => {};
const slowRequestReleased = new Promise<void>((resolve) => {
  releaseSlowRequest = resolve;
});

const suite = useTestApp({
  config: { shutdownTimeoutMs: 10_000 },
  prepare: ({ app }) => {
    app.get('/slow-for-test', async () => {
      await slowRequestReleased;
      return { done: true };
    });
  },
});

beforeAll(async () => {
  await suite.app.listen({ host: '127.0.0.1', port: 0 });
  port = (suite.app.server.address() as AddressInfo).port;
});

afterAll(() => {
  releaseSlowRequest();
});

describe('closing with keep-alive connections', () => {
  it('answers in-flight and just-arriving requests, closes their connections, and finishes promptly', async () => {
    const busyClient = new Agent({ keepAlive: true, maxSockets: 1 });
    const idleClient = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      // One connection with a request in flight, one idle after a first request.
      const inFlight = send(port, { path: '/slow-for-test' }, { agent: busyClient, timeoutMs: 20_000 });
      const warmUp = await send(port, { path: '/health/live' }, { agent: idleClient });
      expect(warmUp.kind === 'response' && warmUp.headers.connection).toBe('keep-alive');

      const closeStarted = performance.now();
      const closed = suite.app.close().then(() => performance.now());
      await new Promise((resolve) => setTimeout(resolve, 100));

      // Sent on the connection that was idle when close() started: answered, not reset.
      const late = await send(port, { path: '/health/live' }, { agent: idleClient, timeoutMs: 5_000 });
      expect(late).toMatchObject({ kind: 'response', status: 503, reusedSocket: true });
      expect(late.kind === 'response' && late.headers.connection).toBe('close');

      releaseSlowRequest();
      const finished = await inFlight;
      expect(finished).toMatchObject({ kind: 'response', status: 200 });
      expect(finished.kind === 'response' && finished.headers.connection).toBe('close');

      // Both clients still hold their agents open; close() must not wait for keepAliveTimeout.
      const closeMs = (await closed) - closeStarted;
      expect(closeMs).toBeLessThan(3_000);
    } finally {
      busyClient.destroy();
      idleClient.destroy();
    }
  }, 30_000);
});
