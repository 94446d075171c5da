import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/config.js';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number>;
}

function start(env: Record<string, string>): Started {
  const child = spawn(process.execPath, ['scripts/run.mjs', 'server'], {
    cwd: projectRoot,
    // No DATABASE_URL: the zero-config path a new user takes with `npm start`.
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 1)));
  return { child, output: () => output, exited };
}

async function waitForReady(port: number, started: Started, timeoutMs: number): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/health/ready`);
      if (response.status === 200) return response;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`not ready after ${timeoutMs} ms:\n${started.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function accepts(port: number): Promise<boolean> {
  const { Socket } = await import('node:net');
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.connect(port, '127.0.0.1');
  });
}

// PostgreSQL runs as the `postgres` OS user when we are root: it must be able to reach the folder.
const workDir = mkdtempSync(path.join(tmpdir(), 'lp-start-'));
chmodSync(workDir, 0o755);
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

describe('npm start on the embedded PostgreSQL', () => {
  it('initialises, migrates, answers /health/ready, stops cleanly, and starts warm on the same data', async () => {
    const env = {
      PORT: String(await freePort()),
      EMBEDDED_PG_PORT: String(await freePort()),
      EMBEDDED_PG_DATA_DIR: path.join(workDir, 'postgres'),
    };
    const port = Number(env.PORT);

    const cold = start(env);
    const ready = await waitForReady(port, cold, 90_000);
    expect(await ready.json()).toMatchObject({ status: 'ok', checks: { database: 'ok' } });
    expect(cold.output()).toContain(`API: http://127.0.0.1:${port}/api/v1`);
    expect(cold.output()).toContain(`Docs: http://127.0.0.1:${port}/docs`);
    expect(cold.output()).toMatch(/applied 0000_/);
    expect(cold.output()).toMatch(/initdb took \d+ ms/);
    expect(cold.output()).toContain('Demo data loaded (empty database). Sign in with password');
    const login = await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        email: 'student1@demo.learningplatform.dev',
        password: 'learning-platform-demo',
      }),
    });
    expect(login.status).toBe(200);

    cold.child.kill('SIGTERM');
    expect(await cold.exited).toBe(0);
    expect(cold.output()).toContain('Stopped.');
    expect(await accepts(Number(env.EMBEDDED_PG_PORT))).toBe(false);

    const warm = start(env);
    await waitForReady(port, warm, 30_000);
    expect(warm.output()).not.toMatch(/initdb took/);
    expect(warm.output()).toContain('Migrations: up to date');
    expect(warm.output()).not.toContain('Demo data loaded');
    warm.child.kill('SIGINT');
    expect(await warm.exited).toBe(0);
  }, 150_000);
});
