import { eq } from 'drizzle-orm';
import type { Database } from '../../infrastructure/database/client/client.js';
import { courses } from '../../infrastructure/database/schema/index.js';
import type { CatalogCache } from './catalog-cache.js';

/**
 * What account writes tell the catalog: a user's public name changed. Catalog pages and course
 * details show each course's instructor by name, so every course of that user is invalidated (a
 * student has none: one indexed lookup that finds nothing).
 */
export interface InstructorRenames {
  /** Call after the rename has committed. */
  userRenamed(userId: string): Promise<void>;
}

export function createInstructorRenames(
  db: Database,
  catalogCache: Pick<CatalogCache, 'courseChanged'>,
): InstructorRenames {
  return {
    async userRenamed(userId) {
      const taught = await db
        .select({ id: courses.id })
        .from(courses)
        .where(eq(courses.instructorId, userId));
      await Promise.all(taught.map((course) => catalogCache.courseChanged(course.id)));
    },
  };
}
