/**
 * Lessons of a course: create, edit (and move between modules), delete and reorder, with dense
 * 0-based positions per module. Writes the `lessons` table under the course row lock; every write
 * bumps the course version and publishes `course.changed`, delivered after commit.
 */
import { and, eq } from 'drizzle-orm';
import type { Static } from 'typebox';
import { type Lesson, lessons } from '../../infrastructure/database/schema/index.js';
import type { Actor } from '../../shared/actor.js';
import { AppError } from '../../shared/errors.js';
import { validationFailed } from '../../shared/validation.js';
import { findLesson, findModule, lessonsOf, type PositionEntry } from './course-outline.queries.js';
import { type CourseWriteDependencies, createCourseWriter } from './course-writes.js';
import type { CreateLessonBody, UpdateLessonBody } from './courses.schemas.js';
import {
  insertAt,
  insertPosition,
  MAX_LESSONS_PER_MODULE,
  PARKING_POSITION,
  placeInserted,
  renumber,
} from './ordering.js';
import {
  checkLesson,
  checkPermutation,
  ensureLessonsRemain,
  inOrder,
  lessonNotFound,
  moduleNotFound,
  positionOutOfRange,
  type Written,
} from './outline-rules.js';

export type CreateLessonInput = Static<typeof CreateLessonBody>;
export type UpdateLessonInput = Static<typeof UpdateLessonBody>;

