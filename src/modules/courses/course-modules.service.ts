/**
 * Modules of a course: create, edit, delete and reorder, with dense 0-based positions. Writes the
 * `course_modules` table (a delete cascades to its `lessons`), under the course row lock; every write
 * bumps the course version and publishes `course.changed`, delivered after commit.
 */
import { and, eq } from 'drizzle-orm';
import type { Static } from 'typebox';
import { type CourseModule, courseModules } from '../../infrastructure/database/schema/index.js';
import type { Actor } from '../../shared/actor.js';
import { AppError } from '../../shared/errors.js';
import { findModule, modulesOf, type PositionEntry } from './course-outline.queries.js';
import { type CourseWriteDependencies, createCourseWriter } from './course-writes.js';
import type { CreateModuleBody, UpdateModuleBody } from './courses.schemas.js';
import { insertPosition, MAX_MODULES_PER_COURSE, placeInserted, renumber } from './ordering.js';
import {
  blankToNull,
  checkPermutation,
  ensureLessonsRemain,
  inOrder,
  moduleNotFound,
  positionOutOfRange,
  type Written,
} from './outline-rules.js';

export type CreateModuleInput = Static<typeof CreateModuleBody>;
export type UpdateModuleInput = Static<typeof UpdateModuleBody>;

export function createCourseModulesService(deps: CourseWriteDependencies) {
  const writer = createCourseWriter(deps);
  const structural = (ifMatch: number[] | undefined) => ({ ifMatch, bumpVersion: true });

  return {
    async createModule(
      actor: Actor,
      courseId: string,
      input: CreateModuleInput,
      ifMatch?: number[],
    ): Promise<Written<CourseModule>> {
      return writer.write(actor, courseId, structural(ifMatch), async (tx) => {
        const current = await modulesOf(tx, courseId);
        if (current.length >= MAX_MODULES_PER_COURSE) {
          throw new AppError('conflict', `A course can have at most ${MAX_MODULES_PER_COURSE} modules.`);
        }
        const index = input.position ?? current.length;
        if (index > current.length) throw positionOutOfRange('/body/position', current.length);
        const [created] = await tx
          .insert(courseModules)
          .values({
            courseId,
            title: input.title.trim(),
            description: blankToNull(input.description),
            position: insertPosition(current.length, index),
          })
          .returning();
        if (!created) throw new Error('INSERT ... RETURNING returned no row');
        await placeInserted(tx, courseModules, current, created.id, index);
        return { ...created, position: index };
      });
    },

    async updateModule(
      actor: Actor,
      courseId: string,
      moduleId: string,
      input: UpdateModuleInput,
      ifMatch?: number[],
    ): Promise<Written<CourseModule>> {
      return writer.write(actor, courseId, structural(ifMatch), async (tx) => {
        const [updated] = await tx
          .update(courseModules)
          .set({
            ...(input.title === undefined ? {} : { title: input.title.trim() }),
            ...(input.description === undefined ? {} : { description: blankToNull(input.description) }),
          })
          .where(and(eq(courseModules.id, moduleId), eq(courseModules.courseId, courseId)))
          .returning();
        if (!updated) throw moduleNotFound();
        return updated;
      });
    },

    /** Deletes a module with its lessons and closes the gap. */
    async deleteModule(
      actor: Actor,
      courseId: string,
      moduleId: string,
      ifMatch?: number[],
    ): Promise<Written<void>> {
      return writer.write(actor, courseId, structural(ifMatch), async (tx, course) => {
        const module = await findModule(tx, courseId, moduleId);
        if (!module) throw moduleNotFound();
        await ensureLessonsRemain(tx, course, { moduleId });
        await tx.delete(courseModules).where(eq(courseModules.id, moduleId));
        const remaining = (await modulesOf(tx, courseId)).filter((row) => row.id !== moduleId);
        await renumber(
          tx,
          courseModules,
          remaining,
          remaining.map((row) => row.id),
        );
      });
    },

    async reorderModules(
      actor: Actor,
      courseId: string,
      moduleIds: string[],
      ifMatch?: number[],
    ): Promise<Written<PositionEntry[]>> {
      return writer.write(actor, courseId, structural(ifMatch), async (tx) => {
        const current = await modulesOf(tx, courseId);
        checkPermutation('module', '/body/moduleIds', current, moduleIds);
        await renumber(tx, courseModules, current, moduleIds);
        return inOrder(current, moduleIds);
      });
    },
  };
}
