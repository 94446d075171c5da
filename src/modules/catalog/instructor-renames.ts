import { eq } from 'drizzle-orm';
import type { Database } from '../../infrastructure/database/client/client.js';
import { courses } from '../../infrastructure/database/schema/index.js';
import type { CatalogCache } from './catalog-cache.js';

/**
 * The catalog's reaction to `user.renamed`: catalog pages and course details show each course's
 * instructor by name, so every course of that user is invalidated (a student has none: one indexed
 * lookup that finds nothing). Subscribed in src/subscribers.ts.
 */
export function createInstructorRenames(db: Database, catalogCache: Pick<CatalogCache, 'courseChanged'>) {
  return {
    async userRenamed(userId: string): Promise<void> {
      const taught = await db
        .select({ id: courses.id })
        .from(courses)
        .where(eq(courses.instructorId, userId));
      await Promise.all(taught.map((course) => catalogCache.courseChanged(course.id)));
    },
  };
}
