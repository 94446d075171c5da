import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import {
  insertCourse,
  insertEnrollment,
  insertGradedAssignment,
  insertGradedQuiz,
  insertSignedInUser,
  type SignedInUser,
} from '../helpers/factories/index.js';
import { useTestApp } from '../helpers/use-test-app.js';

/** The VEVENTs of an iCalendar text, unfolded, each as its property map (the ics output is RFC 5545). */
function parseEvents(text: string): Record<string, string>[] {
  const lines = text.replace(/\r\n[ \t]/g, '').split('\r\n');
  const events: Record<string, string>[] = [];
  let current: Record<string, string> | undefined;
  for (const line of lines) {
    if (line === 'BEGIN:VEVENT') current = {};
    else if (line === 'END:VEVENT' && current) {
      events.push(current);
      current = undefined;
    } else if (current) {
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).split(';')[0]!;
      current[name] = line.slice(colon + 1).replace(/\\([,;\\])/g, '$1');
    }
  }
  return events;
}

const icsTime = (date: Date) =>
  date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');

describe('the calendar feed', () => {
  const suite = useTestApp({ cast: ['instructor', 'student', 'otherStudent'] });
  const { instructor, student, otherStudent } = suite.cast;

  const rotate = (user: SignedInUser) =>
    suite.app.inject({ method: 'POST', url: '/api/v1/me/calendar-feed', headers: user.headers });
  const feed = (token: string) =>
    suite.app.inject({ method: 'GET', url: `/api/v1/me/calendar.ics?token=${encodeURIComponent(token)}` });
  const feedRows = () =>
    suite.db.execute<{ user_id: string; token_hash: string }>(
      sql`SELECT user_id, token_hash FROM calendar_feed_tokens`,
    );

  it('lists my active enrollments’ due dates and quiz windows with stable UIDs and the course title', async () => {
    const course = await insertCourse(suite.db, instructor.id, { title: 'Calendar, Course; One' });
    const other = await insertCourse(suite.db, instructor.id, { title: 'Not Mine' });
    const dropped = await insertCourse(suite.db, instructor.id, { title: 'Dropped Course' });
    await insertEnrollment(suite.db, student.id, course.id);
    await insertEnrollment(suite.db, student.id, dropped.id, { status: 'dropped' });
    await insertEnrollment(suite.db, otherStudent.id, other.id);
    const due = new Date('2031-03-14T09:26:53.000Z');
    const opens = new Date('2031-04-01T08:00:00.000Z');
    const closes = new Date('2031-04-02T20:00:00.000Z');
    const assignment = await insertGradedAssignment(suite.db, course.id, { title: 'Essay', dueAt: due });
    const quiz = await insertGradedQuiz(suite.db, course.id, {
      title: 'Midterm',
      availableFrom: opens,
      availableUntil: closes,
    });
    const closing = await insertGradedQuiz(suite.db, course.id, {
      title: 'Survey',
      type: 'survey',
      availableUntil: closes,
    });
    await insertGradedAssignment(suite.db, course.id, { title: 'Undated' });
    await insertGradedAssignment(suite.db, course.id, { title: 'Hidden', dueAt: due, isPublished: false });
    await insertGradedAssignment(suite.db, other.id, { title: 'Other essay', dueAt: due });
    await insertGradedAssignment(suite.db, dropped.id, { title: 'Dropped essay', dueAt: due });

    const created = await rotate(student);
    expect(created.statusCode, created.body).toBe(201);
    expect(created.headers['cache-control']).toBe('no-store');
    const { url, token } = created.json();
    expect(url).toBe(`${suite.testApp.config.publicApiUrl}/api/v1/me/calendar.ics?token=${token}`);
    // Only the token's hash is stored.
    const rows = (await feedRows()).rows.filter((row) => row.user_id === student.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.token_hash).not.toContain(token);

    const response = await feed(token);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['content-type']).toBe('text/calendar; charset=utf-8');
    expect(response.body.startsWith('BEGIN:VCALENDAR\r\n')).toBe(true);
    const events = parseEvents(response.body);
    const host = new URL(suite.testApp.config.publicApiUrl).hostname;
    expect(events.map((event) => event.UID).sort()).toEqual(
      [`assignment-${assignment.id}@${host}`, `quiz-${quiz.id}@${host}`, `quiz-${closing.id}@${host}`].sort(),
    );
    const essay = events.find((event) => event.UID?.startsWith('assignment-'))!;
    expect(essay).toMatchObject({
      SUMMARY: 'Due: Essay (Calendar, Course; One)',
      DTSTART: icsTime(due),
      DTEND: icsTime(due),
    });
    const midterm = events.find((event) => event.UID === `quiz-${quiz.id}@${host}`)!;
    expect(midterm).toMatchObject({ DTSTART: icsTime(opens), DTEND: icsTime(closes) });
    expect(midterm.SUMMARY).toBe('Quiz open: Midterm (Calendar, Course; One)');
    expect(response.body).not.toContain('Other essay');
    expect(response.body).not.toContain('Dropped essay');
    expect(response.body).not.toContain('Hidden');
    // The same feed again: the same UIDs (calendars update instead of duplicating).
    expect(parseEvents((await feed(token)).body).map((event) => event.UID)).toEqual(
      events.map((event) => event.UID),
    );
  });

  it('rotation: the old token stops working at once, the new one works; other users’ tokens are theirs', async () => {
    const first = (await rotate(student)).json().token;
    expect((await feed(first)).statusCode).toBe(200);
    const second = (await rotate(student)).json().token;
    expect(second).not.toBe(first);
    const old = await feed(first);
    expect(old.statusCode).toBe(404);
    expect(old.headers['content-type']).toContain('application/problem+json');
    expect(old.json()).toMatchObject({ code: 'not_found', detail: 'No such calendar feed.' });
    expect((await feed(second)).statusCode).toBe(200);
    // Another user's feed has none of the student's items.
    const course = await insertCourse(suite.db, instructor.id, { title: 'Only For Student' });
    await insertEnrollment(suite.db, student.id, course.id);
    await insertGradedAssignment(suite.db, course.id, {
      title: 'Student only',
      dueAt: new Date('2032-01-01'),
    });
    const theirs = (await rotate(otherStudent)).json().token;
    const otherFeed = await feed(theirs);
    expect(otherFeed.statusCode).toBe(200);
    expect(otherFeed.body).not.toContain('Student only');
    expect((await feed(second)).body).toContain('Student only');
  });

  it('an unknown or malformed token is a plain 404 / 400 problem; DELETE ends the feed; writes need sign-in', async () => {
    const unknown = await feed('A'.repeat(43));
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().detail).toBe('No such calendar feed.');
    const malformed = await feed('short');
    expect(malformed.statusCode).toBe(400);
    expect(malformed.headers['content-type']).toContain('application/problem+json');
    const missing = await suite.app.inject({ method: 'GET', url: '/api/v1/me/calendar.ics' });
    expect(missing.statusCode).toBe(400);

    const user = await insertSignedInUser(suite.testApp);
    const token = (await rotate(user)).json().token;
    const deleted = await suite.app.inject({
      method: 'DELETE',
      url: '/api/v1/me/calendar-feed',
      headers: user.headers,
    });
    expect(deleted.statusCode).toBe(204);
    expect((await feed(token)).statusCode).toBe(404);
    const again = await suite.app.inject({
      method: 'DELETE',
      url: '/api/v1/me/calendar-feed',
      headers: user.headers,
    });
    expect(again.statusCode).toBe(404);
    expect((await feedRows()).rows.some((row) => row.user_id === user.id)).toBe(false);

    const before = (await feedRows()).rows.length;
    const anonymous = await suite.app.inject({ method: 'POST', url: '/api/v1/me/calendar-feed' });
    expect(anonymous.statusCode).toBe(401);
    expect((await feedRows()).rows.length).toBe(before);
  });
});
