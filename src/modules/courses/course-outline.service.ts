/**
 * Modules and lessons of a course: create, edit, move, delete and reorder, always with dense 0-based
 * positions (modules in course-modules.service.ts, lessons in course-lessons.service.ts). Writes the
 * `course_modules` and `lessons` tables; every write locks the course row first (see
 * createCourseWriter), bumps the course version and publishes `course.changed`, delivered after commit.
 */
import { createCourseLessonsService } from './course-lessons.service.js';
import { createCourseModulesService } from './course-modules.service.js';
import type { CourseWriteDependencies } from './course-writes.js';

export type { CreateLessonInput, UpdateLessonInput } from './course-lessons.service.js';
export type { CreateModuleInput, UpdateModuleInput } from './course-modules.service.js';
export type { PositionEntry } from './course-outline.queries.js';
export type { Written } from './outline-rules.js';

export function createCourseOutlineService(deps: CourseWriteDependencies) {
  return { ...createCourseModulesService(deps), ...createCourseLessonsService(deps) };
}

export type CourseOutlineService = ReturnType<typeof createCourseOutlineService>;
