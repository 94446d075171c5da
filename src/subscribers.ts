import type { Config } from './config.js';
import type { Database } from './infrastructure/database/client/client.js';
import type { DomainEventBus } from './infrastructure/events/domain-events.js';
import type { Mailer } from './infrastructure/mail/mailer.js';
import { createResetEmails } from './modules/auth/index.js';
import { type CatalogCache, createInstructorRenames } from './modules/catalog/index.js';
import type { CertificateIssuer } from './modules/certificates/index.js';
import type { MyEnrollmentsViews } from './modules/enrollments/index.js';
import type { GradebookPages } from './modules/gradebook/index.js';
import { createContentChanges, createGradedCompletion, type LearnerViews } from './modules/progress/index.js';
import type { UserCache } from './modules/users/index.js';

export interface SubscriberDependencies {
  config: Pick<Config, 'publicAppUrl' | 'passwordResetTtlMinutes'>;
  db: Database;
  mailer: Mailer;
  /** The instance the catalog routes read, so an invalidation reaches what they serve. */
  catalogCache: CatalogCache;
  /** The instance the auth guard and `/me` read. */
  userCache: UserCache;
  /** The instance the progress module serves learners' course views from. */
  learnerViews: LearnerViews;
  /** Issues a completed enrollment's certificate (idempotent). */
  certificateIssuer: CertificateIssuer;
  /** The instance the enrollments module serves "my enrollments" pages from. */
  myEnrollments: MyEnrollmentsViews;
  /** The instance the gradebook module serves its JSON pages from. */
  gradebookPages: GradebookPages;
}

/**
 * Every subscriber of the application, in one place: who reacts to what. A module that must react
 * to another's change adds one `subscribe` here (and, for a new kind of change, one entry in
 * DomainEvents) instead of a port between the two modules. Subscribers whose work must survive a
 * crash between the commit and their end (emails, certificates, counts in other tables) are marked
 * `durable: true` (with a unique `name`): each becomes a background job `event:<name>`, enqueued in
 * the publishing transaction and run by a worker with retries (src/infrastructure/jobs), so its
 * handler must be idempotent. Tasks that are not reactions to an event are wired in src/jobs.ts.
 */
