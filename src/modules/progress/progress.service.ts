/**
 * The learner's side of a course: their view of an enrolled course (outline, locks, progress, the
 * next lesson) and their lesson progress writes. Writes `lesson_progress`; the enrollment's counters
 * change through the enrollments module's functions in the same transaction, and completion through
 * the completion rule (completion.ts).
 */
import type { Database } from '../../infrastructure/database/client/client.js';
import type { DomainEventBus } from '../../infrastructure/events/domain-events.js';
import { unitOfWork } from '../../infrastructure/events/unit-of-work.js';
import type { Actor } from '../../shared/actor.js';
import { countCompletedLesson, type EnrollmentProgress, recordLessonActivity } from '../enrollments/index.js';
import { completeIfFinished } from './completion.js';
import { courseNotFound, grantsAccess, lessonNotFound, refusal } from './enrollment-access.js';
import type { LearnerViews } from './learner-views.js';
import { lessonLocked, moduleLocks } from './lesson-locks.js';
import {
  type LearnerCourseRow,
  recordLessonHeartbeat,
  selectLearnerCourse,
  selectLessonFacts,
  type Timestamp,
  toDateOrNull,
  type WrittenProgress,
  writeLessonProgress,
} from './progress.queries.js';
import {
  type LearnerCourse,
  type LessonProgressView,
  MAX_TIME_SPENT_PER_CALL_SECONDS,
  type UpdateProgressInput,
} from './progress.schemas.js';

export interface ProgressServiceDeps {
  db: Database;
  events: DomainEventBus;
  learnerViews: LearnerViews;
}

/** The route's serializer (its response schema): the view is cached as the bytes it makes. */
export type Serialize<T> = (body: T) => string;

const iso = (date: Timestamp | null) => toDateOrNull(date)?.toISOString() ?? null;

type LearnerModule = LearnerCourse['modules'][number];
type LearnerLesson = LearnerModule['lessons'][number];

/** The learner view from the rows of selectLearnerCourse (enrollment known to grant access). */
function toLearnerCourse(rows: LearnerCourseRow[]): LearnerCourse {
  const head = rows[0] as LearnerCourseRow;
  const modules: (Omit<LearnerModule, 'locked' | 'lock'> & { remainingRequired: number })[] = [];
  let requiredLessonCount = 0;
  for (const row of rows) {
    if (row.module_id === null) continue;
    let module = modules.at(-1);
    if (module?.id !== row.module_id) {
      module = {
        id: row.module_id,
        title: row.module_title as string,
        position: row.module_position as number,
        lessons: [],
        remainingRequired: 0,
      };
      modules.push(module);
    }
    if (row.lesson_id === null) continue;
    const status = row.progress_status ?? 'not_started';
    if (row.is_required) {
      requiredLessonCount++;
      if (status !== 'completed') module.remainingRequired++;
    }
    module.lessons.push({
      id: row.lesson_id,
      title: row.lesson_title as string,
      type: row.lesson_type as LearnerLesson['type'],
      position: row.lesson_position as number,
      durationSeconds: row.duration_seconds as number,
      isPreview: row.is_preview === true,
      isRequired: row.is_required === true,
      locked: false,
      status,
      positionSeconds: row.last_position_seconds ?? 0,
      timeSpentSeconds: row.lesson_time_spent_seconds ?? 0,
      completedAt: iso(row.lesson_completed_at),
    });
  }
  const lockInput = {
    sequentialModules: head.sequential_modules,
    enrollmentStatus: head.enrollment_status ?? 'active',
  };
  const locks = moduleLocks(lockInput, modules);
  const outline: LearnerModule[] = modules.map(({ remainingRequired: _, ...module }, index) => {
    const lock = locks[index] ?? null;
    return {
      ...module,
      locked: lock !== null,
      lock,
      lessons: lock === null ? module.lessons : module.lessons.map((lesson) => ({ ...lesson, locked: true })),
    };
  });
  return {
    course: {
      id: head.course_id,
      slug: head.slug,
      title: head.course_title,
      status: head.course_status,
      sequentialModules: head.sequential_modules,
    },
    enrollment: {
      id: head.enrollment_id as string,
      status: lockInput.enrollmentStatus,
      progressPercent: head.progress_percent ?? 0,
      completedLessonCount: head.completed_lesson_count ?? 0,
      requiredLessonCount,
      timeSpentSeconds: head.time_spent_seconds ?? 0,
      lastAccessedAt: iso(head.last_accessed_at),
      completedAt: iso(head.completed_at),
      enrolledAt: iso(head.enrolled_at) as string,
      expiresAt: iso(head.expires_at),
    },
    nextLesson: nextLessonOf(outline),
    modules: outline,
  };
}

