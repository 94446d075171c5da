/**
 * The CPU profile of the hottest scenario, summarised for the report: where the server's time goes
 * by origin (our code, each dependency, Node's internals, GC) and the functions with the most self
 * time. From `node --cpu-prof` of a second server process loaded with that scenario alone (its
 * throughput is not reported, since profiling slows it).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The subset of V8's `Profiler.Profile` used here. */
export interface CpuProfile {
  nodes: {
    id: number;
    hitCount?: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
  }[];
  startTime: number;
  endTime: number;
  samples?: number[];
}

export interface ProfileSummary {
  scenario: string;
  sampledMs: number;
  /** Share of samples by where the code comes from, largest first. */
  origins: { origin: string; percent: number }[];
  /** Functions with the most self time, largest first. */
  functions: { name: string; location: string; origin: string; percent: number }[];
}

/** scripts/run.mjs runs src/ compiled into node_modules/.cache/learning-platform/<hash>/src/. */
const COMPILED_SOURCE = /node_modules\/\.cache\/learning-platform\/[^/]+\/(src\/.*)$/;

/** A frame's file as a path relative to the project (compiled sources mapped back to src/). */
function fileOf(url: string, projectRoot: string): string {
  const file = url.startsWith('file://') ? fileURLToPath(url) : url;
  const compiled = COMPILED_SOURCE.exec(file);
  if (compiled) return compiled[1]!.replace(/\.js$/, '.ts');
  return path.relative(projectRoot, file).replace(/^(\.\.\/)+/, '');
}

function originOf(url: string, projectRoot: string): string {
  if (url === '') return 'V8 / native';
  if (url.startsWith('node:')) return 'Node.js internals';
  const file = fileOf(url, projectRoot);
  const dependency = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
  if (dependency) return dependency[1]!;
  if (file.startsWith('src/')) return `ours: ${file.split('/').slice(0, 2).join('/')}`;
  return file;
}

export function summariseProfile(
  scenario: string,
  profile: CpuProfile,
  projectRoot: string,
  top = 15,
): ProfileSummary {
  const total = profile.nodes.reduce((sum, node) => sum + (node.hitCount ?? 0), 0) || 1;
  const byOrigin = new Map<string, number>();
  const byFunction = new Map<string, { name: string; location: string; origin: string; hits: number }>();
  for (const { hitCount = 0, callFrame } of profile.nodes) {
    if (hitCount === 0) continue;
    // V8's pseudo-frames: "(garbage collector)", "(program)", "(idle)".
    const pseudo = callFrame.url === '' && callFrame.functionName.startsWith('(');
    const origin = pseudo ? callFrame.functionName : originOf(callFrame.url, projectRoot);
    byOrigin.set(origin, (byOrigin.get(origin) ?? 0) + hitCount);
    // Lines of our files are those of the compiled JavaScript (close to the TypeScript's).
    const line = callFrame.lineNumber >= 0 ? `:${callFrame.lineNumber + 1}` : '';
    const location = callFrame.url ? `${fileOf(callFrame.url, projectRoot)}${line}` : '';
    const key = `${callFrame.functionName}@${location}`;
    const entry = byFunction.get(key) ?? {
      name: callFrame.functionName || '(anonymous)',
      location,
      origin,
      hits: 0,
    };
    entry.hits += hitCount;
    byFunction.set(key, entry);
  }
  const percent = (hits: number) => Number(((hits / total) * 100).toFixed(1));
  return {
    scenario,
    sampledMs: Math.round((profile.endTime - profile.startTime) / 1000),
    origins: [...byOrigin]
      .sort((a, b) => b[1] - a[1])
      .map(([origin, hits]) => ({ origin, percent: percent(hits) })),
    functions: [...byFunction.values()]
      .sort((a, b) => b.hits - a.hits)
      .slice(0, top)
      .map(({ hits, ...rest }) => ({ ...rest, percent: percent(hits) })),
  };
}

export function profileMarkdown(summary: ProfileSummary): string[] {
  return [
    `## CPU profile: ${summary.scenario}`,
    '',
    `\`node --cpu-prof\` of a second server process over ${summary.sampledMs} ms of this scenario's load (its throughput is not reported).`,
    '',
    '| where the time goes | share |',
    '| --- | ---: |',
    ...summary.origins.slice(0, 12).map((o) => `| ${o.origin} | ${o.percent}% |`),
    '',
    '| function (self time) | location | share |',
    '| --- | --- | ---: |',
    ...summary.functions.map((f) => `| ${f.name} | ${f.location} | ${f.percent}% |`),
    '',
  ];
}
