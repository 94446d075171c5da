/**
 * Course records: the instructor's course list and the authoring view here; creating and editing in
 * course-editing.service.ts, publish / archive / unpublish / delete in course-lifecycle.service.ts.
 * The courses module writes the `courses`, `course_modules` and `lessons` tables (modules and lessons
 * in course-outline.service.ts); every committed write publishes `course.changed`.
 */
import type {
  Course,
  CourseModule,
  CourseStatus,
  Lesson,
} from '../../infrastructure/database/schema/index.js';
import { type Actor, isAdmin } from '../../shared/actor.js';
import { AppError } from '../../shared/errors.js';
import { decodeTimestampIdCursor, toPage } from '../../shared/keyset.js';
import { authorizeAuthoringView, courseNotFound, requireAuthorRole } from './course-access.js';
import { createCourseEditingService } from './course-editing.service.js';
import { publishBlockersOf } from './course-fields.js';
import { createCourseLifecycleService } from './course-lifecycle.service.js';
import type { CourseWriteDependencies } from './course-writes.js';
import { findCoursesPage, findCourseWithOutline } from './courses.queries.js';

export type { CreateCourseInput, UpdateCourseInput } from './course-fields.js';

export interface InstructorCoursesFilter {
  limit: number;
  cursor?: string | undefined;
  status?: CourseStatus | undefined;
  instructorId?: string | undefined;
}

export interface AuthoringView {
  course: Course;
  modules: (CourseModule & { lessons: Lesson[] })[];
  publishBlockers: string[];
}

/**
 * Everything the course routes call: editing and lifecycle from their own services, plus the two
 * authoring reads (an instructor's course list, the authoring view), each checking who may read.
 */
export function createCourseService(deps: CourseWriteDependencies) {
  const { db } = deps;
  return {
    ...createCourseEditingService(deps),
    ...createCourseLifecycleService(deps),

    /** The caller's courses (all statuses), newest first; admins see everyone's. */
    async listForInstructor(actor: Actor, filter: InstructorCoursesFilter) {
      requireAuthorRole(actor);
      let instructorId = filter.instructorId;
      if (!isAdmin(actor)) {
        if (instructorId !== undefined && instructorId !== actor.id) {
          throw new AppError('forbidden', 'Only admins can list another instructor’s courses.');
        }
        instructorId = actor.id;
      }
      const after = decodeTimestampIdCursor(filter.cursor);
      const rows = await findCoursesPage(
        db,
        { instructorId, status: filter.status, limit: filter.limit },
        after,
      );
      return toPage(
        rows,
        filter.limit,
        (row) => row.course,
        (row) => ({ p: row.cursorKey, id: row.course.id }),
      );
    },

    /**
     * The course with every module and lesson (content included), read in one statement so the
     * outline matches the returned version. Only for the course's instructor and admins.
     */
    async authoringView(actor: Actor, courseId: string): Promise<AuthoringView> {
      const course = await findCourseWithOutline(db, courseId);
      if (!course) throw courseNotFound();
      authorizeAuthoringView(actor, course);
      const { modules, ...fields } = course;
      // Stryker disable next-line ArithmeticOperator: equivalent, lesson counts are never negative, so the difference is 0 exactly when the sum is (only "is it 0" is used)
      const lessonCount = modules.reduce((sum, module) => sum + module.lessons.length, 0);
      return {
        course: fields,
        modules,
        publishBlockers: publishBlockersOf(fields.description, modules.length, lessonCount),
      };
    },
  };
}

export type CourseService = ReturnType<typeof createCourseService>;
