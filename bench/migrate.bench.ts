/**
 * `npm run bench:migrate`: times our `db:migrate` against `drizzle-kit migrate` on the same files,
 * on fresh empty databases, interleaved, 5 repetitions each; then `db:verify` and a warm `npm start`.
 * Uses BENCH_DATABASE_URL (any database on a server where we may create databases) or the embedded
 * PostgreSQL. Prints ratios and writes bench/results/migrate-<date>.{json,md}.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { loadConfig, projectRoot, readEnv } from '../src/config.js';
import { resolveDatabase } from '../src/infrastructure/database/client/resolve-database.js';
import { adminQuery, withDatabase } from './harness.js';

const REPETITIONS = Number(readEnv('BENCH_REPETITIONS') ?? 5);
const bin = (name: string) => path.join(projectRoot, 'node_modules', '.bin', name);

function timeCommand(command: string, args: string[], env: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, {
      cwd: projectRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(performance.now() - started);
      else reject(new Error(`${path.basename(command)} ${args.join(' ')} exited ${code}: ${stderr}`));
    });
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Spawns `npm start`'s entry and measures until /health/ready answers 200. */
async function timeStartToReady(env: Record<string, string>): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [path.join(projectRoot, 'scripts', 'run.mjs'), 'server'], {
    cwd: projectRoot,
    env: { ...process.env, ...env, PORT: String(port), LOG_LEVEL: 'warn' },
    stdio: 'ignore',
  });
  try {
    for (;;) {
      if (performance.now() - started > 60_000) throw new Error('server did not become ready within 60 s');
      try {
        const response = await fetch(`http://127.0.0.1:${port}/health/ready`);
        if (response.status === 200) return performance.now() - started;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.on('close', resolve));
  }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const round = (value: number) => Math.round(value);

async function main() {
  const config = loadConfig();
  const benchUrl = readEnv('BENCH_DATABASE_URL');
  const database = benchUrl
    ? { url: benchUrl, release: async () => {} }
    : await resolveDatabase({ ...config, databaseUrl: undefined });
  const prefix = `lp_bench_${randomBytes(3).toString('hex')}`;
  const ours: number[] = [];
  const drizzle: number[] = [];
  const verify: number[] = [];
  try {
    for (let i = 0; i < REPETITIONS; i++) {
      // Alternate which goes first so neither always gets the warmer machine.
      const order = i % 2 === 0 ? (['ours', 'drizzle'] as const) : (['drizzle', 'ours'] as const);
      for (const who of order) {
        const name = `${prefix}_${who}_${i}`;
        await adminQuery(database.url, `CREATE DATABASE ${name}`);
        const url = withDatabase(database.url, name);
        if (who === 'ours') {
          ours.push(
            await timeCommand(process.execPath, ['scripts/run.mjs', 'cli/db-migrate'], { DATABASE_URL: url }),
          );
          verify.push(
            await timeCommand(process.execPath, ['scripts/run.mjs', 'cli/db-verify'], { DATABASE_URL: url }),
          );
        } else {
          drizzle.push(await timeCommand(bin('drizzle-kit'), ['migrate'], { DATABASE_URL: url }));
        }
        await adminQuery(database.url, `DROP DATABASE ${name} WITH (FORCE)`);
      }
    }

    // Warm start: the server's database already exists and is migrated, as on a developer's second `npm start`.
    const startName = `${prefix}_start`;
    await adminQuery(database.url, `CREATE DATABASE ${startName}`);
    const startEnv = { DATABASE_URL: withDatabase(database.url, startName), MIGRATE_ON_START: 'true' };
    await timeStartToReady(startEnv); // first start applies the migrations
    const warmStarts: number[] = [];
    for (let i = 0; i < REPETITIONS; i++) warmStarts.push(await timeStartToReady(startEnv));
    await adminQuery(database.url, `DROP DATABASE ${startName} WITH (FORCE)`);

    const report = {
      date: new Date().toISOString(),
      repetitions: REPETITIONS,
      database: benchUrl ? 'BENCH_DATABASE_URL' : 'embedded PostgreSQL',
      migrateMs: { ours: ours.map(round), drizzleKit: drizzle.map(round) },
      medianMs: {
        ours: round(median(ours)),
        drizzleKit: round(median(drizzle)),
        verify: round(median(verify)),
        warmStartToReady: round(median(warmStarts)),
      },
      ratioOursToDrizzleKit: Number((median(ours) / median(drizzle)).toFixed(3)),
      targets: {
        'ratio <= 1.0': median(ours) / median(drizzle) <= 1,
        'db:verify < 1000 ms': median(verify) < 1000,
        'warm start < 3000 ms': median(warmStarts) < 3000,
      },
    };
    const lines = [
      `# Migration benchmark ${report.date}`,
      '',
      `Fresh empty database per run, ${REPETITIONS} repetitions, interleaved; ${report.database}. Times are whole commands (process start included).`,
      '',
      '| measure | median ms | runs (ms) |',
      '| --- | ---: | --- |',
      `| db:migrate (ours) | ${report.medianMs.ours} | ${report.migrateMs.ours.join(', ')} |`,
      `| drizzle-kit migrate | ${report.medianMs.drizzleKit} | ${report.migrateMs.drizzleKit.join(', ')} |`,
      `| db:verify | ${report.medianMs.verify} | ${verify.map(round).join(', ')} |`,
      `| npm start → /health/ready (warm) | ${report.medianMs.warmStartToReady} | ${warmStarts.map(round).join(', ')} |`,
      '',
      `Ratio ours / drizzle-kit: **${report.ratioOursToDrizzleKit}** (target <= 1.0)`,
      '',
      ...Object.entries(report.targets).map(([target, met]) => `- ${met ? 'met' : 'MISSED'}: ${target}`),
    ];
    const resultsDir = path.join(projectRoot, 'bench', 'results');
    mkdirSync(resultsDir, { recursive: true });
    const stamp = report.date.replace(/[:.]/g, '-');
    writeFileSync(path.join(resultsDir, `migrate-${stamp}.json`), `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(path.join(resultsDir, `migrate-${stamp}.md`), `${lines.join('\n')}\n`);
    console.log(lines.join('\n'));
    console.log(`\nReport: bench/results/migrate-${stamp}.md`);
  } finally {
    await database.release();
  }
}

main().catch((error) => {
  console.error(`bench:migrate failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
