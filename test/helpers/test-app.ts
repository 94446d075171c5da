import { type App, type AppDependencies, buildApp } from '../../src/app.js';
import { type Config, parseConfig } from '../../src/config.js';
import { createDatabaseClient, type DatabaseClient } from '../../src/infrastructure/database/client.js';
import { createTestDatabase } from './test-database.js';

export interface TestApp {
  app: App;
  database: DatabaseClient;
  /** Connection string of this app's own freshly migrated database. */
  url: string;
  /** Closes the app, then the pool, then drops the database. */
  close(): Promise<void>;
}

export interface TestAppOptions {
  logger?: AppDependencies['logger'];
}

/** The test configuration (NODE_ENV=test: silent logs) for `url`, with `overrides` on top. */
export function testConfig(url: string, overrides: Partial<Config> = {}): Config {
  return { ...parseConfig({ NODE_ENV: 'test', DATABASE_URL: url }), ...overrides };
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
  let app: App;
  try {
    app = await buildApp({ config, database, logger: options.logger });
  } catch (error) {
    await database.close();
    await testDatabase.drop();
    throw error;
  }
  let closed = false;
  return {
    app,
    database,
    url: testDatabase.url,
    async close() {
      if (closed) return;
      closed = true;
      try {
        await app.close();
      } finally {
        await database.close();
        await testDatabase.drop();
      }
    },
  };
}
