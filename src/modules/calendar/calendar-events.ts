/**
 * The iCalendar document of a feed, built with the `ics` package: one event per assignment due date
 * (a point in time at the due date) and per quiz window (from its opening to its closing; a window
 * with only one end is a point in time at that end). UIDs are stable (`<kind>-<id>@<host>`), so a
 * calendar that refreshes the feed updates its events instead of duplicating them, and a changed due
 * date moves the event.
 */
import { createEvents, type EventAttributes } from 'ics';
import type { FeedItemRow } from './calendar.queries.js';

const CALENDAR_NAME = 'Learning platform: due dates';

const millis = (value: string | Date) => new Date(value).getTime();

function eventOf(
  row: FeedItemRow,
  links: { appUrl: string; uidDomain: string },
): EventAttributes | undefined {
  const url = `${links.appUrl}/courses/${row.course_slug}`;
  const common: Omit<EventAttributes, 'start' | 'end' | 'duration'> = {
    uid: `${row.kind}-${row.id}@${links.uidDomain}`,
    description: `${row.course_title}\n${url}`,
    url,
    categories: [row.course_title],
    lastModified: millis(row.updated_at),
    startInputType: 'utc',
    startOutputType: 'utc',
    endInputType: 'utc',
    endOutputType: 'utc',
  };
  if (row.kind === 'assignment' && row.starts_at !== null) {
    const due = millis(row.starts_at);
    return { ...common, title: `Due: ${row.title} (${row.course_title})`, start: due, end: due };
  }
  if (row.kind === 'quiz') {
    const opens = row.starts_at === null ? undefined : millis(row.starts_at);
    const closes = row.ends_at === null ? undefined : millis(row.ends_at);
    if (opens !== undefined && closes !== undefined) {
      return { ...common, title: `Quiz open: ${row.title} (${row.course_title})`, start: opens, end: closes };
    }
    if (closes !== undefined) {
      return {
        ...common,
        title: `Quiz closes: ${row.title} (${row.course_title})`,
        start: closes,
        end: closes,
      };
    }
    if (opens !== undefined) {
      return { ...common, title: `Quiz opens: ${row.title} (${row.course_title})`, start: opens, end: opens };
    }
  }
  return undefined;
}

export function buildCalendar(
  rows: readonly FeedItemRow[],
  links: { appUrl: string; uidDomain: string },
): string {
  const events = rows.flatMap((row) => eventOf(row, links) ?? []);
  const { error, value } = createEvents(events, { productId: 'learning-platform', calName: CALENDAR_NAME });
  if (error || value === null) throw error ?? new Error('ics produced no calendar');
  return value;
}
