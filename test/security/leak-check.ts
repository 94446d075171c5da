import { randomBytes } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import type { Database } from '../../src/infrastructure/database/client/client.js';
import {
  assignmentSubmissions,
  assignments,
  bulkOperationItems,
  certificates,
  courseModules,
  courses,
  enrollments,
  lessons,
  notifications,
  questions,
  quizSubmissions,
  quizzes,
  users,
} from '../../src/infrastructure/database/schema/index.js';
import type { Caller, SecurityCast } from './security-cast.js';

/**
 * The leak check of the security suites: unique marker values planted in what a caller must not see,
 * and a search for them in every response body that caller gets. A status check alone passes a 200
 * list that carries a draft course; this does not. A new module plants its own markers here with its
 * rows (correct quiz answers, other users' messages and payments) and names who may see them.
 */

export interface LeakMarker {
  /** What the marker stands for, for the failure message. */
  what: string;
  value: string;
  /** The callers allowed to receive it; every other caller must never see it in a response. */
  visibleTo: readonly Caller[];
}

const marker = (what: string): string =>
  `leakmarker${randomBytes(8).toString('hex')}${what.replace(/\W/g, '')}`;

const courseAuthors = ['instructor', 'admin'] as const;

/**
 * Writes the markers into `world`'s rows (before any request reads them, so no cache holds the old
 * values) and returns them. The student's email is changed in `world` too, so requests built from it
 * still name the right account.
 */
