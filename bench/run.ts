/**
 * `npm run bench [-- --scales 1,10 --duration 10 --connections 64 --only <name part>]`
 *
 * For each data scale: a fresh database seeded with `db:seed --scale N`, the server in its own
 * process, the ceilings (bare Fastify route, measured before and after the scenarios; one query
 * through a pool) and every scenario of bench/scenarios.ts, each warmed up and then loaded for a
 * fixed time by autocannon. Prints req/s,
 * p50/p99 and the ratio to the ceiling, the 10x/1x latency ratio of the lists, the server's peak
 * RSS, and writes bench/results/<date>.{md,json,svg}. Figures are ratios measured in one run:
 * absolute numbers move with whatever else the machine is doing.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { loadConfig, projectRoot, readEnv } from '../src/config.js';
import { resolveDatabase } from '../src/infrastructure/database/resolve-database.js';
import { seedDemoData } from '../src/infrastructure/database/seed/seed-demo-data.js';
import {
  createBenchDatabase,
  type LoadResult,
  measure,
  peakRssMb,
  startBenchServer,
  withDatabase,
} from './harness.js';
import { renderBarChart } from './plot.js';
import { prepareFixture, scenarios } from './scenarios.js';

const { values: args } = parseArgs({
  options: {
    scales: { type: 'string', default: '1,10' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '64' },
    only: { type: 'string' },
  },
});

const scales = args.scales!.split(',').map(Number);
const durationSeconds = Number(args.duration);
const warmupSeconds = Number(args.warmup);
const connections = Number(args.connections);

interface ScenarioResult extends LoadResult {
  name: string;
  ratioToBare: number;
  targetRatio?: number;
  isList: boolean;
  note?: string;
}

interface ScaleResult {
  scale: number;
  courses: number;
  users: number;
  seedSeconds: number;
  /** `bare`: the higher of the two runs (before and after the scenarios), which ratios use. */
  ceilings: { bare: LoadResult; bareRuns: LoadResult[]; sql: LoadResult };
  scenarios: ScenarioResult[];
  peakRssMb: number | undefined;
}

async function countRows(url: string): Promise<{ courses: number; users: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query(
      'SELECT (SELECT count(*) FROM courses)::int AS courses, (SELECT count(*) FROM users)::int AS users',
    );
    return rows[0];
  } finally {
    await client.end();
  }
}

async function runScale(serverUrl: string, scale: number): Promise<ScaleResult> {
  const database = await createBenchDatabase(serverUrl);
  try {
    const seedStarted = performance.now();
    const pool = new pg.Pool({ connectionString: database.url, max: 4 });
    await seedDemoData(pool, { scale });
    await pool.end();
    const seedSeconds = Math.round((performance.now() - seedStarted) / 100) / 10;
    const counts = await countRows(database.url);
    console.log(
      `\n== scale ${scale}: ${counts.courses} courses, ${counts.users} users (seeded in ${seedSeconds} s)`,
    );

    const server = await startBenchServer(database.url);
    try {
      const load = { connections, durationSeconds, warmupSeconds };
      const measureBare = () => measure({ ...load, url: `${server.ceilingOrigin}/bare` });
      const bareBefore = await measureBare();
      const sql = await measure({ ...load, url: `${server.ceilingOrigin}/sql` });
      console.log(`ceiling bare Fastify: ${bareBefore.requestsPerSecond} req/s, p99 ${bareBefore.p99Ms} ms`);
      console.log(`ceiling raw SQL:      ${sql.requestsPerSecond} req/s, p99 ${sql.p99Ms} ms`);

      const fixture = await prepareFixture(server.appOrigin, scale);
      const results: ScenarioResult[] = [];
      for (const scenario of scenarios) {
        if (args.only && !scenario.name.includes(args.only)) continue;
        const result = await measure({
          ...load,
          url: `${server.appOrigin}${scenario.path(fixture)}`,
          method: scenario.method,
          headers: scenario.headers?.(fixture),
          body: scenario.body?.(fixture),
          bodies: scenario.bodies?.(fixture),
        });
        results.push({
          ...result,
          name: scenario.name,
          ratioToBare: 0,
          targetRatio: scenario.targetRatio,
          isList: scenario.isList,
          note: scenario.note,
        });
        const failures = result.errors + result.non2xx;
        console.log(
          `${scenario.name.padEnd(24)} ${String(result.requestsPerSecond).padStart(7)} req/s  p50 ${result.p50Ms} ms  p99 ${result.p99Ms} ms${failures ? `  (${failures} failed requests!)` : ''}`,
        );
      }
      // The ceiling again, after the scenarios: on a shared machine one measurement can land in a
      // busy moment (a bare route at half its usual rate made every ratio of a run look twice as
      // good). Ratios use the higher of the two, the conservative choice for "at least x% of bare".
      const bareAfter = await measureBare();
      const bare = bareAfter.requestsPerSecond > bareBefore.requestsPerSecond ? bareAfter : bareBefore;
      console.log(
        `ceiling bare Fastify, after the scenarios: ${bareAfter.requestsPerSecond} req/s; ratios use ${bare.requestsPerSecond}`,
      );
      for (const result of results) {
        result.ratioToBare = Number((result.requestsPerSecond / bare.requestsPerSecond).toFixed(3));
        console.log(`${result.name.padEnd(24)} ${(result.ratioToBare * 100).toFixed(0)}% of bare`);
      }
      return {
        scale,
        ...counts,
        seedSeconds,
        ceilings: { bare, bareRuns: [bareBefore, bareAfter], sql },
        scenarios: results,
        peakRssMb: peakRssMb(server.pid),
      };
    } finally {
      await server.stop();
    }
  } finally {
    await database.drop();
  }
}

