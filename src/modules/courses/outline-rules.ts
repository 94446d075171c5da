/**
 * Rules of the outline services: reorder lists, positions in range, blank descriptions, a lesson's
 * type-specific fields, and the lesson a published or archived course must keep. They throw the
 * AppError a client sees.
 */
import type { Course } from '../../infrastructure/database/schema/index.js';
import { AppError, type FieldError } from '../../shared/errors.js';
import type { Transaction } from '../../shared/transaction.js';
import { validationFailed } from '../../shared/validation.js';
import { activityInCourse, countLessonsLeft, type PositionEntry } from './course-outline.queries.js';
import { type CheckedLessonFields, checkLessonFields, type LessonFields } from './lesson-content.js';
import type { Positioned } from './ordering.js';

/** What an outline write returns: its result and the course version after it. */
export interface Written<T> {
  result: T;
  courseVersion: number;
}

/** Module descriptions: blank means none. */
export const blankToNull = (value: string | null | undefined): string | null =>
  value === undefined || value === null || value.trim() === '' ? null : value.trim();

export const moduleNotFound = () => new AppError('not_found', 'No such module in this course.');
export const lessonNotFound = () => new AppError('not_found', 'No such lesson in this course.');

/** Entries renumbered in memory the way `renumber` just did in the database. */
export function inOrder(entries: PositionEntry[], orderedIds: string[]): PositionEntry[] {
  const byId = new Map(entries.map((entry) => [entry.id, entry]));
  return orderedIds.map((id, position) => ({ ...(byId.get(id) as PositionEntry), position }));
}

/**
 * A reorder list must name every child exactly once. A list naming other ids than the ones the parent
 * has right now conflicts with its current state (typically another editor added or removed one since
 * the client loaded the outline): 409 with what is missing and what is unknown, so the client can
 * reload and retry. Duplicates are rejected by the schema (400).
 */
export function checkPermutation(
  kind: 'module' | 'lesson',
  field: string,
  current: Positioned[],
  ids: string[],
) {
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

export function positionOutOfRange(field: string, max: number): AppError {
  return validationFailed([{ field, message: `must be between 0 and ${max}` }]);
}

/**
 * A published or archived course is in front of students: it must keep at least one lesson (the rule
 * publishing enforced). Drafts may be emptied freely.
 */
export async function ensureLessonsRemain(
  tx: Transaction,
  course: Course,
  removing: { moduleId: string } | { lessonId: string },
): Promise<void> {
  if (course.status === 'draft') return;
  if ((await countLessonsLeft(tx, course.id, removing)) === 0) {
    throw new AppError(
      'conflict',
      `A ${course.status} course must keep at least one lesson; add another lesson first${course.status === 'published' ? ', or unpublish the course' : ''}.`,
    );
  }
}

/** Type-specific checks plus the quiz / assignment link, which must belong to the same course. */
export async function checkLesson(
  tx: Transaction,
  courseId: string,
  fields: LessonFields,
  previousStartsAt?: unknown,
): Promise<CheckedLessonFields['values']> {
  const checked = checkLessonFields(fields, { now: new Date(), previousStartsAt });
  const errors = [...checked.errors];
  if (checked.link && !(await activityInCourse(tx, checked.link.kind, checked.link.id, courseId))) {
    errors.push({ field: checked.link.field, message: `is not a ${checked.link.kind} of this course` });
  }
  if (errors.length > 0) throw validationFailed(errors);
  return checked.values;
}
