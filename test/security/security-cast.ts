import { eq } from 'drizzle-orm';
import {
  assignmentSubmissions,
  assignments,
  questions,
  quizSubmissions,
  quizzes,
  rubricCriteria,
  rubricLevels,
} from '../../src/infrastructure/database/schema/index.js';
import { createFileStorage } from '../../src/infrastructure/storage/create-storage.js';
import {
  insertBulkOperation,
  insertCertificate,
  insertCourse,
  insertEnrollment,
  insertJob,
  insertLesson,
  insertModule,
  insertNotification,
  insertSignedInUser,
  type SignedInUser,
} from '../helpers/factories/index.js';
import type { TestApp } from '../helpers/test-app.js';
import { CAST_ROLES, type CastName } from '../helpers/use-test-app.js';

/** What building the cast needs from the test app: its database and the settings tokens are signed with. */
type CastSource = Pick<TestApp, 'db' | 'config'>;

/**
 * The people and resources the security suites act with: two students, two instructors and an admin,
 * and three courses of `instructor` (a draft, a published one, and a published one `student` is enrolled
 * in: `enrollmentId`), each with one module holding a regular and a preview lesson, a notification of
 * `student`'s, `student`'s certificate, a failed background job, a bulk enrolment of `instructor`'s, and a quiz of the
 * enrolled course with `student`'s open attempt. Rows are inserted directly
 * (argon2 hash computed once per file), so a fresh cast costs a few milliseconds.
 */

export const CALLERS = [
  'anonymous',
  'student',
  'otherStudent',
  'instructor',
  'otherInstructor',
  'admin',
] as const;
export type Caller = (typeof CALLERS)[number];
export type SignedInCaller = Exclude<Caller, 'anonymous'> & CastName;

export const COURSE_NAMES = ['draftCourse', 'publishedCourse', 'enrolledCourse'] as const;
export type CourseName = (typeof COURSE_NAMES)[number];

export type CastUser = SignedInUser;

export interface CastCourse {
  id: string;
  slug: string;
  status: 'draft' | 'published';
  version: number;
  moduleId: string;
  /** A lesson that is not a preview: its body needs the instructor, an admin or an enrollment. */
  lessonId: string;
  previewLessonId: string;
}

export interface SecurityCast {
  users: Record<SignedInCaller, CastUser>;
  courses: Record<CourseName, CastCourse>;
  /** One notification of `student`'s. */
  studentNotificationId: string;
  /** A background job that used all its attempts (the admin's jobs routes act on it). */
  jobs: { failedJobId: string };
  /** `student`'s enrollment in `enrolledCourse`. */
  enrollmentId: string;
  /** A bulk enrolment `instructor` requested in `publishedCourse` (one row: `otherStudent`'s address). */
  bulkOperationId: string;
  /** `student`'s certificate for that enrollment (written directly: the enrollment stays active). */
  certificate: { id: string; verificationCode: string };
  /**
   * Assignments of `enrolledCourse`: a published one (unlimited attempts, any file type, a one-criterion
   * rubric) with `student`'s ungraded submission (text and one stored file), and an unpublished one.
   */
  assignments: { publishedId: string; unpublishedId: string; submissionId: string };
  /**
   * A published quiz of `enrolledCourse` with one short-answer question (its correct answer and
   * explanation are leak markers), and `student`'s open attempt at it.
   */
  quiz: { id: string; questionId: string; attemptId: string };
}

/** The cast's assignments: rows written directly, the submission's file put in the app's storage. */
async function castAssignments(testApp: CastSource, courseId: string, studentId: string) {
  const [published] = await testApp.db
    .insert(assignments)
    .values({ courseId, title: 'Security assignment', isPublished: true, maxAttempts: null })
    .returning({ id: assignments.id });
  const [unpublished] = await testApp.db
    .insert(assignments)
    .values({ courseId, title: 'Security draft assignment', instructions: 'Not yet' })
    .returning({ id: assignments.id });
  const [criterion] = await testApp.db
    .insert(rubricCriteria)
    .values({ assignmentId: published!.id, title: 'Quality', position: 0 })
    .returning({ id: rubricCriteria.id });
  await testApp.db
    .insert(rubricLevels)
    .values({ criterionId: criterion!.id, title: 'Good', points: 10, position: 0 });
  const [submission] = await testApp.db
    .insert(assignmentSubmissions)
    .values({ assignmentId: published!.id, studentId, content: 'Security submission' })
    .returning({ id: assignmentSubmissions.id });
  const key = `assignment-submissions/${published!.id}/${submission!.id}/0`;
  await createFileStorage(testApp.config.storage).put(key, Buffer.from('submitted file'), {
    contentType: 'text/plain; charset=utf-8',
  });
  await testApp.db
    .update(assignmentSubmissions)
    .set({
      attachments: [
        {
          name: 'work.txt',
          url: `/api/v1/assignment-submissions/${submission!.id}/files/0`,
          storageKey: key,
          mimeType: 'text/plain; charset=utf-8',
          sizeBytes: 14,
        },
      ],
    })
    .where(eq(assignmentSubmissions.id, submission!.id));
  return { publishedId: published!.id, unpublishedId: unpublished!.id, submissionId: submission!.id };
}

