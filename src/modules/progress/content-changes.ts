/**
 * What a course change means for its learners (subscribed to `course.changed`, src/subscribers.ts).
 * Percentages are kept incrementally against the required-lesson count of the moment, so a required
 * lesson added or removed (or deleted with its progress rows) would leave them wrong: after every
 * committed course change, the course's active enrollments are recounted from lesson_progress (one
 * statement; rows whose figures are right are left alone), and each one whose required lessons are
 * now all completed (the last missing lesson was removed or made optional) is completed by the
 * completion rule right then: notification, `enrollment.completed`, certificate, as if the learner
 * had just finished. Then the course's learner views are invalidated.
 */
import type { Database } from '../../infrastructure/database/client/client.js';
import type { DomainEventBus } from '../../infrastructure/events/domain-events.js';
import { unitOfWork } from '../../infrastructure/events/unit-of-work.js';
import { recountCourseProgress } from '../enrollments/index.js';
import { completeIfFinished } from './completion.js';
import type { LearnerViews } from './learner-views.js';

export interface ContentChangeDependencies {
  db: Database;
  events: DomainEventBus;
  learnerViews: LearnerViews;
}

export function createContentChanges({ db, events, learnerViews }: ContentChangeDependencies) {
  return {
    /** Recounts and completes in one transaction; the completion events are delivered after it. */
    async courseChanged(courseId: string): Promise<void> {
      await unitOfWork(db, events, async (tx, changes) => {
        const finished = await recountCourseProgress(tx, courseId);
        for (const enrollment of finished) {
          await completeIfFinished(tx, changes, {
            enrollmentId: enrollment.id,
            userId: enrollment.userId,
            courseId: enrollment.courseId,
          });
        }
      });
      await learnerViews.courseChanged(courseId);
    },
  };
}

export type ContentChanges = ReturnType<typeof createContentChanges>;
