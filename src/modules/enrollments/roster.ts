/**
 * A course's roster for its instructor and admins: keyset pages of its learners (name, email,
 * status, progress, enrolment and last activity), newest enrolment first, or the whole filtered
 * roster as a CSV streamed in keyset batches (never the whole roster in memory).
 */
import { Readable } from 'node:stream';
import type { Database } from '../../infrastructure/database/client/client.js';
import type { EnrollmentStatus } from '../../infrastructure/database/schema/index.js';
import type { Actor } from '../../shared/actor.js';
import { decodeTimestampIdCursor, type TimestampIdCursor, toPage } from '../../shared/keyset.js';
import { authorizeCourseStaff } from './enrollment-rules.js';
import { rosterEntryView } from './enrollment-views.js';
import { findEnrolmentCourse, findRosterPage, type RosterRow } from './enrollments.queries.js';

/** Rows per query of a CSV download. */
export const ROSTER_CSV_BATCH = 1_000;

export const ROSTER_CSV_COLUMNS = [
  'enrollment_id',
  'student_id',
  'student_name',
  'student_email',
  'status',
  'progress_percent',
  'completed_lessons',
  'time_spent_seconds',
  'enrolled_at',
  'last_activity_at',
  'completed_at',
  'expires_at',
] as const;

/**
 * One CSV cell: a text a spreadsheet would run as a formula (starting with = + - @, tab or carriage
 * return) is prefixed with `'`; cells with a comma, quote or line break are quoted (quotes doubled).
 */
export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  if (/[",\r\n]/.test(text)) text = `"${text.replace(/"/g, '""')}"`;
  return text;
}

const isoOrNull = (timestamp: string | null) =>
  timestamp === null ? null : new Date(timestamp).toISOString();

function csvLine(row: RosterRow): string {
  return `${[
    row.id,
    row.user_id,
    row.user_name,
    row.user_email,
    row.status,
    row.progress_percent,
    row.completed_lesson_count,
    row.time_spent_seconds,
    new Date(row.enrolled_at).toISOString(),
    isoOrNull(row.last_accessed_at),
    isoOrNull(row.completed_at),
    isoOrNull(row.expires_at),
  ]
    .map(csvCell)
    .join(',')}\r\n`;
}

const cursorOf = (row: RosterRow): TimestampIdCursor => ({ p: row.enrolled_key, id: row.id });

export function createRoster(deps: { db: Database }) {
  const { db } = deps;

  async function authorize(actor: Actor, courseId: string) {
    return authorizeCourseStaff(actor, await findEnrolmentCourse(db, courseId), {
      draftsExist: true,
      action: 'see its roster',
    });
  }

  return {
    async page(
      actor: Actor,
      courseId: string,
      filter: { status?: EnrollmentStatus | undefined; limit: number; cursor?: string | undefined },
    ) {
      const after = decodeTimestampIdCursor(filter.cursor);
      await authorize(actor, courseId);
      const rows = await findRosterPage(db, courseId, filter, after);
      return toPage(rows, filter.limit, rosterEntryView, cursorOf);
    },

    /**
     * The whole filtered roster as CSV lines (header first), read ROSTER_CSV_BATCH rows at a time as
     * the client consumes it. Authorization is checked before the stream exists, so a refusal is a
     * problem response, not a cut-off download.
     */
    async csv(actor: Actor, courseId: string, filter: { status?: EnrollmentStatus | undefined }) {
      const course = await authorize(actor, courseId);
      async function* lines(): AsyncGenerator<string> {
        yield `${ROSTER_CSV_COLUMNS.join(',')}\r\n`;
        let after: TimestampIdCursor | undefined;
        for (;;) {
          const rows = await findRosterPage(db, courseId, { ...filter, limit: ROSTER_CSV_BATCH }, after);
          const batch = rows.slice(0, ROSTER_CSV_BATCH);
          if (batch.length > 0) yield batch.map(csvLine).join('');
          const last = batch.at(-1);
          if (rows.length <= ROSTER_CSV_BATCH || last === undefined) return;
          after = cursorOf(last);
        }
      }
      return { filename: `roster-${course.slug}.csv`, stream: Readable.from(lines()) };
    },
  };
}

export type Roster = ReturnType<typeof createRoster>;
