/**
 * Grading a submission (the course's staff): a score, or a level per rubric criterion whose points
 * make the score; feedback; status `in_review` (a draft: kept from the student, not counted, no
 * notification or event), or `graded` / `returned` (released: both count in the gradebook). Guarded by
 * the grade's version (grade-version.ts): a stale If-Match is 412 `grade_conflict` with the current
 * grade. One transaction writes the grade (version + 1), the rubric assessments, a grade_changes row
 * (old and new grade and status, grader, feedback) and, for a released grade, the student's
 * `assignment_graded` notification and `assignment-submission.graded` (the completion rule and the
 * gradebook react). `releaseDrafts` releases an assignment's drafts together, the same way.
 */
import type { Database } from '../../infrastructure/database/client/client.js';
import type { Assignment, AssignmentSubmission } from '../../infrastructure/database/schema/index.js';
import type { DomainEventBus, DomainEvents } from '../../infrastructure/events/domain-events.js';
import type { TransactionEvents } from '../../infrastructure/events/unit-of-work.js';
import { unitOfWork } from '../../infrastructure/events/unit-of-work.js';
import type { Actor } from '../../shared/actor.js';
import { AppError } from '../../shared/errors.js';
import type { Executor } from '../../shared/transaction.js';
import { validationFailed } from '../../shared/validation.js';
import { type NotificationDraft, writeNotifications } from '../notifications/index.js';
import { assignmentNotFound, authorizeAuthoring, isStaff, submissionNotFound } from './assignment-access.js';
import { type SubmissionView, toSubmissionView } from './assignment-views.js';
import { type RubricCriterionRow, selectAssignmentWithAccess, selectRubric } from './assignments.queries.js';
import type { GradeBody } from './assignments.schemas.js';
import { type CurrentGrade, checkGradeVersion, parseGradeIfMatch } from './grade-version.js';
import {
  insertGradeChanges,
  releaseDraftGrades,
  replaceRubricAssessments,
  selectGradeHistory,
  selectRubricAssessments,
  selectSubmission,
  updateGrade,
} from './submissions.queries.js';

export interface GradingServiceDependencies {
  db: Database;
  events: DomainEventBus;
}

type RubricChoice = { criterionId: string; levelId: string; points: number; comment: string | null };

/** The chosen levels, checked against the rubric: exactly one level of each criterion. */
function rubricChoices(
  criteria: RubricCriterionRow[],
  chosen: NonNullable<GradeBody['rubric']>,
): RubricChoice[] {
  if (criteria.length === 0) {
    throw validationFailed([
      { field: '/body/rubric', message: 'this assignment has no rubric: grade with `score`' },
    ]);
  }
  const byCriterion = new Map(chosen.map((choice) => [choice.criterionId, choice]));
  if (byCriterion.size !== chosen.length) {
    throw validationFailed([{ field: '/body/rubric', message: 'names a criterion more than once' }]);
  }
  const errors: { field: string; message: string }[] = [];
  const choices: RubricChoice[] = [];
  for (const criterion of criteria) {
    const choice = byCriterion.get(criterion.id);
    byCriterion.delete(criterion.id);
    const level = criterion.levels.find((candidate) => candidate.id === choice?.levelId);
    if (!choice)
      errors.push({ field: '/body/rubric', message: `needs a level for criterion ${criterion.id}` });
    else if (!level)
      errors.push({
        field: '/body/rubric',
        message: `${choice.levelId} is not a level of criterion ${criterion.id}`,
      });
    else
      choices.push({
        criterionId: criterion.id,
        levelId: level.id,
        points: level.points,
        comment: choice.comment ?? null,
      });
  }
  for (const unknown of byCriterion.keys()) {
    errors.push({
      field: '/body/rubric',
      message: `${unknown} is not a criterion of this assignment's rubric`,
    });
  }
  if (errors.length > 0) throw validationFailed(errors);
  return choices;
}

const currentGradeOf = (row: {
  gradeVersion: number;
  grade: number | null;
  gradingStatus: string;
  feedback: string | null;
  gradedAt: Date | null;
}): CurrentGrade => ({
  gradeVersion: row.gradeVersion,
  grade: row.grade,
  gradingStatus: row.gradingStatus,
  feedback: row.feedback,
  gradedAt: row.gradedAt?.toISOString() ?? null,
});

/**
 * A released grade reaches its student: the `assignment_graded` notification ("New grade" when it
 * replaces one they had) and `assignment-submission.graded` (the gradebook and the completion rule).
 */
async function announceReleased(
  tx: Executor,
  changes: TransactionEvents<DomainEvents>,
  assignment: Pick<Assignment, 'id' | 'courseId' | 'title' | 'maxPoints' | 'isRequired'>,
  submissions: readonly (Pick<AssignmentSubmission, 'id' | 'studentId' | 'grade'> & { regraded: boolean })[],
): Promise<void> {
  await writeNotifications(
    tx,
    changes,
    submissions.map(
      (submission): NotificationDraft => ({
        userId: submission.studentId,
        type: 'assignment_graded',
        title: `${submission.regraded ? 'New grade' : 'Graded'}: ${assignment.title}`,
        body: `${submission.grade} of ${assignment.maxPoints} points.`,
        payload: { assignmentId: assignment.id, submissionId: submission.id, courseId: assignment.courseId },
        linkUrl: `/assignments/${assignment.id}/submissions/${submission.id}`,
      }),
    ),
  );
  for (const submission of submissions) {
    changes.publish('assignment-submission.graded', {
      submissionId: submission.id,
      assignmentId: assignment.id,
      userId: submission.studentId,
      courseId: assignment.courseId,
      required: assignment.isRequired,
    });
  }
}

