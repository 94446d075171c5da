import type { Cache } from '../../src/infrastructure/cache/cache.js';
import { MemoryCache } from '../../src/infrastructure/cache/memory-cache.js';
import { RedisCache } from '../../src/infrastructure/cache/redis-cache.js';
import { type CatalogCache, createCatalogCache } from '../../src/modules/catalog/catalog-cache.js';
import { catalogModule } from '../../src/modules/catalog/index.js';
import { createLearnerAccess } from '../../src/modules/progress/index.js';
import type { TestApp } from './test-app.js';

/** The cache implementation the app under test uses: Redis when TEST_REDIS_URL is set, else in-process. */
export function cacheLike(testApp: Pick<TestApp, 'redis'>): Cache {
  return testApp.redis ? new RedisCache(testApp.redis) : new MemoryCache();
}

/**
 * Mounts the catalog routes a second time, at `prefix`, with a catalog cache the test holds, so it
 * can call `courseChanged` as a writer would (the app's own instance is private to src/app.ts).
 * Call before the app is ready.
 */
export async function mountCatalogWithCache(
  testApp: TestApp,
  prefix: string,
  ttlSeconds = 300,
): Promise<CatalogCache> {
  const catalogCache = createCatalogCache(cacheLike(testApp), ttlSeconds);
  const db = testApp.database.db;
  await testApp.app.register(catalogModule, {
    prefix,
    db,
    catalogCache,
    learnerAccess: createLearnerAccess(db),
  });
  return catalogCache;
}
