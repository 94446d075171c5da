import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { projectRoot } from '../../src/config.js';

/**
 * Real processes for the reliability suites: API servers started the way `npm start` starts them, job
 * workers the way `npm run worker` starts them, redis-servers the tests kill and restart, and a scratch
 * folder PostgreSQL can use. Everything a suite starts is tracked and SIGKILLed when the test worker
 * exits, so a failing test leaves nothing behind.
 */

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

function track(child: ChildProcess): ChildProcess {
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

/** Output kept per process: enough to explain a failure, bounded under a flood of log lines. */
const OUTPUT_LIMIT = 200_000;

function capture(child: ChildProcess): () => string {
  let output = '';
  const append = (chunk: Buffer) => {
    output += chunk.toString();
    if (output.length > OUTPUT_LIMIT) output = output.slice(-OUTPUT_LIMIT);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  return () => output;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
export function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.setTimeout(1_000, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.connect(port, '127.0.0.1');
  });
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `check` every `intervalMs` until it returns a value other than undefined; throws after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  { timeoutMs, intervalMs = 50 }: { timeoutMs: number; intervalMs?: number },
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** A folder under the OS temp dir that the `postgres` OS user can enter (PostgreSQL runs as it under root). */
export function scratchDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  chmodSync(dir, 0o755);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** performance.now() when the process exited. */
  at: number;
}

export interface ServerProcess extends ChildProcessHandle {
  port: number;
  origin: string;
}

/** The node flags of package.json's `start` script (`node [flags] scripts/run.mjs server`). */
function startScriptNodeFlags(): string[] {
  const { scripts } = JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as {
    scripts: { start: string };
  };
  const match = /^node((?: --?[\w=.-]+)*) scripts\/run\.mjs server$/.exec(scripts.start);
  if (!match) throw new Error(`spawnServer: cannot read node flags from "start": ${scripts.start}`);
  return match[1]!.trim().split(' ').filter(Boolean);
}

/** The JWT secret of every spawned server: tests and benches mint its access tokens with it. */
export const SPAWNED_JWT_SECRET = 'reliability-suite-secret-0123456789abcdefghijklmnop';

/**
 * The certificate signing key of spawned production processes (CERTIFICATE_SIGNING_KEYS is required
 * in production). Public: for tests and the benchmark only.
 */
export const SPAWNED_SIGNING_KEY =
  '{"crv":"Ed25519","d":"uLlfX6LKeLqUZV-d0QeBE65sBCPVxbfKL2VfojKXNmM","x":"Wx3XngiDooG-xmteF61UgqoIOS9OZ6kdUYPO827bFE8","kty":"OKP","kid":"reliability-suite"}';

/**
 * The production entry point as `npm start` runs it (`node [its flags] scripts/run.mjs server`) on a
 * free port. The environment is built from scratch (plus `env`): nothing leaks in from the test
 * process, and the variables a developer's `.env` could set are given explicitly (an empty value
 * counts as set). `nodeFlags` are added to node's (e.g. `--cpu-prof`). Also used by `npm run bench`.
 */
export async function spawnServer(
  env: Record<string, string>,
  { nodeFlags = [] }: { nodeFlags?: string[] } = {},
): Promise<ServerProcess> {
  const port = await freePort();
  const handle = spawnEntryPoint('server', nodeFlags, {
    HOST: '127.0.0.1',
    PORT: String(port),
    MIGRATE_ON_START: 'false',
    SEED_DEMO_ON_START: 'false',
    TRUST_PROXY: 'false',
    ...env,
  });
  return { port, origin: `http://127.0.0.1:${port}`, ...handle };
}

/** A process that is not a server: its output and exit, and a stop by SIGTERM. */
export interface ChildProcessHandle {
  child: ChildProcess;
  output(): string;
  exited: Promise<ExitStatus>;
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<ExitStatus>;
}

/**
 * `npm run worker` as package.json runs it (`node [flags] scripts/run.mjs worker`), with the same
 * from-scratch environment as spawnServer (plus `env`).
 */
export function spawnWorker(env: Record<string, string>): ChildProcessHandle {
  return spawnEntryPoint('worker', [], env);
}

/**
 * `node [flags] scripts/run.mjs <entry>` in production mode with an environment built from scratch:
 * nothing leaks in from the test process, and what a developer's `.env` could set is given
 * explicitly (an empty value counts as set). `env` adds to it and overrides it.
 */
function spawnEntryPoint(
  entry: 'server' | 'worker',
  nodeFlags: string[],
  env: Record<string, string>,
): ChildProcessHandle {
  const child = track(
    spawn(process.execPath, [...startScriptNodeFlags(), ...nodeFlags, 'scripts/run.mjs', entry], {
      cwd: projectRoot,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NODE_ENV: 'production',
        JWT_SECRET: SPAWNED_JWT_SECRET,
        CERTIFICATE_SIGNING_KEYS: SPAWNED_SIGNING_KEY,
        LOG_LEVEL: 'warn',
        REDIS_URL: '',
        SMTP_URL: '',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  const output = capture(child);
  const exited = new Promise<ExitStatus>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, at: performance.now() })),
  );
  return {
    child,
    output,
    exited,
    async stop(graceMs = 15_000) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        const status = await exited;
        clearTimeout(timer);
        return status;
      }
      return exited;
    },
  };
}

