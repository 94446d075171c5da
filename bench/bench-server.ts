/**
 * The process under load in `npm run bench`: the real application (as `npm start` builds it, without
 * logs and with rate limits out of the way) and the ceilings (with the profiler's switch), each on an
 * ephemeral port. Prints
 * `{"appPort":…,"ceilingPort":…}` once listening; stops on SIGTERM.
 */
import { randomBytes } from 'node:crypto';
import { Session } from 'node:inspector/promises';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import pg from 'pg';
import { buildApp } from '../src/app.js';
import { type Config, parseConfig } from '../src/config.js';
import { createDatabaseClient } from '../src/infrastructure/database/client.js';
import { createRedis } from '../src/infrastructure/redis.js';

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) throw new Error('bench-server needs DATABASE_URL');

const config: Config = {
  ...parseConfig({
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl,
    JWT_SECRET: randomBytes(32).toString('hex'),
  }),
  logLevel: 'silent',
  rateLimit: { globalPerMinute: 100_000_000, authPerMinute: 100_000_000 },
};
const database = createDatabaseClient(databaseUrl, { max: config.databasePoolMax });
const redis = process.env.BENCH_REDIS_URL ? createRedis(process.env.BENCH_REDIS_URL) : undefined;
const app = await buildApp({
  config,
  database,
  logger: false,
  redis,
  mailer: { send: async () => {}, close: () => {} },
});
await app.listen({ host: '127.0.0.1', port: 0 });

// Ceilings: the least a Fastify route costs here, and one small query through a pool of the same size.
const ceilingPool = new pg.Pool({ connectionString: databaseUrl, max: config.databasePoolMax });
const ceiling = Fastify({ logger: false });
ceiling.get('/bare', async () => ({ ok: true }));
ceiling.get('/sql', async () => {
  const { rows } = await ceilingPool.query('SELECT id, title FROM courses ORDER BY id LIMIT 1');
  return { rows };
});
// The V8 sampling profiler of this process, started and stopped around a scenario's load by the
// bench runner: the profile `--cpu-prof` would write at exit, but of exactly that window.
const profiler = new Session();
profiler.connect();
await profiler.post('Profiler.enable');
ceiling.post('/profile/start', async () => {
  await profiler.post('Profiler.start');
  return { ok: true };
});
ceiling.post('/profile/stop', async () => (await profiler.post('Profiler.stop')).profile);
await ceiling.listen({ host: '127.0.0.1', port: 0 });

process.stdout.write(
  `${JSON.stringify({
    appPort: (app.server.address() as AddressInfo).port,
    ceilingPort: (ceiling.server.address() as AddressInfo).port,
  })}\n`,
);

process.on('SIGTERM', async () => {
  await Promise.allSettled([app.close(), ceiling.close()]);
  await Promise.allSettled([database.close(), ceilingPool.end()]);
  redis?.disconnect();
  process.exit(0);
});