export function wireSubscribers(events: DomainEventBus, deps: SubscriberDependencies): void {
  // Catalog: list pages and course details show the course and its instructor's name.
  events.subscribe('course.changed', ({ courseId }) => deps.catalogCache.courseChanged(courseId), {
    name: 'catalog-cache',
  });
  // Catalog: list items and details show the enrollment count (the `popular` sort uses it).
  events.subscribe(
    'course.enrollment-count.changed',
    ({ courseId }) => deps.catalogCache.courseChanged(courseId),
    { name: 'catalog-enrollment-counts' },
  );
  const instructorRenames = createInstructorRenames(deps.db, deps.catalogCache);
  events.subscribe('user.renamed', ({ userId }) => instructorRenames.userRenamed(userId), {
    name: 'catalog-instructor-names',
  });

  // Progress: a course change may change its required lessons: recount its enrollments' progress,
  // complete those now finished, then invalidate its learners' views.
  const contentChanges = createContentChanges({ db: deps.db, events, learnerViews: deps.learnerViews });
  // "My enrollments" pages show the recounted percentages, so they are invalidated after the recount.
  events.subscribe(
    'course.changed',
    async ({ courseId }) => {
      await contentChanges.courseChanged(courseId);
      await deps.myEnrollments.courseChanged();
    },
    { name: 'progress-recount' },
  );

  // Progress: a graded quiz attempt or assignment submission may meet a learner's last requirement:
  // durable, so a grade that commits always gets its completion (and so its certificate) checked.
  // Only required items: a grade of one that is not can never be the last requirement (a learner
  // who met every other one completed then), so it costs no job.
  const gradedCompletion = createGradedCompletion({ db: deps.db, events });
  events.subscribe('quiz-attempt.graded', (graded) => gradedCompletion.gradeRecorded(graded), {
    name: 'completion-quiz-graded',
    durable: true,
    when: (graded) => graded.required,
  });
  events.subscribe('assignment-submission.graded', (graded) => gradedCompletion.gradeRecorded(graded), {
    name: 'completion-assignment-graded',
    durable: true,
    when: (graded) => graded.required,
  });

  // Progress: a quiz or assignment no longer required (made optional, unpublished, deleted, its
  // passing score lowered) may leave a learner with every remaining requirement met: the course's
  // enrollments are checked by the completion rule as after a course change.
  for (const event of ['quiz.changed', 'assignment.changed'] as const) {
    events.subscribe(event, ({ courseId }) => contentChanges.courseChanged(courseId), {
      name: `completion-requirements:${event}`,
    });
  }

  // Enrollments and progress: what a learner's views show changed. (Expiry needs no event: a view is
  // never served past the expiry of an enrollment it shows.)
  const learnerChanged = async ({ userId, courseId }: { userId: string; courseId: string }) => {
    await Promise.all([
      deps.learnerViews.learnerChanged(userId, courseId),
      deps.myEnrollments.learnerChanged(userId),
    ]);
  };
  events.subscribe('enrollment.created', learnerChanged, { name: 'learner-views-enrolled' });
  events.subscribe('enrollment.dropped', learnerChanged, { name: 'learner-views-dropped' });
  events.subscribe('enrollment.completed', learnerChanged, { name: 'learner-views-completed' });
  events.subscribe('lesson-progress.recorded', learnerChanged, { name: 'learner-views-progress' });

  // Gradebook: a page shows the course's graded items (quizzes' and assignments' settings and
  // points), its active and completed enrollments with the students' names, and every counted score,
  // attempt count and awaiting/late flag: each committed change of one of them replaces the course's
  // generation. (Starting a quiz attempt or saving its answers changes no cell: an open attempt
  // counts for nothing, as no attempt at all. Rubric writes change no score: a rubric a grading used
  // cannot be replaced. Due dates passing need no event: a page is never served past the next one.
  // `course.changed` neither: a page shows nothing of the course row or outline, and who may read it,
  // from the course's status and instructor, is checked on every request before a copy is served.)
  const gradebookChanged = ({ courseId }: { courseId: string }) =>
    deps.gradebookPages.courseChanged(courseId);
  for (const event of [
    'quiz.changed',
    'assignment.changed',
    'quiz-attempt.graded',
    'assignment-submission.submitted',
    'assignment-submission.graded',
    'enrollment.created',
    'enrollment.dropped',
    'enrollment.completed',
  ] as const) {
    events.subscribe(event, gradebookChanged, { name: `gradebook-pages:${event}` });
  }
  events.subscribe(
    'enrollments.expired',
    async ({ courseIds }) => {
      await Promise.all(courseIds.map((courseId) => deps.gradebookPages.courseChanged(courseId)));
    },
    { name: 'gradebook-pages:enrollments.expired' },
  );
  events.subscribe('user.renamed', () => deps.gradebookPages.studentRenamed(), {
    name: 'gradebook-pages:user.renamed',
  });

  // Certificates: durable, so a completion that commits always gets its certificate (a job enqueued in
  // the completing transaction, retried until it succeeds); issuing is idempotent (one per enrollment).
  events.subscribe(
    'enrollment.completed',
    async ({ enrollmentId }) => {
      await deps.certificateIssuer.issue(enrollmentId);
    },
    { name: 'certificate-issuer', durable: true },
  );

  // Users: the auth guard's state and `/me`, invalidated on every instance.
  events.subscribe('user.changed', ({ userId }) => deps.userCache.userChanged(userId), {
    name: 'user-cache',
  });

  // Auth: detached, so whether the address has an account shows neither in the response nor in its timing.
  const resetEmails = createResetEmails({
    db: deps.db,
    mailer: deps.mailer,
    publicAppUrl: deps.config.publicAppUrl,
    ttlMinutes: deps.config.passwordResetTtlMinutes,
  });
  events.subscribe('password-reset.requested', (request) => resetEmails.send(request), {
    name: 'password-reset-email',
    detached: true,
  });
}