/** A grade the student has been shown (and that counts): `graded` or `returned`. */
const isReleased = (status: string): boolean => status === 'graded' || status === 'returned';

export function createGradingService({ db, events }: GradingServiceDependencies) {
  /** The submission and its assignment for the course's staff; the student and others: 404/403. */
  async function forStaff(actor: Actor, id: string, tx: Executor = db, lock = false) {
    const submission = await selectSubmission(tx, id, lock);
    if (!submission) throw submissionNotFound();
    const found = await selectAssignmentWithAccess(tx, submission.assignmentId, actor.id);
    if (!found) throw submissionNotFound();
    if (!isStaff(actor, found.access)) {
      // Its own student: the submission exists for them, grading it does not (403). Another student:
      // it does not exist (404). Another instructor: as for authoring (403 on a published course).
      if (submission.studentId === actor.id) {
        throw new AppError('forbidden', 'Only the course’s instructor or an admin grades submissions.');
      }
      if (actor.role === 'student') throw submissionNotFound();
      authorizeAuthoring(actor, found.access, submissionNotFound);
    }
    return { submission, assignment: found.assignment, access: found.access };
  }

  return {
    async grade(
      actor: Actor,
      id: string,
      body: GradeBody,
      ifMatch: string | undefined,
      now = new Date(),
    ): Promise<SubmissionView> {
      const expected = parseGradeIfMatch(ifMatch);
      if ((body.score === undefined) === (body.rubric === undefined)) {
        throw validationFailed([
          { field: '/body', message: 'give either `score` or `rubric`, not both or neither' },
        ]);
      }
      return unitOfWork(db, events, async (tx, changes) => {
        // The row lock makes a second grader wait, then see the new version (412), never overwrite.
        const { submission, assignment } = await forStaff(actor, id, tx, true);
        checkGradeVersion(expected, currentGradeOf(submission));
        const released = isReleased(submission.gradingStatus);
        if (body.status === 'in_review' && released) {
          // Taking a grade the student has seen back into a draft would hide it again without a word.
          throw new AppError(
            'grade_released',
            'This grade was released to the student: a re-grade is released too (status graded or returned).',
            { currentGrade: currentGradeOf(submission) },
          );
        }
        const choices =
          body.rubric === undefined ? [] : rubricChoices(await selectRubric(tx, assignment.id), body.rubric);
        const grade =
          body.rubric === undefined ? (body.score as number) : choices.reduce((sum, c) => sum + c.points, 0);
        if (grade > assignment.maxPoints) {
          throw validationFailed([
            {
              field: body.rubric === undefined ? '/body/score' : '/body/rubric',
              message: `is more than the assignment's ${assignment.maxPoints} points`,
            },
          ]);
        }
        const feedback = body.feedback === undefined ? submission.feedback : body.feedback;
        await replaceRubricAssessments(tx, id, choices);
        const graded = await updateGrade(tx, id, {
          grade,
          gradingStatus: body.status,
          feedback,
          graderId: actor.id,
          gradedAt: now,
          gradeVersion: submission.gradeVersion + 1,
        });
        await insertGradeChanges(tx, [
          {
            assignmentSubmissionId: id,
            graderId: actor.id,
            oldGrade: submission.grade,
            newGrade: grade,
            oldStatus: submission.gradingStatus,
            newStatus: body.status,
            feedback,
            createdAt: now,
          },
        ]);
        if (body.status !== 'in_review') {
          await announceReleased(tx, changes, assignment, [{ ...graded, regraded: released }]);
        }
        return toSubmissionView(graded, await selectRubricAssessments(tx, id), 'staff');
      });
    },

    /**
     * Releases every draft grade of the assignment at once (the course's staff): each becomes `graded`
     * with its draft's score and feedback, gets a history row by the releaser, and notifies its student,
     * all in one transaction. Nothing to release is not an error.
     */
    async releaseDrafts(
      actor: Actor,
      assignmentId: string,
      now = new Date(),
    ): Promise<{ released: number; submissionIds: string[] }> {
      return unitOfWork(db, events, async (tx, changes) => {
        const found = await selectAssignmentWithAccess(tx, assignmentId, actor.id);
        if (!found) throw assignmentNotFound();
        authorizeAuthoring(actor, found.access, assignmentNotFound);
        const rows = await releaseDraftGrades(tx, assignmentId, now);
        await insertGradeChanges(
          tx,
          rows.map((row) => ({
            assignmentSubmissionId: row.id,
            graderId: actor.id,
            oldGrade: row.grade,
            newGrade: row.grade as number,
            oldStatus: 'in_review',
            newStatus: 'graded',
            feedback: row.feedback,
            createdAt: now,
          })),
        );
        await announceReleased(
          tx,
          changes,
          found.assignment,
          rows.map((row) => ({ ...row, regraded: false })),
        );
        return { released: rows.length, submissionIds: rows.map((row) => row.id) };
      });
    },

    /** Every grading of the submission, oldest first (staff only). */
    async history(actor: Actor, id: string) {
      await forStaff(actor, id);
      const rows = await selectGradeHistory(db, id);
      return {
        data: rows.map((row) => ({ ...row, createdAt: row.createdAt.toISOString() })),
      };
    },
  };
}

export type GradingService = ReturnType<typeof createGradingService>;
