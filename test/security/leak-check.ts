import { randomBytes } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import type { Database } from '../../src/infrastructure/database/client/client.js';
import {
  bulkOperationItems,
  certificates,
  courseModules,
  courses,
  enrollments,
  lessons,
  notifications,
  questions,
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
 * Routes whose request signs in as the world's student through its body (password, refresh token)
 * whatever bearer token it carries: the answer is the student's own account, so the student's
 * markers are theirs to see.
 */
const SIGNS_IN_AS_STUDENT = new Set(['POST /api/v1/auth/login', 'POST /api/v1/auth/refresh']);

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
