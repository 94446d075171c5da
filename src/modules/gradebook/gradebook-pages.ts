import type { Cache } from '../../infrastructure/cache/cache.js';
import { createStampedViews, type ViewEntry } from '../../infrastructure/cache/stamped-views.js';

/**
 * How long an instance keeps a gradebook page without seeing an invalidation. Every API write that
 * changes what a page shows invalidates it at once (src/subscribers.ts); this bounds only what none
 * reaches (a row changed outside the application, an invalidation lost while Redis was down).
 */
export const GRADEBOOK_PAGE_TTL_SECONDS = 60;

/** A page of 20 students × 30 items is ~110 KB: these hold ~290 such pages per instance. */
const LOCAL_LIMITS = { maxEntries: 10_000, maxBytes: 32 * 1024 * 1024 };

/** Students' names and emails of every course at once: renames are rare next to these reads. */
const ALL_STUDENTS = 'all';

/**
 * JSON pages of `GET /courses/:id/gradebook`, kept per instance as the bytes sent, keyed by course
 * and query (sort, limit, cursor). A page is the same for every caller allowed to read it (the
 * course's instructor, admins): who may read it is checked on every request before this is asked.
 * It is stamped with two generations (src/infrastructure/cache/stamped-views.ts): the course's,
 * replaced after every committed change of its graded items, enrolments, attempts or grades, and
 * one for the students' names of all courses, replaced after a rename. A page is never served past
 * the next due date or closing time among its items (its `missing` flags change then, without a write).
 */
export interface GradebookPages {
  get(courseId: string, query: string, load: () => Promise<ViewEntry>): Promise<Buffer>;
  /** After a committed change of anything a page of the course shows. */
  courseChanged(courseId: string): Promise<void>;
  /** After a committed change of a user's name (the pages of every course show students by name). */
  studentRenamed(): Promise<void>;
}

export function createGradebookPages(cache: Cache, ttlSeconds = GRADEBOOK_PAGE_TTL_SECONDS): GradebookPages {
  const views = createStampedViews(cache, {
    groups: { shared: 'gradebook:course-generation', own: 'gradebook:names-generation' },
    ttlSeconds,
    limits: LOCAL_LIMITS,
  });
  return {
    get: (courseId, query, load) =>
      views.get({ shared: courseId, own: ALL_STUDENTS, view: `${courseId}?${query}` }, load),
    courseChanged: (courseId) => views.sharedChanged(courseId),
    studentRenamed: () => views.ownChanged(ALL_STUDENTS),
  };
}