export async function plantLeakMarkers(db: Database, world: SecurityCast): Promise<LeakMarker[]> {
  const planted: LeakMarker[] = [];
  const plant = (what: string, visibleTo: readonly Caller[]): string => {
    const value = marker(what);
    planted.push({ what, value, visibleTo });
    return value;
  };

  const { draftCourse, publishedCourse, enrolledCourse } = world.courses;
  await db
    .update(courses)
    .set({
      title: `Draft ${plant('draft course title', courseAuthors)}`,
      description: `Unpublished ${plant('draft course description', courseAuthors)}`,
    })
    .where(eq(courses.id, draftCourse.id));
  const lessonBodies: Array<[string, string, readonly Caller[]]> = [
    [draftCourse.lessonId, 'lesson body of a draft course', courseAuthors],
    [publishedCourse.lessonId, 'lesson body behind an enrollment nobody has', courseAuthors],
    [enrolledCourse.lessonId, "lesson body behind the student's enrollment", [...courseAuthors, 'student']],
  ];
  for (const [lessonId, what, visibleTo] of lessonBodies) {
    await db
      .update(lessons)
      .set({ content: { body: `Lesson text ${plant(what, visibleTo)}` } })
      .where(eq(lessons.id, lessonId));
  }
  // An enrollment carries no text of its own (and its id is in the URLs that act on it): a time spent
  // no other row has stands for its data, visible to its learner, the course's instructor and admins.
  const timeSpent = 1_000_000_000 + (randomBytes(4).readUInt32BE(0) % 1_000_000_000);
  planted.push({
    what: "another student's enrollment data",
    value: `"timeSpentSeconds":${timeSpent}`,
    visibleTo: ['student', ...courseAuthors],
  });
  await db
    .update(enrollments)
    .set({ timeSpentSeconds: timeSpent })
    .where(eq(enrollments.id, world.enrollmentId));
  // The enrolled course becomes sequential with a second module: its lesson is locked for the student
  // (who has completed nothing), so its body reaches only the course's authors, through the lesson read
  // and the outline alike.
  await db.update(courses).set({ sequentialModules: true }).where(eq(courses.id, enrolledCourse.id));
  const [lockedModule] = await db
    .insert(courseModules)
    .values({ courseId: enrolledCourse.id, position: 1, title: 'Locked module' })
    .returning({ id: courseModules.id });
  await db.insert(lessons).values({
    moduleId: lockedModule!.id,
    courseId: enrolledCourse.id,
    position: 0,
    title: 'Locked lesson',
    type: 'text',
    content: {
      body: `Lesson text ${plant('lesson body of a module locked for the student', courseAuthors)}`,
    },
  });
  // The roster of the enrolled course shows its learners' addresses to the course's instructor.
  const email = `${plant("another student's email", ['student', ...courseAuthors])}@example.test`;
  await db.update(users).set({ email }).where(eq(users.id, world.users.student.id));
  world.users.student.email = email;
  await db
    .update(notifications)
    .set({ title: `Notification ${plant("another user's notification", ['student'])}` })
    .where(eq(notifications.id, world.studentNotificationId));
  // The rows of a bulk enrolment (addresses its requester typed): the requester (the course's
  // instructor) and admins only.
  await db
    .update(bulkOperationItems)
    .set({ input: `${plant('a bulk enrolment row', courseAuthors)}@example.test` })
    .where(eq(bulkOperationItems.operationId, world.bulkOperationId));
  // A certificate's private part: the revocation reason (a certificate's names and dates are public to
  // whoever has its code; its reason, code and ids are for its learner and admins).
  await db
    .update(certificates)
    .set({ revocationReason: `Reason ${plant("another learner's certificate data", ['student', 'admin'])}` })
    .where(eq(certificates.id, world.certificate.id));
  // Assignments: an unpublished assignment's instructions are for the course's authors; a student's
  // submission (its text and its file's name) for that student and the course's staff.
  await db
    .update(assignments)
    .set({ instructions: `Draft ${plant('unpublished assignment instructions', courseAuthors)}` })
    .where(eq(assignments.id, world.assignments.unpublishedId));
  const [submission] = await db
    .select({ attachments: assignmentSubmissions.attachments })
    .from(assignmentSubmissions)
    .where(eq(assignmentSubmissions.id, world.assignments.submissionId));
  await db
    .update(assignmentSubmissions)
    .set({
      content: `Essay ${plant("another student's submission text", ['student', ...courseAuthors])}`,
      attachments: (submission?.attachments ?? []).map((attachment) => ({
        ...attachment,
        name: `${plant("another student's submitted file name", ['student', ...courseAuthors])}.txt`,
      })),
    })
    .where(eq(assignmentSubmissions.id, world.assignments.submissionId));
  // A grade: the student's counted score on a graded quiz of the enrolled course (a score no other row
  // has), in the gradebook for the course's staff and in the student's own grades, nobody else's.
  const [gradedQuiz] = await db
    .insert(quizzes)
    .values({ courseId: enrolledCourse.id, title: 'Graded checkpoint', isPublished: true })
    .returning({ id: quizzes.id });
  await db.insert(questions).values({
    quizId: gradedQuiz!.id,
    type: 'true_false',
    prompt: 'Is this graded?',
    correctAnswer: true,
    points: 100,
    position: 0,
  });
  const hundredths = 1000 + (randomBytes(2).readUInt16BE(0) % 8000);
  const scorePercent = hundredths / 100;
  planted.push({
    what: "a student's grade",
    value: `"score":${scorePercent}`,
    visibleTo: ['student', ...courseAuthors],
  });
  await db.insert(quizSubmissions).values({
    quizId: gradedQuiz!.id,
    userId: world.users.student.id,
    enrollmentId: world.enrollmentId,
    score: scorePercent,
    maxScore: 100,
    scorePercent,
    passed: false,
    startedAt: new Date(Date.now() - 60_000),
    submittedAt: new Date(),
    gradingStatus: 'auto_graded',
  });
  // A due date in the student's calendar feed (a second no other row has), as the feed writes it: only
  // the holder of the student's feed token gets it (GET /me/calendar.ics, answered as the student's).
  const due = new Date(Date.UTC(2031, 0, 1) + (randomBytes(4).readUInt32BE(0) % 31_536_000) * 1000);
  planted.push({
    what: "a student's calendar",
    value: `DTSTART:${due
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d{3}/, '')}`,
    visibleTo: ['student'],
  });
  await db
    .insert(assignments)
    .values({ courseId: enrolledCourse.id, title: 'Dated assignment', isPublished: true, dueAt: due });
  // A quiz's correct answers and explanations: the course's authors only (the student sees them only
  // after submitting, and the cast's quiz does not show them even then).
  await db
    .update(questions)
    .set({
      correctAnswer: [plant('a correct quiz answer', courseAuthors)],
      explanation: `Explanation ${plant('a quiz answer explanation', courseAuthors)}`,
    })
    .where(eq(questions.id, world.quiz.questionId));
  // A background job's payload and last error may name users: admins only.
  const payload = JSON.stringify({ note: plant('a background job payload', ['admin']) });
  await db.execute(sql`UPDATE graphile_worker._private_jobs
    SET payload = ${payload}::json, last_error = ${`failed: ${plant('a background job error', ['admin'])}`}
    WHERE id = ${world.jobs.failedJobId}::bigint`);
  return planted;
}

/**
 * Routes whose request signs in as the world's student through its body or query (password, refresh
 * token, calendar feed token)
 * whatever bearer token it carries: the answer is the student's own account, so the student's
 * markers are theirs to see.
 */
const SIGNS_IN_AS_STUDENT = new Set([
  'POST /api/v1/auth/login',
  'POST /api/v1/auth/refresh',
  // The feed token in the query is the student's (calendar.rows.ts): the feed is theirs.
  'GET /api/v1/me/calendar.ics',
]);

/** Who the answer to `caller` calling `operation` is for. */
export function recipientOf(operation: string, caller: Caller): Caller {
  return SIGNS_IN_AS_STUDENT.has(operation) ? 'student' : caller;
}

/** One line per marker `caller` must not see that `body` contains. */
export function markerLeaks(markers: readonly LeakMarker[], caller: Caller, body: string): string[] {
  return markers
    .filter((planted) => !planted.visibleTo.includes(caller) && body.includes(planted.value))
    .map((planted) => `body leaks the ${planted.what} to ${caller}`);
}
