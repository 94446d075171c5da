import { and, eq } from 'drizzle-orm';
import type { Database } from '../../../src/infrastructure/database/client/client.js';
import {
  type Course,
  type CourseModule,
  type Lesson,
  lessonProgress,
  type NewCourse,
  type NewLesson,
  type NewLessonProgress,
} from '../../../src/infrastructure/database/schema/index.js';
import { insertCourse, insertLesson, insertModule } from './courses.js';

/**
 * Learning progress at the database level: a course with a whole outline in one call, lesson progress
 * rows, and reads of an enrollment's counters and progress rows as stored.
 */

export interface OutlineCourse {
  course: Course;
  modules: (CourseModule & { lessons: Lesson[] })[];
  /** Every lesson in course order. */
  lessons: Lesson[];
}

type LessonSpec = Partial<Omit<NewLesson, 'moduleId' | 'courseId' | 'position'>>;

/**
 * A published course of `instructorId` whose outline is `shape`: one entry per module, each a lesson
 * count or a list of lesson overrides (e.g. `[{ isRequired: false }, {}]`).
 */
export async function insertCourseWithOutline(
  db: Database,
  instructorId: string,
  shape: readonly (number | readonly LessonSpec[])[],
  courseOverrides: Partial<Omit<NewCourse, 'instructorId'>> = {},
): Promise<OutlineCourse> {
  const course = await insertCourse(db, instructorId, { title: 'Outlined course', ...courseOverrides });
  const modules: OutlineCourse['modules'] = [];
  for (const [m, spec] of shape.entries()) {
    const module = await insertModule(db, course.id, m, `Module ${m + 1}`);
    const specs = typeof spec === 'number' ? Array.from({ length: spec }, () => ({})) : spec;
    const moduleLessons: Lesson[] = [];
    for (const [l, overrides] of specs.entries()) {
      moduleLessons.push(
        await insertLesson(db, module, l, { title: `Lesson ${m + 1}.${l + 1}`, ...overrides }),
      );
    }
    modules.push({ ...module, lessons: moduleLessons });
  }
  return { course, modules, lessons: modules.flatMap((module) => module.lessons) };
}

/** A progress row (status `completed` gets a completed_at unless one is given). */
export async function insertLessonProgress(
  db: Database,
  values: Pick<NewLessonProgress, 'userId' | 'lessonId' | 'enrollmentId'> & Partial<NewLessonProgress>,
) {
  const status = values.status ?? 'in_progress';
  const [row] = await db
    .insert(lessonProgress)
    .values({
      startedAt: new Date(),
      ...values,
      status,
      completedAt: values.completedAt ?? (status === 'completed' ? new Date() : null),
    })
    .returning();
  if (!row) throw new Error('insertLessonProgress: insert returned no row');
  return row;
}

export async function lessonProgressRow(db: Database, userId: string, lessonId: string) {
  const [row] = await db
    .select()
    .from(lessonProgress)
    .where(and(eq(lessonProgress.userId, userId), eq(lessonProgress.lessonId, lessonId)));
  return row;
}

export async function lessonProgressRows(db: Database, userId: string) {
  return db.select().from(lessonProgress).where(eq(lessonProgress.userId, userId));
}
