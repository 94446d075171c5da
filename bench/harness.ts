/**
 * Building blocks of `npm run bench`: a database per scale, the server process (the application
 * plus the two ceilings measured in the same run: a bare Fastify route, raw SQL through a pool),
 * and autocannon runs that report req/s and latency percentiles.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { type Config, parseConfig, projectRoot } from '../src/config.js';
import { runMigrations } from '../src/infrastructure/database/migrations/migrator.js';
import { SPAWNED_SIGNING_KEY, spawnServer, waitForReady } from '../test/helpers/processes.js';

export { SPAWNED_JWT_SECRET } from '../test/helpers/processes.js';

export interface LoadResult {
  requestsPerSecond: number;
  /**
   * CPU time the server process spent per request (user + system, µs), when its pid was given:
   * what a request costs the server, whatever the load generator sharing the machine could send.
   */
  serverCpuMicrosPerRequest?: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
  total: number;
}

export interface LoadOptions {
  url: string;
  method?: 'GET' | 'POST' | 'PUT';
  headers?: Record<string, string>;
  body?: string;
  /**
   * Requests sent in turn, one per request (each connection's next request takes the next one), e.g.
   * to spread logins or writes over many accounts: each may set the path (overriding `url`'s), extra
   * headers and the body (overriding `body`).
   */
  rotation?: readonly RotatingRequest[];
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
  /** The server process, to measure its CPU time per request (Linux /proc). */
  serverPid?: number;
}

/** Clock ticks per second of /proc's times (USER_HZ: 100 on Linux). */
const TICKS_PER_SECOND = 100;

/**
 * A process's command name and CPU times from /proc/<pid>/stat, in ticks: its own user and system
 * time, and that of its children it has waited for. Undefined where /proc is absent or the process
 * has exited.
 */
function procStat(pid: number | string) {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Fields 14–17 (after the parenthesised command name): utime, stime, cutime, cstime.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return {
    command: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
    ownTicks: Number(fields[11]) + Number(fields[12]),
    childrenTicks: Number(fields[13]) + Number(fields[14]),
  };
}

const ticksToMicros = (ticks: number) => (ticks / TICKS_PER_SECOND) * 1e6;

/** CPU time (user + system) a process has used so far, in µs; undefined where /proc is absent. */
export function cpuMicros(pid: number): number | undefined {
  const stat = procStat(pid);
  return stat && ticksToMicros(stat.ownTicks);
}

/**
 * CPU time (µs) used so far by every PostgreSQL process on this machine: the live ones' own, plus
 * what exited backends left in their postmaster's children's time. Undefined where /proc is absent
 * or no PostgreSQL runs here (a remote database).
 */
export function postgresCpuMicros(): number | undefined {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return undefined;
  }
  let total = 0;
  let found = false;
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = procStat(entry);
    if (stat?.command !== 'postgres') continue;
    found = true;
    // Children's time is non-zero only for the postmaster, whose children the backends are.
    total += stat.ownTicks + stat.childrenTicks;
  }
  return found ? ticksToMicros(total) : undefined;
}

/** One request of a rotation (see LoadOptions.rotation). */
export interface RotatingRequest {
  path?: string;
  headers?: Record<string, string>;
  body?: string;
}

/** autocannon `requests` that send `rotation` in turn (shared by all connections). */
function rotatingRequests(rotation: readonly RotatingRequest[]): autocannon.Request[] {
  let next = 0;
  return [
    {
      setupRequest: (request) => {
        const turn = rotation[next++ % rotation.length]!;
        if (turn.path !== undefined) request.path = turn.path;
        if (turn.headers !== undefined) request.headers = { ...request.headers, ...turn.headers };
        if (turn.body !== undefined) request.body = turn.body;
        return request;
      },
    },
  ];
}

async function autocannonRun(options: LoadOptions, durationSeconds: number): Promise<autocannon.Result> {
  return autocannon({
    url: options.url,
    method: options.method ?? 'GET',
    headers: options.headers,
    body: options.body,
    ...(options.rotation?.length ? { requests: rotatingRequests(options.rotation) } : {}),
    connections: options.connections,
    duration: durationSeconds,
    pipelining: 1,
  });
}

