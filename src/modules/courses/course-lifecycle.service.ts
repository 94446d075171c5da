/**
 * Course lifecycle: publish, archive, unpublish and delete, each under the course row lock with the
 * optional If-Match check. Writes the `courses` table (a delete cascades to `course_modules` and
 * `lessons`); every committed change publishes `course.changed`.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { PgUpdateSetSource } from 'drizzle-orm/pg-core';
import { type Course, type CourseStatus, courses } from '../../infrastructure/database/schema/index.js';
import type { Actor } from '../../shared/actor.js';
import { FOREIGN_KEY_VIOLATION, isViolation } from '../../shared/database-violations.js';
import { AppError } from '../../shared/errors.js';
import type { Transaction } from '../../shared/transaction.js';
import { courseNotFound } from './course-access.js';
import { publishBlockersOf } from './course-fields.js';
import { type CourseWriteDependencies, createCourseWriter } from './course-writes.js';
import { countOutline, hasEnrollments } from './courses.queries.js';

function invalidTransition(course: Course, action: string, allowedFrom: CourseStatus[]): AppError {
  return new AppError(
    'conflict',
    `Cannot ${action} a ${course.status} course; only ${allowedFrom.join(' or ')} courses can be ${action === 'publish' ? 'published' : `${action}d`}.`,
    { status: course.status },
  );
}

/** Moves a course between draft, published and archived, or deletes a draft. */
export function createCourseLifecycleService(deps: CourseWriteDependencies) {
  const writer = createCourseWriter(deps);

  async function transition(
    actor: Actor,
    courseId: string,
    ifMatch: number[] | undefined,
    lock: 'update' | 'no key update',
    apply: (tx: Transaction, course: Course) => Promise<PgUpdateSetSource<typeof courses>>,
  ): Promise<Course> {
    const { result } = await writer.write(actor, courseId, { ifMatch, lock }, async (tx, course) => {
      const changes = await apply(tx, course);
      const [updated] = await tx
        .update(courses)
        .set({ ...changes, version: sql`${courses.version} + 1` })
        .where(and(eq(courses.id, courseId), eq(courses.version, course.version)))
        .returning();
      if (!updated) throw courseNotFound();
      return updated;
    });
    return result;
  }

  return {
    /** draft or archived → published, once it has a description and a lesson. */
    publish(actor: Actor, courseId: string, ifMatch?: number[]): Promise<Course> {
      return transition(actor, courseId, ifMatch, 'no key update', async (tx, course) => {
        if (course.status === 'published') throw invalidTransition(course, 'publish', ['draft', 'archived']);
        const counts = await countOutline(tx, courseId);
        const blockers = publishBlockersOf(course.description, counts.modules, counts.lessons);
        if (blockers.length > 0) {
          throw new AppError('conflict', `The course cannot be published yet: ${blockers.join(' ')}`, {
            blockers,
          });
        }
        return {
          status: 'published',
          publishedAt: course.publishedAt ?? sql`now()`,
          archivedAt: null,
        };
      });
    },

    /** published → archived: stays readable by enrolled students, takes no new enrollments. */
    archive(actor: Actor, courseId: string, ifMatch?: number[]): Promise<Course> {
      return transition(actor, courseId, ifMatch, 'no key update', async (_tx, course) => {
        if (course.status !== 'published') throw invalidTransition(course, 'archive', ['published']);
        return { status: 'archived', archivedAt: sql`now()` };
      });
    },

    /**
     * published → draft, only while nobody is enrolled (students would lose a course they joined).
     * The FOR UPDATE lock makes a concurrent enrollment (whose foreign key needs a share lock on the
     * course row) wait until this decision is committed.
     */
    unpublish(actor: Actor, courseId: string, ifMatch?: number[]): Promise<Course> {
      return transition(actor, courseId, ifMatch, 'update', async (tx, course) => {
        if (course.status !== 'published') throw invalidTransition(course, 'unpublish', ['published']);
        if (await hasEnrollments(tx, courseId)) {
          throw new AppError(
            'conflict',
            'Students are enrolled in this course, so it cannot go back to draft; archive it instead.',
          );
        }
        return { status: 'draft' };
      });
    },

    /** Deletes a draft nobody is enrolled in (with its modules and lessons). */
    async delete(actor: Actor, courseId: string, ifMatch?: number[]): Promise<void> {
      try {
        await writer.write(actor, courseId, { ifMatch, lock: 'update' }, async (tx, course) => {
          if (course.status !== 'draft') {
            throw new AppError(
              'conflict',
              `Only draft courses can be deleted; this one is ${course.status}${course.status === 'published' ? ' (archive it instead)' : ''}.`,
            );
          }
          if (await hasEnrollments(tx, courseId)) {
            throw new AppError('conflict', 'Students are enrolled in this course, so it cannot be deleted.');
          }
          await tx.delete(courses).where(eq(courses.id, courseId));
        });
      } catch (error) {
        if (isViolation(error, FOREIGN_KEY_VIOLATION)) {
          throw new AppError(
            'conflict',
            'The course is still referenced (e.g. by certificates or payments) and cannot be deleted.',
          );
        }
        throw error;
      }
    },
  };
}