/** The first required lesson not completed (in course order), else the first optional one, else null. */
function nextLessonOf(modules: LearnerModule[]): LearnerCourse['nextLesson'] {
  const open = modules.flatMap((module) =>
    module.locked
      ? []
      : module.lessons
          .filter((lesson) => lesson.status !== 'completed')
          .map((lesson) => ({ lesson, moduleId: module.id })),
  );
  const next = open.find(({ lesson }) => lesson.isRequired) ?? open[0];
  return next
    ? { id: next.lesson.id, moduleId: next.moduleId, title: next.lesson.title, type: next.lesson.type }
    : null;
}

function enrollmentView(enrollment: EnrollmentProgress, requiredLessonCount: number) {
  return {
    id: enrollment.id,
    status: enrollment.status,
    progressPercent: enrollment.progressPercent,
    completedLessonCount: enrollment.completedLessonCount,
    requiredLessonCount,
    timeSpentSeconds: enrollment.timeSpentSeconds,
    lastAccessedAt: iso(enrollment.lastAccessedAt),
    completedAt: iso(enrollment.completedAt),
  };
}

export function createProgressService({ db, events, learnerViews }: ProgressServiceDeps) {
  return {
    /**
     * The caller's view of a course they are enrolled in (active or completed, not expired): 404 for
     * a course they cannot see, 403 `not_enrolled` for one they can. Served from the learner-view
     * cache while nothing it shows has changed.
     */
    async getLearnerCourse(
      actor: Actor,
      courseId: string,
      serialize: Serialize<LearnerCourse>,
    ): Promise<Buffer> {
      const id = courseId.toLowerCase();
      return learnerViews.get(actor.id, id, async () => {
        const rows = await selectLearnerCourse(db, actor.id, id);
        const head = rows[0];
        if (head === undefined) throw courseNotFound();
        const expired = head.expired === true;
        if (!grantsAccess(head.enrollment_status, expired)) {
          throw refusal(
            actor,
            {
              courseId: head.course_id,
              courseStatus: head.course_status,
              instructorId: head.instructor_id,
              enrollmentStatus: head.enrollment_status,
              expired,
            },
            courseNotFound,
          );
        }
        return { payload: serialize(toLearnerCourse(rows)), validUntil: toDateOrNull(head.expires_at) };
      });
    },

    /**
     * Records progress on a lesson: the enrollment's time and last access, the lesson's progress row,
     * and, when a required lesson becomes completed, the enrollment's count and percentage, then the
     * completion rule. Refused (and nothing written) for a lesson the caller may not learn in (404 /
     * 403 `not_enrolled`) or one still locked (403 `lesson_locked`). A write that cannot complete the
     * lesson (the player's periodic report) is one statement; a completing one is a transaction.
     */
    async recordProgress(
      actor: Actor,
      lessonId: string,
      input: UpdateProgressInput,
    ): Promise<LessonProgressView> {
      const id = lessonId.toLowerCase();
      // Both publish `lesson-progress.recorded`: its subscribers (src/subscribers.ts) refresh the
      // learner's views before this returns.
      return input.status === 'completed'
        ? recordCompletingWrite(actor, id, input)
        : recordHeartbeat(actor, id, input);
    },
  };

  /** Why nothing was written: no such lesson (404), or the caller may not learn in it. */
  async function refusalFor(actor: Actor, lessonId: string): Promise<never> {
    const facts = await selectLessonFacts(db, actor.id, lessonId);
    throw facts === undefined ? lessonNotFound() : refusal(actor, facts, lessonNotFound);
  }

  async function recordHeartbeat(
    actor: Actor,
    lessonId: string,
    input: UpdateProgressInput,
  ): Promise<LessonProgressView> {
    const beat = await recordLessonHeartbeat(db, {
      userId: actor.id,
      lessonId,
      positionSeconds: input.positionSeconds,
      reportedSeconds: input.timeSpentSeconds ?? 0,
      maxSecondsPerCall: MAX_TIME_SPENT_PER_CALL_SECONDS,
    });
    if (beat.kind === 'not_entitled') return refusalFor(actor, lessonId);
    if (beat.kind === 'locked') throw lessonLocked(beat.blockers.lessons, beat.blockers.total);
    const { activity } = beat;
    // Committed already (one statement): delivered now.
    await events.publish('lesson-progress.recorded', {
      userId: actor.id,
      courseId: beat.progress.courseId,
      lessonId: beat.progress.lessonId,
    });
    let { enrollment } = activity;
    // The counter says "all done" but the enrollment is still active: a completion was interrupted
    // (a crash between the count and the rule). The rule checks lesson_progress itself.
    if (completionDue(enrollment, activity.requiredLessonCount)) {
      const candidate = { enrollmentId: enrollment.id, userId: actor.id, courseId: enrollment.courseId };
      enrollment =
        (await unitOfWork(db, events, (tx, changes) => completeIfFinished(tx, changes, candidate))) ??
        enrollment;
    }
    return progressView(beat.progress, activity.recordedSeconds, enrollment, activity.requiredLessonCount);
  }

  async function recordCompletingWrite(
    actor: Actor,
    lessonId: string,
    input: UpdateProgressInput,
  ): Promise<LessonProgressView> {
    const outcome = await unitOfWork(db, events, async (tx, changes) => {
      const activity = await recordLessonActivity(tx, {
        userId: actor.id,
        lessonId,
        reportedSeconds: input.timeSpentSeconds ?? 0,
        maxSecondsPerCall: MAX_TIME_SPENT_PER_CALL_SECONDS,
      });
      if (activity === undefined) return undefined;
      let enrollment = activity.enrollment;
      const result = await writeLessonProgress(tx, {
        userId: actor.id,
        lessonId,
        enrollmentId: enrollment.id,
        enrollmentStatus: enrollment.status,
        status: 'completed',
        positionSeconds: input.positionSeconds,
        recordedSeconds: activity.recordedSeconds,
      });
      // The lesson was deleted since the enrollment was locked.
      if (result.kind === 'no_lesson') throw lessonNotFound();
      if (result.kind === 'locked') throw lessonLocked(result.blockers.lessons, result.blockers.total);
      const { progress } = result;
      changes.publish('lesson-progress.recorded', {
        userId: actor.id,
        courseId: progress.courseId,
        lessonId: progress.lessonId,
      });
      let requiredLessonCount = activity.requiredLessonCount;
      if (progress.becameCompleted && progress.isRequired) {
        const counted = await countCompletedLesson(tx, enrollment.id);
        enrollment = counted.enrollment;
        requiredLessonCount = counted.requiredLessonCount;
      }
      // Just now, or earlier when a completion was interrupted: the rule checks lesson_progress itself.
      if (completionDue(enrollment, requiredLessonCount)) {
        const candidate = { enrollmentId: enrollment.id, userId: actor.id, courseId: enrollment.courseId };
        enrollment = (await completeIfFinished(tx, changes, candidate)) ?? enrollment;
      }
      return progressView(progress, activity.recordedSeconds, enrollment, requiredLessonCount);
    });
    return outcome ?? refusalFor(actor, lessonId);
  }
}

/** The enrollment's counter says every required lesson is done while it is still active. */
function completionDue(enrollment: EnrollmentProgress, requiredLessonCount: number): boolean {
  return (
    enrollment.status === 'active' &&
    requiredLessonCount > 0 &&
    enrollment.completedLessonCount >= requiredLessonCount
  );
}

function progressView(
  progress: WrittenProgress,
  recordedSeconds: number,
  enrollment: EnrollmentProgress,
  requiredLessonCount: number,
): LessonProgressView {
  return {
    lessonId: progress.lessonId,
    courseId: progress.courseId,
    status: progress.status,
    positionSeconds: progress.positionSeconds,
    timeSpentSeconds: progress.timeSpentSeconds,
    recordedSeconds,
    startedAt: iso(progress.startedAt),
    completedAt: iso(progress.completedAt),
    enrollment: enrollmentView(enrollment, requiredLessonCount),
  };
}

export type ProgressService = ReturnType<typeof createProgressService>;
