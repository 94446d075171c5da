import { and, asc, eq, ne, sql } from 'drizzle-orm';
import type { Static } from 'typebox';
import {
  assignments,
  type Course,
  type CourseModule,
  courseModules,
  type Lesson,
  lessons,
  quizzes,
} from '../../infrastructure/database/schema/index.js';
import type { Actor } from '../../shared/actor.js';
import { AppError, type FieldError } from '../../shared/errors.js';
import type { Transaction } from '../../shared/transaction.js';
import { validationFailed } from '../../shared/validation.js';
import { type CourseWriteDependencies, createCourseWriter } from './course-writes.js';
import type {
  CreateLessonBody,
  CreateModuleBody,
  UpdateLessonBody,
  UpdateModuleBody,
} from './courses.schemas.js';
import { type CheckedLessonFields, checkLessonFields, type LessonFields } from './lesson-content.js';
import {
  insertAt,
  insertPosition,
  MAX_LESSONS_PER_MODULE,
  MAX_MODULES_PER_COURSE,
  PARKING_POSITION,
  type Positioned,
  placeInserted,
  renumber,
} from './ordering.js';

export type CreateModuleInput = Static<typeof CreateModuleBody>;
export type UpdateModuleInput = Static<typeof UpdateModuleBody>;
export type CreateLessonInput = Static<typeof CreateLessonBody>;
export type UpdateLessonInput = Static<typeof UpdateLessonBody>;

export interface Written<T> {
  result: T;
  courseVersion: number;
}

export interface PositionEntry {
  id: string;
  title: string;
  position: number;
}

/** Module descriptions: blank means none. */
const blankToNull = (value: string | null | undefined): string | null =>
  value === undefined || value === null || value.trim() === '' ? null : value.trim();

const moduleNotFound = () => new AppError('not_found', 'No such module in this course.');
const lessonNotFound = () => new AppError('not_found', 'No such lesson in this course.');

function modulesOf(tx: Transaction, courseId: string): Promise<PositionEntry[]> {
  return tx
    .select({ id: courseModules.id, title: courseModules.title, position: courseModules.position })
    .from(courseModules)
    .where(eq(courseModules.courseId, courseId))
    .orderBy(asc(courseModules.position));
}

function lessonsOf(tx: Transaction, moduleId: string): Promise<PositionEntry[]> {
  return tx
    .select({ id: lessons.id, title: lessons.title, position: lessons.position })
    .from(lessons)
    .where(eq(lessons.moduleId, moduleId))
    .orderBy(asc(lessons.position));
}

async function findModule(tx: Transaction, courseId: string, moduleId: string) {
  const [module] = await tx
    .select()
    .from(courseModules)
    .where(and(eq(courseModules.id, moduleId), eq(courseModules.courseId, courseId)));
  return module;
}

/** Entries renumbered in memory the way `renumber` just did in the database. */
function inOrder(entries: PositionEntry[], orderedIds: string[]): PositionEntry[] {
  const byId = new Map(entries.map((entry) => [entry.id, entry]));
  return orderedIds.map((id, position) => ({ ...(byId.get(id) as PositionEntry), position }));
}

/**
 * A reorder list must name every child exactly once. A list naming other ids than the ones the parent
 * has right now conflicts with its current state (typically another editor added or removed one since
 * the client loaded the outline): 409 with what is missing and what is unknown, so the client can
 * reload and retry. Duplicates are rejected by the schema (400).
 */
function checkPermutation(kind: 'module' | 'lesson', field: string, current: Positioned[], ids: string[]) {
  const currentIds = new Set(current.map((row) => row.id));
  const listed = new Set(ids);
  const missing = [...currentIds].filter((id) => !listed.has(id));
  const unknown = ids.filter((id) => !currentIds.has(id));
  if (missing.length === 0 && unknown.length === 0) return;
  const errors: FieldError[] = [
    ...missing.map((id) => ({ field, message: `must include ${kind} ${id}` })),
    ...unknown.map((id) => ({
      field,
      message: `${id} is not a ${kind} of this ${kind === 'module' ? 'course' : 'module'}`,
    })),
  ];
  const parts = [
    missing.length > 0 ? `missing ${missing.join(', ')}` : undefined,
    unknown.length > 0
      ? `not ${kind}s of this ${kind === 'module' ? 'course' : 'module'}: ${unknown.join(', ')}`
      : undefined,
  ].filter((part) => part !== undefined);
  throw new AppError(
    'conflict',
    `The list must contain every current ${kind} exactly once (${parts.join('; ')}). If the outline changed since you loaded it, reload and retry.`,
    { missing, unknown, errors },
  );
}

function positionOutOfRange(field: string, max: number): AppError {
  return validationFailed([{ field, message: `must be between 0 and ${max}` }]);
}

/**
 * A published or archived course is in front of students: it must keep at least one lesson (the rule
 * publishing enforced). Drafts may be emptied freely.
 */
async function ensureLessonsRemain(
  tx: Transaction,
  course: Course,
  removing: { moduleId: string } | { lessonId: string },
): Promise<void> {
  if (course.status === 'draft') return;
  const remainingFilter =
    'moduleId' in removing ? ne(lessons.moduleId, removing.moduleId) : ne(lessons.id, removing.lessonId);
  const [remaining] = await tx
    .select({ count: sql<number>`count(*)::int` })
    .from(lessons)
    .where(and(eq(lessons.courseId, course.id), remainingFilter));
  if ((remaining?.count ?? 0) === 0) {
    throw new AppError(
      'conflict',
      `A ${course.status} course must keep at least one lesson; add another lesson first${course.status === 'published' ? ', or unpublish the course' : ''}.`,
    );
  }
}

/**
 * Modules and lessons of a course: create, edit, move, delete and reorder, always with dense 0-based
 * positions. Every write locks the course row first (see createCourseWriter), bumps the course
 * version and publishes `course.changed`, delivered after commit.
 */
export function createCourseOutlineService(deps: CourseWriteDependencies) {
  const writer = createCourseWriter(deps);
  const structural = (ifMatch: number[] | undefined) => ({ ifMatch, bumpVersion: true });

  /** Type-specific checks plus the quiz / assignment link, which must belong to the same course. */
  async function checkLesson(
    tx: Transaction,
    courseId: string,
    fields: LessonFields,
    previousStartsAt?: unknown,
  ): Promise<CheckedLessonFields['values']> {
    const checked = checkLessonFields(fields, { now: new Date(), previousStartsAt });
    const errors = [...checked.errors];
    if (checked.link) {
      const table = checked.link.kind === 'quiz' ? quizzes : assignments;
      const [linked] = await tx
        .select({ id: table.id })
        .from(table)
        .where(and(eq(table.id, checked.link.id), eq(table.courseId, courseId)));
      if (!linked)
        errors.push({ field: checked.link.field, message: `is not a ${checked.link.kind} of this course` });
    }
    if (errors.length > 0) throw validationFailed(errors);
    return checked.values;
  }

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
        const [lesson] = await tx
          .select()
          .from(lessons)
          .where(and(eq(lessons.id, lessonId), eq(lessons.courseId, courseId)));
        if (!lesson) throw lessonNotFound();

        const changes: Partial<Lesson> = {};
        if (input.title !== undefined) changes.title = input.title.trim();
        if (input.isPreview !== undefined) changes.isPreview = input.isPreview;

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

export type CourseOutlineService = ReturnType<typeof createCourseOutlineService>;
