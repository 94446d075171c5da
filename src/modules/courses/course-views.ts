import type { Static } from 'typebox';
import type { Course, CourseModule, Lesson } from '../../infrastructure/database/schema/index.js';
import type { CourseSchema, CourseSummarySchema, LessonSchema } from './courses.schemas.js';

/** Database rows → response bodies (dates as ISO strings; response schemas strip anything else). */

const iso = (date: Date | null): string | null => (date === null ? null : date.toISOString());

export function courseSummaryView(course: Course): Static<typeof CourseSummarySchema> {
  return {
    id: course.id,
    instructorId: course.instructorId,
    slug: course.slug,
    title: course.title,
    subtitle: course.subtitle,
    status: course.status,
    difficulty: course.difficulty,
    priceCents: course.priceCents,
    currency: course.currency,
    isFree: course.priceCents === 0,
    language: course.language,
    category: course.category,
    tags: course.tags,
    thumbnailUrl: course.thumbnailUrl,
    publishedAt: iso(course.publishedAt),
    archivedAt: iso(course.archivedAt),
    version: course.version,
    enrollmentCount: course.enrollmentCount,
    sequentialModules: course.sequentialModules,
    accessDurationDays: course.accessDurationDays,
    createdAt: course.createdAt.toISOString(),
    updatedAt: course.updatedAt.toISOString(),
  };
}

export function courseView(course: Course): Static<typeof CourseSchema> {
  return { ...courseSummaryView(course), description: course.description };
}

export function moduleView(module: CourseModule) {
  return {
    id: module.id,
    courseId: module.courseId,
    title: module.title,
    description: module.description,
    position: module.position,
    createdAt: module.createdAt.toISOString(),
    updatedAt: module.updatedAt.toISOString(),
  };
}

export function lessonView(lesson: Lesson): Static<typeof LessonSchema> {
  return {
    id: lesson.id,
    moduleId: lesson.moduleId,
    courseId: lesson.courseId,
    title: lesson.title,
    type: lesson.type,
    position: lesson.position,
    content: lesson.content,
    videoUrl: lesson.videoUrl,
    durationSeconds: lesson.durationSeconds,
    isPreview: lesson.isPreview,
    isRequired: lesson.isRequired,
    createdAt: lesson.createdAt.toISOString(),
    updatedAt: lesson.updatedAt.toISOString(),
  };
}
