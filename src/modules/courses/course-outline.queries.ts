/**
 * The SQL of the outline services that would make them long: the positioned children of a course or
 * module, single lookups scoped to the course, and the counts behind the outline rules.
 */
import { and, asc, eq, ne, sql } from 'drizzle-orm';
import { assignments, courseModules, lessons, quizzes } from '../../infrastructure/database/schema/index.js';
import type { Transaction } from '../../shared/transaction.js';

export interface PositionEntry {
  id: string;
  title: string;
  position: number;
}

export function modulesOf(tx: Transaction, courseId: string): Promise<PositionEntry[]> {
  return tx
    .select({ id: courseModules.id, title: courseModules.title, position: courseModules.position })
    .from(courseModules)
    .where(eq(courseModules.courseId, courseId))
    .orderBy(asc(courseModules.position));
}

export function lessonsOf(tx: Transaction, moduleId: string): Promise<PositionEntry[]> {
  return tx
    .select({ id: lessons.id, title: lessons.title, position: lessons.position })
    .from(lessons)
    .where(eq(lessons.moduleId, moduleId))
    .orderBy(asc(lessons.position));
}

export async function findModule(tx: Transaction, courseId: string, moduleId: string) {
  const [module] = await tx
    .select()
    .from(courseModules)
    .where(and(eq(courseModules.id, moduleId), eq(courseModules.courseId, courseId)));
  return module;
}

/** The lesson, when it belongs to this course. */
export async function findLesson(tx: Transaction, courseId: string, lessonId: string) {
  const [lesson] = await tx
    .select()
    .from(lessons)
    .where(and(eq(lessons.id, lessonId), eq(lessons.courseId, courseId)));
  return lesson;
}

/** Whether the quiz or assignment exists in this course. */
export async function activityInCourse(
  tx: Transaction,
  kind: 'quiz' | 'assignment',
  id: string,
  courseId: string,
): Promise<boolean> {
  const table = kind === 'quiz' ? quizzes : assignments;
  const [linked] = await tx
    .select({ id: table.id })
    .from(table)
    .where(and(eq(table.id, id), eq(table.courseId, courseId)));
  return linked !== undefined;
}

/** How many lessons of the course would be left after removing a module or a lesson. */
export async function countLessonsLeft(
  tx: Transaction,
  courseId: string,
  removing: { moduleId: string } | { lessonId: string },
): Promise<number> {
  const remainingFilter =
    'moduleId' in removing ? ne(lessons.moduleId, removing.moduleId) : ne(lessons.id, removing.lessonId);
  const [remaining] = await tx
    .select({ count: sql<number>`count(*)::int` })
    .from(lessons)
    .where(and(eq(lessons.courseId, courseId), remainingFilter));
  return remaining?.count ?? 0;
}