/** Warm up (JIT, caches, pool), then measure for a fixed duration. */
export async function measure(options: LoadOptions): Promise<LoadResult> {
  if (options.warmupSeconds > 0) await autocannonRun(options, options.warmupSeconds);
  const cpuBefore = options.serverPid === undefined ? undefined : cpuMicros(options.serverPid);
  const result = await autocannonRun(options, options.durationSeconds);
  const cpuAfter = options.serverPid === undefined ? undefined : cpuMicros(options.serverPid);
  const cpuUsed = cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore;
  return {
    requestsPerSecond: Math.round(result.requests.average),
    serverCpuMicrosPerRequest:
      cpuUsed === undefined || result.requests.total === 0
        ? undefined
        : Number((cpuUsed / result.requests.total).toFixed(1)),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    total: result.requests.total,
  };
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export async function adminQuery(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A fresh, migrated database on `serverUrl`; dropped by the returned function. */
export async function createBenchDatabase(
  serverUrl: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `lp_bench_${randomBytes(4).toString('hex')}`;
  await adminQuery(serverUrl, `CREATE DATABASE ${name}`);
  const url = withDatabase(serverUrl, name);
  await runMigrations({ databaseUrl: url });
  return { url, drop: () => adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/** Peak resident set size of a process (Linux: VmHWM), in MB; undefined where /proc is absent. */
export function peakRssMb(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmHWM:\s+(\d+) kB/.exec(status);
    return match ? Math.round(Number(match[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

export interface BenchServer {
  /** The application as `npm start` runs it (compiled, production settings, logs off, limits out of the way). */
  appOrigin: string;
  /** `/bare` (bare Fastify route) and `/sql` (one query through a pool like the app's). */
  ceilingOrigin: string;
  /** The application's process: its RSS and CPU time are what the report gives. */
  pid: number;
  /** The ceilings' process (their CPU time per request). */
  ceilingPid: number;
  stop(): Promise<void>;
}

interface RunningProcess {
  child: ChildProcess;
  origin: string;
  stop(): Promise<void>;
}

/**
 * The production entry point as `npm start` runs it (the reliability suites' launcher), in its own
 * process so that it shares neither a heap nor a core's worth of JIT with the load generator, with
 * logs silenced and the limits out of the way (the load comes from one address; the limiter still
 * runs). `nodeFlags` go to its node (e.g. `--cpu-prof`). Resolves once `/health/ready` is 200.
 */
export async function startAppServer(databaseUrl: string, nodeFlags: string[] = []): Promise<RunningProcess> {
  const server = await spawnServer(
    {
      DATABASE_URL: databaseUrl,
      REDIS_URL: process.env.BENCH_REDIS_URL ?? '',
      LOG_LEVEL: 'silent',
      RATE_LIMIT_GLOBAL_PER_MINUTE: '10000000',
      RATE_LIMIT_AUTH_PER_MINUTE: '100000',
    },
    { nodeFlags },
  );
  await waitForReady(server, 60_000);
  return {
    child: server.child,
    origin: server.origin,
    stop: async () => {
      await server.stop();
    },
  };
}

/** bench/bench-server.ts (the ceilings) in its own process; resolves with its port once listening. */
export async function startCeilingServer(databaseUrl: string): Promise<RunningProcess> {
  // `node --import tsx`, not the tsx CLI, which would run the script in a child process of its own.
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(projectRoot, 'bench', 'bench-server.ts')],
    {
      cwd: projectRoot,
      env: { ...process.env, DATABASE_URL: databaseUrl, NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const port = await new Promise<number>((resolve, reject) => {
    let buffer = '';
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      const line = buffer.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve((JSON.parse(line) as { ceilingPort: number }).ceilingPort);
    });
    child.on('exit', (code) => reject(new Error(`bench: the ceiling server exited with ${code}`)));
  });
  return {
    child,
    origin: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise((resolve) => {
        child.removeAllListeners('exit');
        child.on('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** The application and the ceilings, each in its own process. */
export async function startBenchServer(databaseUrl: string): Promise<BenchServer> {
  const [app, ceiling] = await Promise.all([startAppServer(databaseUrl), startCeilingServer(databaseUrl)]);
  return {
    appOrigin: app.origin,
    ceilingOrigin: ceiling.origin,
    pid: app.child.pid!,
    ceilingPid: ceiling.child.pid!,
    stop: async () => {
      await Promise.all([app.stop(), ceiling.stop()]);
    },
  };
}

/**
 * The configuration `npm start` would ship in production, for the benches that run the application's
 * code in the bench process: the worker settings are the defaults unless WORKER_CONCURRENCY /
 * WORKER_FETCH_BATCH are set for this run; `env` adds to it.
 */
export function benchProductionConfig(env: Record<string, string> = {}): Config {
  return parseConfig({
    WORKER_CONCURRENCY: process.env.WORKER_CONCURRENCY,
    WORKER_FETCH_BATCH: process.env.WORKER_FETCH_BATCH,
    NODE_ENV: 'production',
    JWT_SECRET: 'bench-only-secret-0123456789abcdefghijklmn',
    CERTIFICATE_SIGNING_KEYS: SPAWNED_SIGNING_KEY,
    ...env,
  });
}
