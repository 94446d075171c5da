import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { type App, type AppDependencies, buildApp } from '../../src/app.js';
import { type Config, parseConfig } from '../../src/config.js';
import {
  createDatabaseClient,
  type Database,
  type DatabaseClient,
} from '../../src/infrastructure/database/client/client.js';
import type { Mailer } from '../../src/infrastructure/mail/mailer.js';
import { createRedis } from '../../src/infrastructure/redis.js';
import { createTestDatabase } from './test-database.js';
import { createOutboxMailer, type OutboxMailer } from './test-mailer.js';

export interface TestApp {
  app: App;
  database: DatabaseClient;
  /** Drizzle over `database`'s pool, for arranging and checking rows directly. */
  db: Database;
  /** The settings the app was built with. */
  config: Config;
  /** Connection string of this app's own freshly migrated database. */
  url: string;
  /** The Redis connection (own key prefix) when TEST_REDIS_URL is set and not disabled. */
  redis: Redis | undefined;
  /** Emails sent through the default test mailer. */
  outbox: OutboxMailer;
  /** Closes the app, then the pool, then drops the database. */
  close(): Promise<void>;
}

export interface TestAppOptions {
  logger?: AppDependencies['logger'];
  /** Use Redis (TEST_REDIS_URL) for cache and rate limits; default: whenever TEST_REDIS_URL is set. */
  redis?: boolean;
  /** Replaces the outbox mailer (e.g. an SMTP mailer pointed at a local test server). */
  mailer?: Mailer;
}

/** A Redis connection whose keys are private to one test app, so parallel files do not share limits. */
export function createTestRedis(): Redis | undefined {
  const url = process.env.TEST_REDIS_URL;
  if (!url) return undefined;
  const redis = createRedis(url);
  redis.options.keyPrefix = `lp-test-${randomBytes(6).toString('hex')}:`;
  return redis;
}

/** Signs every test app's tokens: fixed, so that a token made in one test app works in another. */
export const TEST_JWT_SECRET = 'test-suite-only-jwt-secret-0123456789abcdefghij';

/** The test configuration (NODE_ENV=test: silent logs) for `url`, with `overrides` on top. */
export function testConfig(url: string, overrides: Partial<Config> = {}): Config {
  return {
    ...parseConfig({ NODE_ENV: 'test', DATABASE_URL: url, JWT_SECRET: TEST_JWT_SECRET }),
    ...overrides,
  };
}

/**
 * The application on a fresh, migrated database of its own. Not `ready()` yet: a test may still
 * add routes with `app.get(...)`; the first `inject` makes it ready.
 */
export async function buildTestApp(
  overrides: Partial<Config> = {},
  options: TestAppOptions = {},
): Promise<TestApp> {
  const testDatabase = await createTestDatabase();
  const config = testConfig(testDatabase.url, overrides);
  const database = createDatabaseClient(testDatabase.url, {
    max: 5,
    applicationName: 'learning-platform:test',
  });
  const redis = options.redis === false ? undefined : createTestRedis();
  const outbox = createOutboxMailer();
  let app: App;
  try {
    app = await buildApp({
      config,
      database,
      logger: options.logger,
      redis,
      mailer: options.mailer ?? outbox,
    });
  } catch (error) {
    redis?.disconnect();
    await database.close();
    await testDatabase.drop();
    throw error;
  }
  let closed = false;
  return {
    app,
    database,
    db: database.db,
    config,
    url: testDatabase.url,
    redis,
    outbox,
    async close() {
      if (closed) return;
      closed = true;
      try {
        await app.close();
      } finally {
        redis?.disconnect();
        await database.close();
        await testDatabase.drop();
      }
    },
  };
}

/**
 * Waits until a test app's Redis connection (if any) is up. Limits fail open while Redis is
 * unreachable, so a rate-limit test must not start before it is connected. A first connection
 * attempt that times out on a busy machine is retried by ioredis: its 'error' events are not the end.
 */
export async function redisReady(redis: Redis | undefined, timeoutMs = 30_000): Promise<void> {
  if (!redis || redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`redisReady: Redis did not answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    redis.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