/** Waits until `/health/ready` answers 200; fails early (with the output) if the server exits. */
export async function waitForReady(server: ServerProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (server.child.exitCode !== null) {
      throw new Error(`server exited with ${server.child.exitCode} before it was ready:\n${server.output()}`);
    }
    try {
      const response = await fetch(`${server.origin}/health/ready`, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      throw new Error(`server not ready after ${timeoutMs} ms:\n${server.output()}`);
    }
    await sleep(50);
  }
}

export const redisServerBinary = 'redis-server';

export interface RedisProcess {
  port: number;
  url: string;
  /** SIGKILL: the abrupt outage (no shutdown, connections reset). */
  kill(): Promise<void>;
}

/** A throwaway redis-server in the foreground, no persistence, on `port` (a free one by default). */
export async function startRedisServer(port?: number): Promise<RedisProcess> {
  const chosen = port ?? (await freePort());
  const child = track(
    spawn(
      redisServerBinary,
      [
        '--port',
        String(chosen),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--daemonize',
        'no',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    ),
  );
  const output = capture(child);
  const exited = once(child, 'exit');
  await waitFor(
    `redis-server on port ${chosen}`,
    async () => {
      if (child.exitCode !== null) throw new Error(`redis-server exited:\n${output()}`);
      return output().includes('Ready to accept connections') ? true : undefined;
    },
    { timeoutMs: 10_000, intervalMs: 20 },
  ).catch((error: Error) => {
    child.kill('SIGKILL');
    throw new Error(`${error.message}\n${output()}`);
  });
  return {
    port: chosen,
    url: `redis://127.0.0.1:${chosen}`,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}

/**
 * A small script in a child Node.js process (TypeScript through tsx), for work that must be killable
 * with SIGKILL, such as a migration run.
 */
export function spawnScript(
  script: string,
  args: string[],
  env: Record<string, string> = {},
): { child: ChildProcess; output(): string; exited: Promise<ExitStatus> } {
  const child = track(
    spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      cwd: projectRoot,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'test', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  const output = capture(child);
  const exited = new Promise<ExitStatus>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, at: performance.now() })),
  );
  return { child, output, exited };
}

export interface TcpProxy {
  port: number;
  /** Drops every connection and refuses new ones: a network partition between client and target. */
  cut(): void;
  /** Accepts connections again. */
  heal(): void;
  /**
   * Stops forwarding in both directions while keeping every connection open and accepting new ones:
   * a frozen server (SIGSTOP, a paused VM) or a black-holed path. Nothing is lost: what arrives
   * meanwhile is delivered on `thaw()`.
   */
  freeze(): void;
  thaw(): void;
  close(): Promise<void>;
}

/** A TCP proxy on 127.0.0.1 to `targetPort`, to cut one client off from a server the others still reach. */
export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let partitioned = false;
  let frozen = false;
  /** Per direction of each connection: flushes what was held back while frozen. */
  const held = new Set<() => void>();
  const forward = (from: Socket, to: Socket) => {
    let backlog: Buffer[] = [];
    const flush = () => {
      for (const chunk of backlog) to.write(chunk);
      backlog = [];
    };
    held.add(flush);
    from.once('close', () => held.delete(flush));
    from.on('data', (chunk: Buffer) => {
      if (frozen) backlog.push(chunk);
      else to.write(chunk);
    });
  };
  const server = createServer((client) => {
    if (partitioned) {
      client.destroy();
      return;
    }
    const upstream = new Socket();
    upstream.connect(targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    }
    const closeBoth = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', closeBoth).on('close', closeBoth);
    upstream.on('error', closeBoth).on('close', closeBoth);
    forward(client, upstream);
    forward(upstream, client);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port,
    cut() {
      partitioned = true;
      for (const socket of sockets) socket.destroy();
    },
    heal() {
      partitioned = false;
    },
    freeze() {
      frozen = true;
    },
    thaw() {
      frozen = false;
      for (const flush of held) flush();
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