function report(results: ScaleResult[]) {
  const date = new Date().toISOString();
  const lines = [
    `# Benchmark ${date}`,
    '',
    `${connections} connections, ${warmupSeconds} s warm-up + ${durationSeconds} s per scenario; server in its own process.`,
    '',
  ];
  const checks: { target: string; met: boolean }[] = [];
  for (const scale of results) {
    lines.push(
      `## Scale ${scale.scale}: ${scale.courses} courses, ${scale.users} users`,
      '',
      '| scenario | req/s | p50 ms | p99 ms | vs bare Fastify | target | failed |',
      '| --- | ---: | ---: | ---: | ---: | --- | ---: |',
      `| ceiling: bare Fastify route (higher of ${scale.ceilings.bareRuns.map((run) => run.requestsPerSecond).join(' / ')}, before / after) | ${scale.ceilings.bare.requestsPerSecond} | ${scale.ceilings.bare.p50Ms} | ${scale.ceilings.bare.p99Ms} | 100% | | ${scale.ceilings.bare.non2xx + scale.ceilings.bare.errors} |`,
      `| ceiling: raw SQL through a pool | ${scale.ceilings.sql.requestsPerSecond} | ${scale.ceilings.sql.p50Ms} | ${scale.ceilings.sql.p99Ms} | ${Math.round((scale.ceilings.sql.requestsPerSecond / scale.ceilings.bare.requestsPerSecond) * 100)}% | | ${scale.ceilings.sql.non2xx + scale.ceilings.sql.errors} |`,
    );
    for (const s of scale.scenarios) {
      const target = s.targetRatio === undefined ? (s.note ?? '') : `>= ${s.targetRatio * 100}%`;
      lines.push(
        `| ${s.name} | ${s.requestsPerSecond} | ${s.p50Ms} | ${s.p99Ms} | ${(s.ratioToBare * 100).toFixed(0)}% | ${target} | ${s.non2xx + s.errors} |`,
      );
      if (s.targetRatio !== undefined) {
        checks.push({
          target: `scale ${scale.scale}: ${s.name} >= ${s.targetRatio * 100}% of bare Fastify`,
          met: s.ratioToBare >= s.targetRatio,
        });
      }
      checks.push({
        target: `scale ${scale.scale}: ${s.name} has no failed requests`,
        met: s.non2xx + s.errors === 0,
      });
    }
    lines.push(
      '',
      `Server peak RSS: ${scale.peakRssMb ?? 'n/a'} MB. Seeding took ${scale.seedSeconds} s.`,
      '',
    );
  }
  const base = results.find((r) => r.scale === Math.min(...scales));
  const big = results.find((r) => r.scale === Math.max(...scales));
  if (base && big && base !== big) {
    lines.push(
      `## Latency growth, scale ${big.scale} vs ${base.scale} (lists must stay <= 1.2x)`,
      '',
      '| list | p50 ratio | p99 ratio |',
      '| --- | ---: | ---: |',
    );
    for (const s of big.scenarios.filter((x) => x.isList)) {
      const small = base.scenarios.find((x) => x.name === s.name);
      if (!small) continue;
      const p50Ratio = Number((s.p50Ms / Math.max(small.p50Ms, 1)).toFixed(2));
      const p99Ratio = Number((s.p99Ms / Math.max(small.p99Ms, 1)).toFixed(2));
      lines.push(`| ${s.name} | ${p50Ratio} | ${p99Ratio} |`);
      checks.push({
        target: `${s.name}: p50 at ${big.scale}x <= 1.2 x p50 at ${base.scale}x`,
        met: p50Ratio <= 1.2,
      });
    }
    lines.push('');
  }
  lines.push('## Targets', '', ...checks.map((c) => `- ${c.met ? 'met' : '**MISSED**'}: ${c.target}`), '');

  const dir = path.join(projectRoot, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const stamp = date.replace(/[:.]/g, '-');
  const svgName = `${stamp}.svg`;
  lines.push(`![req/s per scenario vs ceiling](${svgName})`, '');
  writeFileSync(
    path.join(dir, `${stamp}.json`),
    `${JSON.stringify({ date, connections, durationSeconds, results, checks }, null, 2)}\n`,
  );
  writeFileSync(path.join(dir, `${stamp}.md`), `${lines.join('\n')}\n`);
  writeFileSync(path.join(dir, svgName), renderBarChart(results));
  console.log(`\n${lines.filter((l) => l.startsWith('- ')).join('\n')}`);
  console.log(`\nReport: bench/results/${stamp}.md`);
}

async function main() {
  const config = loadConfig();
  const serverUrl = readEnv('BENCH_DATABASE_URL');
  const database = serverUrl
    ? { url: serverUrl, release: async () => {} }
    : await resolveDatabase({ ...config, databaseUrl: undefined });
  try {
    const results: ScaleResult[] = [];
    for (const scale of scales) results.push(await runScale(withDatabase(database.url, 'postgres'), scale));
    report(results);
  } finally {
    await database.release();
  }
}

main().catch((error) => {
  console.error(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
