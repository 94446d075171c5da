import type { Static } from 'typebox';
import type { EnrollmentViewRow, RosterRow } from './enrollments.queries.js';
import type { EnrollmentSchema, RosterEntrySchema } from './enrollments.schemas.js';

/** Database rows → response bodies (dates as ISO strings; response schemas drop anything else). */

/** A timestamp as PostgreSQL prints it (`2026-12-02 00:47:53.305123+00`) in ISO form, or null. */
const iso = (timestamp: string | null): string | null =>
  timestamp === null ? null : new Date(timestamp).toISOString();
const isoOf = (timestamp: string): string => new Date(timestamp).toISOString();

export type EnrollmentView = Static<typeof EnrollmentSchema>;
export type RosterEntryView = Static<typeof RosterEntrySchema>;

export function enrollmentView(row: EnrollmentViewRow): EnrollmentView {
  return {
    id: row.id,
    userId: row.user_id,
    courseId: row.course_id,
    status: row.status,
    enrolledAt: isoOf(row.enrolled_at),
    expiresAt: iso(row.expires_at),
    completedAt: iso(row.completed_at),
    droppedAt: iso(row.dropped_at),
    lastAccessedAt: iso(row.last_accessed_at),
    progressPercent: row.progress_percent,
    completedLessonCount: row.completed_lesson_count,
    timeSpentSeconds: row.time_spent_seconds,
    enrolledBy: row.enrolled_by,
    course: {
      id: row.course_id,
      slug: row.course_slug,
      title: row.course_title,
      status: row.course_status,
      thumbnailUrl: row.course_thumbnail_url,
    },
    nextLesson:
      row.next_lesson_id === null
        ? null
        : {
            id: row.next_lesson_id,
            title: row.next_lesson_title ?? '',
            moduleId: row.next_lesson_module_id ?? '',
          },
  };
}

export function rosterEntryView(row: RosterRow): RosterEntryView {
  return {
    enrollmentId: row.id,
    student: { id: row.user_id, name: row.user_name, email: row.user_email },
    status: row.status,
    progressPercent: row.progress_percent,
    completedLessonCount: row.completed_lesson_count,
    timeSpentSeconds: row.time_spent_seconds,
    enrolledAt: isoOf(row.enrolled_at),
    lastAccessedAt: iso(row.last_accessed_at),
    completedAt: iso(row.completed_at),
    droppedAt: iso(row.dropped_at),
    expiresAt: iso(row.expires_at),
  };
}