export function createCourseLessonsService(deps: CourseWriteDependencies) {
  const writer = createCourseWriter(deps);
  const structural = (ifMatch: number[] | undefined) => ({ ifMatch, bumpVersion: true });

  return {
    async createLesson(
      actor: Actor,
      courseId: string,
      moduleId: string,
      input: CreateLessonInput,
      ifMatch?: number[],
    ): Promise<Written<Lesson>> {
      return writer.write(actor, courseId, structural(ifMatch), async (tx) => {
        if (!(await findModule(tx, courseId, moduleId))) throw moduleNotFound();
        const values = await checkLesson(tx, courseId, {
          type: input.type,
          videoUrl: input.videoUrl ?? null,
          durationSeconds: input.durationSeconds,
          content: input.content ?? {},
        });
        const current = await lessonsOf(tx, moduleId);
        if (current.length >= MAX_LESSONS_PER_MODULE) {
          throw new AppError('conflict', `A module can have at most ${MAX_LESSONS_PER_MODULE} lessons.`);
        }
        const index = input.position ?? current.length;
        if (index > current.length) throw positionOutOfRange('/body/position', current.length);
        const [created] = await tx
          .insert(lessons)
          .values({
            moduleId,
            courseId,
            title: input.title.trim(),
            type: input.type,
            isPreview: input.isPreview ?? false,
            isRequired: input.isRequired ?? true,
            ...values,
            position: insertPosition(current.length, index),
          })
          .returning();
        if (!created) throw new Error('INSERT ... RETURNING returned no row');
        await placeInserted(tx, lessons, current, created.id, index);
        return { ...created, position: index };
      });
    },

    /**
     * Edits a lesson; with `moduleId` and/or `position` it also moves it (to another module of the same
     * course, appended unless `position` is given). Changing `type` starts its type-specific fields
     * afresh: send the new type's `content` (and `videoUrl` / `durationSeconds` where needed).
     */
    async updateLesson(
      actor: Actor,
      courseId: string,
      lessonId: string,
      input: UpdateLessonInput,
      ifMatch?: number[],
    ): Promise<Written<Lesson>> {
      return writer.write(actor, courseId, structural(ifMatch), async (tx) => {
        const lesson = await findLesson(tx, courseId, lessonId);
        if (!lesson) throw lessonNotFound();

        const changes: Partial<Lesson> = {};
        if (input.title !== undefined) changes.title = input.title.trim();
        if (input.isPreview !== undefined) changes.isPreview = input.isPreview;
        if (input.isRequired !== undefined) changes.isRequired = input.isRequired;

        const touchesTypeFields =
          input.type !== undefined ||
          input.videoUrl !== undefined ||
          input.durationSeconds !== undefined ||
          input.content !== undefined;
        if (touchesTypeFields) {
          const type = input.type ?? lesson.type;
          const typeChanged = type !== lesson.type;
          const values = await checkLesson(
            tx,
            courseId,
            {
              type,
              videoUrl: input.videoUrl !== undefined ? input.videoUrl : typeChanged ? null : lesson.videoUrl,
              durationSeconds: input.durationSeconds ?? (typeChanged ? undefined : lesson.durationSeconds),
              content: input.content ?? (typeChanged ? {} : lesson.content),
            },
            typeChanged ? undefined : lesson.content.startsAt,
          );
          Object.assign(changes, { type, ...values });
        }

        const targetModuleId = input.moduleId ?? lesson.moduleId;
        const moving = targetModuleId !== lesson.moduleId;
        if (moving && !(await findModule(tx, courseId, targetModuleId))) {
          throw validationFailed([{ field: '/body/moduleId', message: 'is not a module of this course' }]);
        }
        const target = await lessonsOf(tx, targetModuleId);
        if (moving && target.length >= MAX_LESSONS_PER_MODULE) {
          throw new AppError('conflict', `A module can have at most ${MAX_LESSONS_PER_MODULE} lessons.`);
        }
        const others = target.filter((row) => row.id !== lessonId);
        const index = input.position ?? (moving ? others.length : lesson.position);
        if (index > others.length) throw positionOutOfRange('/body/position', others.length);

        if (moving) {
          // Leave the old module (parked, so it cannot collide in the new one), close the gap there,
          // then take the requested place in the new module.
          changes.moduleId = targetModuleId;
          changes.position = PARKING_POSITION;
        }
        const [updated] =
          Object.keys(changes).length > 0
            ? await tx.update(lessons).set(changes).where(eq(lessons.id, lessonId)).returning()
            : [lesson];
        if (!updated) throw lessonNotFound();
        if (moving) {
          const source = (await lessonsOf(tx, lesson.moduleId)).filter((row) => row.id !== lessonId);
          await renumber(
            tx,
            lessons,
            source,
            source.map((row) => row.id),
          );
        }
        const before = moving
          ? [...others, { id: lessonId, title: updated.title, position: PARKING_POSITION }]
          : target;
        const ids = insertAt(
          others.map((row) => row.id),
          lessonId,
          index,
        );
        await renumber(tx, lessons, before, ids);
        return { ...updated, position: index };
      });
    },

    /** Deletes a lesson and closes the gap in its module. */
    async deleteLesson(
      actor: Actor,
      courseId: string,
      lessonId: string,
      ifMatch?: number[],
    ): Promise<Written<void>> {
      return writer.write(actor, courseId, structural(ifMatch), async (tx, course) => {
        const [lesson] = await tx
          .select({ id: lessons.id, moduleId: lessons.moduleId })
          .from(lessons)
          .where(and(eq(lessons.id, lessonId), eq(lessons.courseId, courseId)));
        if (!lesson) throw lessonNotFound();
        await ensureLessonsRemain(tx, course, { lessonId });
        await tx.delete(lessons).where(eq(lessons.id, lessonId));
        const remaining = (await lessonsOf(tx, lesson.moduleId)).filter((row) => row.id !== lessonId);
        await renumber(
          tx,
          lessons,
          remaining,
          remaining.map((row) => row.id),
        );
      });
    },

    async reorderLessons(
      actor: Actor,
      courseId: string,
      moduleId: string,
      lessonIds: string[],
      ifMatch?: number[],
    ): Promise<Written<PositionEntry[]>> {
      return writer.write(actor, courseId, structural(ifMatch), async (tx) => {
        if (!(await findModule(tx, courseId, moduleId))) throw moduleNotFound();
        const current = await lessonsOf(tx, moduleId);
        checkPermutation('lesson', '/body/lessonIds', current, lessonIds);
        await renumber(tx, lessons, current, lessonIds);
        return inOrder(current, lessonIds);
      });
    },
  };
}
