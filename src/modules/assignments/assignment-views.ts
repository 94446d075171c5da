/** What the API answers with: rows turned into the JSON the schemas describe (no storage keys). */
import type { Assignment, AssignmentSubmission } from '../../infrastructure/database/schema/index.js';
import type { RubricCriterionRow } from './assignments.queries.js';
import { countedScore } from './late-penalty.js';

export function toAssignmentView(row: Assignment) {
  return {
    id: row.id,
    courseId: row.courseId,
    lessonId: row.lessonId,
    title: row.title,
    instructions: row.instructions,
    dueAt: row.dueAt?.toISOString() ?? null,
    maxPoints: row.maxPoints,
    allowLate: row.allowLate,
    latePenaltyPercent: row.latePenaltyPercent,
    latePenaltyMaxPercent: row.latePenaltyMaxPercent,
    maxAttempts: row.maxAttempts,
    allowedFileTypes: row.allowedFileTypes,
    maxFileSizeBytes: row.maxFileSizeBytes,
    isRequired: row.isRequired,
    passingScore: row.passingScore,
    isPublished: row.isPublished,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
export type AssignmentView = ReturnType<typeof toAssignmentView>;

/** The best level of each criterion, summed: the most a rubric grading can give. */
export const rubricMaxPoints = (criteria: readonly RubricCriterionRow[]): number =>
  criteria.reduce((sum, criterion) => sum + Math.max(0, ...criterion.levels.map((level) => level.points)), 0);

export function toRubricView(assignmentId: string, criteria: RubricCriterionRow[]) {
  return { assignmentId, maxPoints: rubricMaxPoints(criteria), criteria };
}

export const fileUrlOf = (apiPrefix: string, submissionId: string, index: number) =>
  `${apiPrefix}/assignment-submissions/${submissionId}/files/${index}`;

/**
 * Who reads a submission: the course's staff see a draft grade (`in_review`); its student sees that it is
 * in review and nothing of the draft (score, feedback, rubric levels, grader) until it is released.
 */
export type SubmissionReader = 'staff' | 'student';

export function toSubmissionView(
  row: AssignmentSubmission,
  rubric: { criterionId: string; levelId: string; points: number; comment: string | null }[],
  reader: SubmissionReader,
) {
  const hidden = reader === 'student' && row.gradingStatus === 'in_review';
  return {
    id: row.id,
    assignmentId: row.assignmentId,
    studentId: row.studentId,
    attemptNumber: row.attemptNumber,
    content: row.content,
    attachments: row.attachments.map((attachment, index) => ({
      index,
      kind: attachment.storageKey === undefined ? ('link' as const) : ('file' as const),
      name: attachment.name,
      url: attachment.url,
      contentType: attachment.mimeType ?? null,
      sizeBytes: attachment.sizeBytes ?? null,
    })),
    submittedAt: row.submittedAt.toISOString(),
    isLate: row.isLate,
    penaltyPercent: row.penaltyPercent,
    grade: hidden ? null : row.grade,
    countedScore: hidden || row.grade === null ? null : countedScore(row.grade, row.penaltyPercent),
    gradeVersion: row.gradeVersion,
    gradingStatus: row.gradingStatus,
    feedback: hidden ? null : row.feedback,
    graderId: hidden ? null : row.graderId,
    gradedAt: hidden ? null : (row.gradedAt?.toISOString() ?? null),
    rubricAssessments: hidden ? [] : rubric,
  };
}
export type SubmissionView = ReturnType<typeof toSubmissionView>;