async function castQuiz(testApp: CastSource, courseId: string, studentId: string, enrollmentId: string) {
  const [quiz] = await testApp.db
    .insert(quizzes)
    .values({ courseId, title: 'Security quiz', isPublished: true })
    .returning({ id: quizzes.id });
  const [question] = await testApp.db
    .insert(questions)
    .values({
      quizId: quiz!.id,
      type: 'short_answer',
      prompt: 'Name the secret.',
      correctAnswer: ['the secret'],
      explanation: 'Because.',
      position: 0,
    })
    .returning({ id: questions.id });
  const [attempt] = await testApp.db
    .insert(quizSubmissions)
    .values({
      quizId: quiz!.id,
      userId: studentId,
      enrollmentId,
      questionOrder: [{ questionId: question!.id, optionIds: [] }],
    })
    .returning({ id: quizSubmissions.id });
  return { id: quiz!.id, questionId: question!.id, attemptId: attempt!.id };
}

function castUser(testApp: CastSource, caller: SignedInCaller): Promise<CastUser> {
  return insertSignedInUser(testApp, { role: CAST_ROLES[caller], name: `Security ${caller}` });
}

async function castCourse(testApp: CastSource, instructorId: string, name: CourseName): Promise<CastCourse> {
  const status = name === 'draftCourse' ? 'draft' : 'published';
  const course = await insertCourse(testApp.db, instructorId, {
    title: `Security ${name}`,
    description: 'A course the security suites act on.',
    status,
  });
  const module = await insertModule(testApp.db, course.id, 0);
  const lesson = await insertLesson(testApp.db, module, 0);
  const preview = await insertLesson(testApp.db, module, 1, { isPreview: true });
  return {
    id: course.id,
    slug: course.slug,
    status,
    version: course.version,
    moduleId: module.id,
    lessonId: lesson.id,
    previewLessonId: preview.id,
  };
}

export async function insertSecurityCast(testApp: CastSource): Promise<SecurityCast> {
  const users = {} as Record<SignedInCaller, CastUser>;
  for (const caller of Object.keys(CAST_ROLES) as SignedInCaller[])
    users[caller] = await castUser(testApp, caller);
  const courses = {} as Record<CourseName, CastCourse>;
  for (const name of COURSE_NAMES) courses[name] = await castCourse(testApp, users.instructor.id, name);
  const enrollment = await insertEnrollment(testApp.db, users.student.id, courses.enrolledCourse.id);
  const notification = await insertNotification(testApp.db, users.student.id, {
    type: 'enrollment',
    title: 'You are enrolled',
    payload: { courseId: courses.enrolledCourse.id },
  });
  const certificate = await insertCertificate(testApp, {
    enrollmentId: enrollment.id,
    userId: users.student.id,
    courseId: courses.enrolledCourse.id,
  });
  const failedJob = await insertJob(testApp.db, {
    task: 'security.cast-job',
    payload: { userId: users.student.id },
    state: 'failed',
  });
  const bulkOperation = await insertBulkOperation(testApp.db, {
    courseId: courses.publishedCourse.id,
    requestedBy: users.instructor.id,
    inputs: [users.otherStudent.email],
  });
  const castedAssignments = await castAssignments(testApp, courses.enrolledCourse.id, users.student.id);
  return {
    users,
    courses,
    assignments: castedAssignments,
    enrollmentId: enrollment.id,
    bulkOperationId: bulkOperation.id,
    certificate: { id: certificate.id, verificationCode: certificate.verificationCode },
    studentNotificationId: notification.id,
    jobs: { failedJobId: failedJob.id },
    quiz: await castQuiz(testApp, courses.enrolledCourse.id, users.student.id, enrollment.id),
  };
}

/** The Authorization header of `caller` (none for anonymous). */
export function headersOf(cast: SecurityCast, caller: Caller): Record<string, string> {
  return caller === 'anonymous' ? {} : { ...cast.users[caller].headers };
}
