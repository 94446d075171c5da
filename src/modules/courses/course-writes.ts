import { eq, sql } from 'drizzle-orm';
import type { Database } from '../../infrastructure/database/client/client.js';
import { type Course, courses } from '../../infrastructure/database/schema/index.js';
import type { DomainEventBus } from '../../infrastructure/events/domain-events.js';
import { unitOfWork } from '../../infrastructure/events/unit-of-work.js';
import type { Actor } from '../../shared/actor.js';
import type { Transaction } from '../../shared/transaction.js';
import { authorizeCourseWrite, courseNotFound, requireAuthorRole } from './course-access.js';

/**
 * Throws unless the client's precondition (the versions its If-Match accepts; undefined when it sent
 * none) holds for the course's current version. `required`: a missing precondition fails too. The
 * routes supply it, since it speaks the protocol (src/http/etag.ts); it runs here, under the row lock.
 */
export type VersionPrecondition = (
  expected: number[] | undefined,
  currentVersion: number,
  required: boolean,
) => void;

export interface CourseWriteDependencies {
  db: Database;
  /**
   * Every committed write publishes `course.changed` (its fields, status, modules, lessons or their
   * order changed); the catalog cache subscribes (src/subscribers.ts).
   */
  events: DomainEventBus;
  checkPrecondition: VersionPrecondition;
}

export interface CourseWriteOptions {
  /** Versions the client's If-Match accepts (undefined: header absent). */
  ifMatch?: number[] | undefined;
  /** A missing If-Match is a 412 too (course field edits). */
  requireIfMatch?: boolean;
  /**
   * Row lock on the course. `no key update` (default) serialises every authoring write on the course
   * without blocking rows that merely reference it (enrollments, quizzes); `update` also blocks those,
   * for writes whose rule depends on their absence (unpublish and delete check for enrollments).
   */
  lock?: 'update' | 'no key update';
  /** Increment `courses.version` after the work (structural writes); course-field updates do it themselves. */
  bumpVersion?: boolean;
}

/** Locks the course row for the rest of the transaction; undefined when there is no such course. */
export async function lockCourse(
  tx: Transaction,
  courseId: string,
  strength: 'update' | 'no key update' = 'no key update',
): Promise<Course | undefined> {
  const [course] = await tx.select().from(courses).where(eq(courses.id, courseId)).for(strength);
  return course;
}

async function bumpCourseVersion(tx: Transaction, courseId: string): Promise<number> {
  const [row] = await tx
    .update(courses)
    .set({ version: sql`${courses.version} + 1` })
    .where(eq(courses.id, courseId))
    .returning({ version: courses.version });
  if (!row) throw courseNotFound();
  return row.version;
}

/**
 * Runs one authoring write on a course: one transaction that first locks the course row (so that
 * concurrent writes to the same course, e.g. two reorders and an insert, run one after the other
 * instead of interleaving or deadlocking), checks who may write and the If-Match precondition,
 * runs `work`, optionally bumps the course version, and commits; `course.changed` is delivered after
 * the commit (never for a refused or rolled back write).
 */
export function createCourseWriter(deps: CourseWriteDependencies) {
  const { db, events } = deps;

  return {
    /** For a course write made outside `write` (creation), once it has committed. */
    courseChanged(courseId: string): Promise<void> {
      return events.publish('course.changed', { courseId });
    },

    async write<T>(
      actor: Actor,
      courseId: string,
      options: CourseWriteOptions,
      work: (tx: Transaction, course: Course) => Promise<T>,
    ): Promise<{ result: T; courseVersion: number }> {
      requireAuthorRole(actor);
      return unitOfWork(db, events, async (tx, changes) => {
        const course = await lockCourse(tx, courseId, options.lock);
        if (!course) throw courseNotFound();
        authorizeCourseWrite(actor, course);
        deps.checkPrecondition(options.ifMatch, course.version, options.requireIfMatch === true);
        const result = await work(tx, course);
        const courseVersion = options.bumpVersion ? await bumpCourseVersion(tx, courseId) : course.version;
        changes.publish('course.changed', { courseId });
        return { result, courseVersion };
      });
    },
  };
}

export type CourseWriter = ReturnType<typeof createCourseWriter>;
