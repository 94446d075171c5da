#!/usr/bin/env node
/**
 * Runs an entry point of src/ (e.g. `cli/db-migrate`, `server`) as plain JavaScript.
 *
 * Why not `tsx` for every command: its loader costs ~300 ms per process here, which is most of a
 * `db:migrate`. This compiles src/ once with esbuild (transpile only, ~100 ms) into a cache folder
 * keyed by the sources' names, sizes and mtimes, and reuses it until a source changes. Concurrent
 * runs are safe: each builds into a private folder and renames it into place.
 * `--build-only` compiles and exits (used by the Dockerfile so the image starts without compiling).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const srcDir = path.join(root, 'src');

function listSources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return listSources(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

function cacheRoot() {
  const preferred = path.join(root, 'node_modules', '.cache', 'learning-platform');
  try {
    mkdirSync(preferred, { recursive: true });
    return preferred;
  } catch {
    // read-only install (e.g. a container's node_modules): fall back to the temp folder
    const fallback = path.join(tmpdir(), 'learning-platform-build');
    mkdirSync(fallback, { recursive: true });
    return fallback;
  }
}

async function ensureBuild() {
  const sources = listSources(srcDir).sort();
  const fingerprint = createHash('sha256');
  for (const file of sources) {
    const { size, mtimeMs } = statSync(file);
    fingerprint.update(`${path.relative(srcDir, file)}:${size}:${mtimeMs}\n`);
  }
  const cache = cacheRoot();
  const key = fingerprint.digest('hex').slice(0, 16);
  // Sits inside the cache folder so that `projectRoot` (found by walking up to package.json) and
  // node_modules resolution still reach the project.
  const outDir = path.join(cache, key, 'src');
  if (existsSync(outDir)) return outDir;

  const { build } = await import('esbuild');
  const staging = path.join(cache, `${key}.tmp-${process.pid}`);
  await build({
    entryPoints: sources,
    outdir: path.join(staging, 'src'),
    outbase: srcDir,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: 'inline',
    logLevel: 'error',
  });
  try {
    renameSync(staging, path.join(cache, key));
  } catch {
    rmSync(staging, { recursive: true, force: true }); // another process won the race
  }
  for (const old of readdirSync(cache)) {
    if (old !== key && !old.includes('.tmp-'))
      rmSync(path.join(cache, old), { recursive: true, force: true });
  }
  return outDir;
}

const [entry, ...rest] = process.argv.slice(2);
if (!entry) {
  process.stderr.write(
    'usage: node scripts/run.mjs <entry under src/, e.g. cli/db-migrate> [args...] | --build-only\n',
  );
  process.exit(2);
}
const outDir = await ensureBuild();
if (entry === '--build-only') process.exit(0);
process.setSourceMapsEnabled(true);
process.argv = [process.argv[0], path.join(srcDir, `${entry}.ts`), ...rest];
await import(pathToFileURL(path.join(outDir, `${entry}.js`)).href);
