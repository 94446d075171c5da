/**
 * The learner side of lesson access, for the catalog's lesson read (`GET /courses/:id/lessons/:lessonId`)
 * and course outline: the catalog cannot import this module (progress depends on courses, not the other
 * way round), so the composition root hands it this port (the catalog's `LearnerAccess`).
 */
import type { Database } from '../../infrastructure/database/client/client.js';
import type { AppError } from '../../shared/errors.js';
import { grantsAccess } from './enrollment-access.js';
import { lessonLocked } from './lesson-locks.js';
import { selectHasLockedModules, selectLearnerLessonFacts } from './progress.queries.js';

export type LearnerLessonAccess =
  | { kind: 'open' }
  | { kind: 'not_enrolled' }
  | { kind: 'locked'; error: AppError };

export function createLearnerAccess(db: Database) {
  return {
    /**
     * May `userId` read this lesson's body as a learner? Open with an entitled enrollment (active or
     * completed, not expired) unless the module is locked for them (403 `lesson_locked`, naming what
     * to complete first). One statement.
     */
    async lessonAccess(userId: string, courseId: string, lessonId: string): Promise<LearnerLessonAccess> {
      const facts = await selectLearnerLessonFacts(db, userId, courseId, lessonId);
      if (facts === undefined || !grantsAccess(facts.enrollmentStatus, facts.expired)) {
        return { kind: 'not_enrolled' };
      }
      if (facts.blockers.total > 0) {
        return { kind: 'locked', error: lessonLocked(facts.blockers.lessons, facts.blockers.total) };
      }
      return { kind: 'open' };
    },

    /** Whether any module of the course is locked for the user's enrollment (sequential courses). */
    hasLockedModules(userId: string, courseId: string): Promise<boolean> {
      return selectHasLockedModules(db, userId, courseId);
    },
  };
}

export type LearnerAccess = ReturnType<typeof createLearnerAccess>;
