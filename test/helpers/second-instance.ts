import type { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { type App, buildApp } from '../../src/app.js';
import {
  createDatabaseClient,
  type DatabaseClient,
} from '../../src/infrastructure/database/client/client.js';
import { createRedis } from '../../src/infrastructure/redis.js';
import { redisReady } from './test-app.js';
import { createOutboxMailer } from './test-mailer.js';
import type { CastName, TestAppSuite } from './use-test-app.js';

/**
 * A second API instance on the suite's database and Redis (its own pool, its own Redis connection
 * with the suite's key prefix), as behind a load balancer: built before the suite's tests, closed
 * after them. Call it after `useTestApp` in a describe block that needs Redis (TEST_REDIS_URL).
 */
export function useSecondInstance<C extends CastName>(first: TestAppSuite<C>): { readonly app: App } {
  let app: App | undefined;
  let redis: Redis | undefined;
  let database: DatabaseClient | undefined;

  beforeAll(async () => {
    redis = createRedis(process.env.TEST_REDIS_URL!);
    redis.options.keyPrefix = first.testApp.redis!.options.keyPrefix;
    await redisReady(redis);
    database = createDatabaseClient(first.testApp.url, { max: 2 });
    app = await buildApp({
      config: first.testApp.config,
      database,
      logger: false,
      redis,
      mailer: createOutboxMailer(),
    });
  });
  afterAll(async () => {
    await app?.close();
    redis?.disconnect();
    await database?.close();
  });

  return {
    get app() {
      if (!app) throw new Error('useSecondInstance: the second instance is read before its beforeAll ran');
      return app;
    },
  };
}
