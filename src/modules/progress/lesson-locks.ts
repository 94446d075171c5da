/**
 * The locking rule of sequential courses, in one place. In a course with `sequential_modules`, a
 * module is unlocked when every required lesson of the modules before it is completed; the first
 * module is always unlocked, and so is everything when the course is not sequential or the
 * enrollment is already completed (lessons added after completion do not lock a finished learner
 * out). Optional lessons never block. Preview lessons stay readable by anyone (the catalog), but
 * their progress follows the rule like any other lesson.
 *
 * The learner view applies it to the whole outline (`moduleLocks`); single-lesson checks (a progress
 * write, a lesson read) run the same rule in SQL (`blockingLessons` in progress.queries.ts).
 */
import type { EnrollmentStatus } from '../../infrastructure/database/schema/index.js';
import { AppError } from '../../shared/errors.js';

export interface LockInput {
  sequentialModules: boolean;
  enrollmentStatus: EnrollmentStatus;
}

/** Whether the rule can lock anything for this enrollment at all. */
export function locksApply({ sequentialModules, enrollmentStatus }: LockInput): boolean {
  return sequentialModules && enrollmentStatus === 'active';
}

export interface OutlineModuleState {
  id: string;
  title: string;
  /** Required lessons of this module not completed by the learner. */
  remainingRequired: number;
}

export interface ModuleLock {
  blockingModuleId: string;
  blockingModuleTitle: string;
  remainingRequiredLessons: number;
}

/** Per module (in course order): null when unlocked, else why it is locked. */
export function moduleLocks(input: LockInput, modules: readonly OutlineModuleState[]): (ModuleLock | null)[] {
  if (!locksApply(input)) return modules.map(() => null);
  let blocking: OutlineModuleState | undefined;
  let remainingBefore = 0;
  return modules.map((module) => {
    const lock =
      blocking === undefined
        ? null
        : {
            blockingModuleId: blocking.id,
            blockingModuleTitle: blocking.title,
            remainingRequiredLessons: remainingBefore,
          };
    if (blocking === undefined && module.remainingRequired > 0) blocking = module;
    remainingBefore += module.remainingRequired;
    return lock;
  });
}

/** A required lesson of an earlier module that is still to complete. */
export interface BlockingLesson {
  lessonId: string;
  title: string;
  moduleId: string;
  moduleTitle: string;
}

/** How many blocking lessons a 403 lists (the count is always exact). */
export const LISTED_BLOCKING_LESSONS = 50;

/**
 * 403 `lesson_locked`, naming what must be completed first: the blocking lessons in course order
 * (the first LISTED_BLOCKING_LESSONS of them in `requires`) and their total.
 */
export function lessonLocked(blocking: readonly BlockingLesson[], total: number): AppError {
  const named = blocking
    .slice(0, 3)
    .map((lesson) => `“${lesson.title}”`)
    .join(', ');
  const more = total > 3 ? ` and ${total - 3} more` : '';
  const first = blocking[0];
  return new AppError(
    'lesson_locked',
    `This lesson unlocks once the required lessons of the earlier modules are completed: ${named}${more}.`,
    {
      blockingModuleId: first?.moduleId ?? null,
      remainingRequiredLessons: total,
      requires: blocking.slice(0, LISTED_BLOCKING_LESSONS),
    },
  );
}
