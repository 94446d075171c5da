import { type Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';

/**
 * An HTTP client that reports what happened to every request instead of throwing: a complete
 * response (status, headers, body), or the error with its code, and whether the request had been
 * written to the socket. Always 127.0.0.1. A request that gets no answer within `timeoutMs` is
 * recorded as a `CLIENT_TIMEOUT` error, so a hang shows up as a number, not as a stuck test.
 */

export interface RequestSpec {
  method?: string;
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
}

interface OutcomeBase {
  label: string;
  method: string;
  path: string;
  /** performance.now() when the request was started and when it settled. */
  startedAt: number;
  endedAt: number;
  ms: number;
  /** The request went out on a kept-alive connection that had already served a request. */
  reusedSocket: boolean;
}

export interface ResponseOutcome extends OutcomeBase {
  kind: 'response';
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface ErrorOutcome extends OutcomeBase {
  kind: 'error';
  /** ECONNREFUSED, ECONNRESET, EPIPE, CLIENT_TIMEOUT, RESPONSE_ABORTED, ... */
  code: string;
  message: string;
  /** The whole request had been written to the socket before the error. */
  sent: boolean;
}

export type Outcome = ResponseOutcome | ErrorOutcome;

export interface SendOptions {
  agent?: Agent | false;
  timeoutMs?: number;
  /** Free-form tag kept on the outcome (e.g. "write", "read"). */
  label?: string;
}

export function send(port: number, spec: RequestSpec, options: SendOptions = {}): Promise<Outcome> {
  const method = spec.method ?? (spec.body === undefined ? 'GET' : 'POST');
  const payload = spec.body === undefined ? undefined : Buffer.from(JSON.stringify(spec.body));
  const headers: Record<string, string> = { ...spec.headers };
  if (payload) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(payload.length);
  }
  const startedAt = performance.now();
  const base = { label: options.label ?? '', method, path: spec.path, startedAt };

  return new Promise((resolve) => {
    let settled = false;
    let sent = false;
    const settle = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const fail = (code: string, message: string) => {
      const endedAt = performance.now();
      settle({
        ...base,
        kind: 'error',
        code,
        message,
        sent,
        endedAt,
        ms: endedAt - startedAt,
        reusedSocket: req.reusedSocket,
      });
    };

    const req = httpRequest({
      host: '127.0.0.1',
      port,
      method,
      path: spec.path,
      headers,
      agent: options.agent,
    });
    const timer = setTimeout(() => {
      fail('CLIENT_TIMEOUT', `no complete response within ${options.timeoutMs ?? 15_000} ms`);
      req.destroy();
    }, options.timeoutMs ?? 15_000);

    req.once('finish', () => {
      sent = true;
    });
    req.once('error', (error: NodeJS.ErrnoException) => fail(error.code ?? 'ERROR', error.message));
    req.once('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.once('aborted', () => fail('RESPONSE_ABORTED', 'the connection closed mid-response'));
      response.once('error', (error: NodeJS.ErrnoException) =>
        fail(error.code ?? 'RESPONSE_ERROR', error.message),
      );
      response.once('end', () => {
        const endedAt = performance.now();
        settle({
          ...base,
          kind: 'response',
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          endedAt,
          ms: endedAt - startedAt,
          reusedSocket: req.reusedSocket,
        });
      });
    });
    req.end(payload);
  });
}

/** Parses a JSON body (problem details included); throws with the body when it is not JSON. */
export function jsonOf<T = Record<string, unknown>>(outcome: Outcome): T {
  if (outcome.kind !== 'response') throw new Error(`no response: ${outcome.code} ${outcome.message}`);
  try {
    return JSON.parse(outcome.body) as T;
  } catch {
    throw new Error(`not JSON (status ${outcome.status}): ${outcome.body.slice(0, 500)}`);
  }
}

export const isProblem = (outcome: Outcome): boolean =>
  outcome.kind === 'response' && /^application\/problem\+json/.test(outcome.headers['content-type'] ?? '');

export const statusOf = (outcome: Outcome): string =>
  outcome.kind === 'response' ? String(outcome.status) : outcome.code;

/** `{ "201": 40, "503": 12, "ECONNRESET": 1 }`: statuses and error codes with their counts. */
export function tally(outcomes: readonly Outcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const outcome of outcomes) {
    const key = statusOf(outcome);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

export function maxLatency(outcomes: readonly Outcome[]): number {
  return Math.round(outcomes.reduce((max, outcome) => Math.max(max, outcome.ms), 0));
}

export interface Workers {
  /** Ask every worker to stop after its current request. */
  stop(): void;
  /** Resolves when every worker has stopped (their last requests settled). */
  done: Promise<void>;
  outcomes: Outcome[];
}

/**
 * `count` workers, each calling `step` in a loop (one request at a time) until `stop()`, until
 * `step` returns 'stop', or until the hard bounds `maxMs` / `maxSteps` (per worker) are reached.
 */
export function runWorkers(
  count: number,
  step: (worker: number, iteration: number) => Promise<Outcome | 'stop'>,
  { maxMs, maxSteps }: { maxMs: number; maxSteps: number },
): Workers {
  let stopped = false;
  const outcomes: Outcome[] = [];
  const deadline = performance.now() + maxMs;
  const loops = Array.from({ length: count }, async (_, worker) => {
    for (let iteration = 0; iteration < maxSteps; iteration++) {
      if (stopped || performance.now() > deadline) return;
      const outcome = await step(worker, iteration);
      if (outcome === 'stop') return;
      outcomes.push(outcome);
    }
  });
  return {
    stop: () => {
      stopped = true;
    },
    done: Promise.all(loops).then(() => {}),
    outcomes,
  };
}
