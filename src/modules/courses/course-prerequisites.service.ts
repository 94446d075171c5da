/**
 * Prerequisite courses: the courses a learner must have completed before enrolling in this one
 * (the enrollments module checks them). Writes the `course_prerequisites` table under the course row
 * lock; a replacement bumps the course version and publishes `course.changed`.
 */
import { eq, sql } from 'drizzle-orm';
import { coursePrerequisites } from '../../infrastructure/database/schema/index.js';
import type { Actor } from '../../shared/actor.js';
import { AppError, type FieldError } from '../../shared/errors.js';
import { validationFailed } from '../../shared/validation.js';
import { authorizeCourseWrite, courseNotFound, requireAuthorRole } from './course-access.js';
import { type CourseWriteDependencies, createCourseWriter } from './course-writes.js';
import {
  findCourseAuthorFacts,
  findPrerequisiteCycle,
  findPrerequisites,
  type PrerequisiteCourse,
  publishedCourseIds,
} from './courses.queries.js';

/**
 * Every replacement of a prerequisite list runs under this one transaction-level advisory lock: two
 * edits of different courses (A needs B, B needs A) could otherwise each pass the cycle check and
 * commit a cycle together. Edits are rare, so serialising them all costs nothing.
 */
const PREREQUISITE_EDIT_LOCK = 0x70726571; // "preq"

export interface CoursePrerequisites {
  courseId: string;
  courseVersion: number;
  prerequisites: PrerequisiteCourse[];
}

export function createCoursePrerequisitesService(deps: CourseWriteDependencies) {
  const { db } = deps;
  const writer = createCourseWriter(deps);

  return {
    /** The course's prerequisites, for its instructor and admins (404 / 403 for others, as for writes). */
    async getPrerequisites(actor: Actor, courseId: string): Promise<CoursePrerequisites> {
      requireAuthorRole(actor);
      const course = await findCourseAuthorFacts(db, courseId);
      if (!course) throw courseNotFound();
      authorizeCourseWrite(actor, course);
      return {
        courseId,
        courseVersion: course.version,
        prerequisites: await findPrerequisites(db, courseId),
      };
    },

    /**
     * Replaces the list. Each course must exist and be published (one message for both, so another
     * instructor's drafts do not show), must not be this course, and must not need this course itself,
     * directly or through its own prerequisites (409 `prerequisite_cycle`, naming the path).
     */
    async replacePrerequisites(
      actor: Actor,
      courseId: string,
      prerequisiteIds: string[],
      ifMatch?: number[],
    ): Promise<CoursePrerequisites> {
      const ids = [...new Set(prerequisiteIds.map((id) => id.toLowerCase()))];
      const { result, courseVersion } = await writer.write(
        actor,
        courseId,
        { ifMatch, bumpVersion: true },
        async (tx) => {
          const errors: FieldError[] = [];
          const published = await publishedCourseIds(tx, ids);
          ids.forEach((id, index) => {
            const field = `/body/prerequisiteCourseIds/${index}`;
            if (id === courseId) errors.push({ field, message: 'is this course itself' });
            else if (!published.has(id)) errors.push({ field, message: 'is not a published course' });
          });
          if (errors.length > 0) throw validationFailed(errors);
          await tx.execute(sql`SELECT pg_advisory_xact_lock(${PREREQUISITE_EDIT_LOCK})`);
          const cycle = await findPrerequisiteCycle(tx, courseId, ids);
          if (cycle) {
            throw new AppError(
              'prerequisite_cycle',
              `A prerequisite already needs this course (${cycle.map((step) => step.title).join(' → ')}), so requiring it would form a cycle.`,
              { cycle: cycle.map((step) => step.id) },
            );
          }
          await tx.delete(coursePrerequisites).where(eq(coursePrerequisites.courseId, courseId));
          if (ids.length > 0) {
            await tx
              .insert(coursePrerequisites)
              .values(ids.map((prerequisiteCourseId) => ({ courseId, prerequisiteCourseId })));
          }
          return findPrerequisites(tx, courseId);
        },
      );
      return { courseId, courseVersion, prerequisites: result };
    },
  };
}

export type CoursePrerequisitesService = ReturnType<typeof createCoursePrerequisitesService>;
