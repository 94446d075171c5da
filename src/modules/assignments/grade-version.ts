/**
 * Two graders must not silently overwrite each other: a submission's grade carries `grade_version`
 * (0 before the first grading, +1 with each), sent as the ETag `"<grade_version>"`. Grading a
 * submission that has been graded needs `If-Match` with the version the grader saw (428 without it);
 * a stale one is 412 `grade_conflict` with the current grade in the problem. The first grading may omit
 * it (there is nothing to overwrite; two first graders racing: the second finds version 1 and no
 * If-Match, so it is refused too).
 */
import { AppError } from '../../shared/errors.js';

export const gradeETag = (version: number): string => `"${version}"`;

const ENTITY_TAG = /^"(0|[1-9][0-9]{0,9})"$/;

/** The version an If-Match header names (undefined when absent); anything but one strong ETag is 412. */
export function parseGradeIfMatch(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const match = ENTITY_TAG.exec(header.trim());
  if (!match) {
    throw new AppError(
      'precondition_failed',
      'If-Match must be the ETag of the submission’s grade, quoted, e.g. If-Match: "2".',
    );
  }
  return Number(match[1]);
}

export interface CurrentGrade {
  gradeVersion: number;
  grade: number | null;
  gradingStatus: string;
  feedback: string | null;
  gradedAt: string | null;
}

/** Refuses grading unless `expected` names the current version (or may be omitted: never graded). */
export function checkGradeVersion(expected: number | undefined, current: CurrentGrade): void {
  const extras = { currentETag: gradeETag(current.gradeVersion), currentGrade: current };
  if (expected === undefined) {
    if (current.gradeVersion === 0) return;
    throw new AppError(
      'precondition_required',
      `This submission has been graded: send If-Match: ${gradeETag(current.gradeVersion)} (the grade you saw) to change it.`,
      extras,
    );
  }
  if (expected !== current.gradeVersion) {
    throw new AppError(
      'grade_conflict',
      'Someone graded this submission since you loaded it: review the current grade, then grade again with its ETag.',
      extras,
    );
  }
}
