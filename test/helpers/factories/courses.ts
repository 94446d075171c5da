import { randomBytes } from 'node:crypto';
import { asc, eq, sql } from 'drizzle-orm';
import type { Database } from '../../../src/infrastructure/database/client/client.js';
import {
  assignments,
  type Course,
  type CourseModule,
  courseModules,
  courses,
  type Lesson,
  lessons,
  type NewCourse,
  type NewLesson,
  quizzes,
} from '../../../src/infrastructure/database/schema/index.js';

/**
 * The course factory at the database level (no authoring endpoints): courses, modules, lessons,
 * quizzes and assignments, respecting the schema's CHECK constraints (slug format, published courses
 * have published_at, 0-based positions); and reads of what the API stored. For the API path, see api.ts.
 */

const uniqueSuffix = () => randomBytes(5).toString('hex');

/** A course; `status: 'published'` (the default) gets a published_at unless one is given. */
export async function insertCourse(
  db: Database,
  instructorId: string,
  overrides: Partial<Omit<NewCourse, 'instructorId'>> = {},
): Promise<Course> {
  const status = overrides.status ?? 'published';
  const [course] = await db
    .insert(courses)
    .values({
      slug: `course-${uniqueSuffix()}`,
      title: 'Untitled course',
      ...overrides,
      instructorId,
      status,
      publishedAt: overrides.publishedAt ?? (status === 'draft' ? null : new Date()),
      archivedAt: overrides.archivedAt ?? (status === 'archived' ? new Date() : null),
    })
    .returning();
  if (!course) throw new Error('insertCourse: insert returned no row');
  return course;
}

export async function insertModule(
  db: Database,
  courseId: string,
  position: number,
  title = `Module ${position + 1}`,
): Promise<CourseModule> {
  const [module] = await db.insert(courseModules).values({ courseId, position, title }).returning();
  if (!module) throw new Error('insertModule: insert returned no row');
  return module;
}

export async function insertLesson(
  db: Database,
  module: Pick<CourseModule, 'id' | 'courseId'>,
  position: number,
  overrides: Partial<Omit<NewLesson, 'moduleId' | 'courseId' | 'position'>> = {},
): Promise<Lesson> {
  const [lesson] = await db
    .insert(lessons)
    .values({
      title: `Lesson ${position + 1}`,
      type: 'text',
      content: { body: `Body of lesson ${position + 1}` },
      durationSeconds: 300,
      ...overrides,
      moduleId: module.id,
      courseId: module.courseId,
      position,
    })
    .returning();
  if (!lesson) throw new Error('insertLesson: insert returned no row');
  return lesson;
}

export async function insertQuiz(db: Database, courseId: string): Promise<string> {
  const [quiz] = await db.insert(quizzes).values({ courseId, title: 'Checkpoint quiz' }).returning();
  if (!quiz) throw new Error('insertQuiz: no row');
  return quiz.id;
}

export async function insertAssignment(db: Database, courseId: string): Promise<string> {
  const [assignment] = await db.insert(assignments).values({ courseId, title: 'Homework' }).returning();
  if (!assignment) throw new Error('insertAssignment: no row');
  return assignment.id;
}

/** Module positions of a course in order, straight from the database. */
export async function modulePositions(db: Database, courseId: string) {
  return db
    .select({ id: courseModules.id, position: courseModules.position })
    .from(courseModules)
    .where(eq(courseModules.courseId, courseId))
    .orderBy(asc(courseModules.position));
}

/** Lesson positions of a module in order, straight from the database. */
export async function lessonPositions(db: Database, moduleId: string) {
  return db
    .select({ id: lessons.id, position: lessons.position })
    .from(lessons)
    .where(eq(lessons.moduleId, moduleId))
    .orderBy(asc(lessons.position));
}

export async function countRows(db: Database, table: typeof courses | typeof courseModules | typeof lessons) {
  const [row] = await db.select({ count: sql<number>`count(*)::int` }).from(table);
  return row?.count ?? 0;
}

export async function courseRow(db: Database, courseId: string) {
  const [row] = await db.select().from(courses).where(eq(courses.id, courseId));
  return row;
}
