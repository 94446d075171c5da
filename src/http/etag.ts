import { AppError } from '../shared/errors.js';

/** A course's strong ETag: its `version`, quoted. Every write to the course or its outline changes it. */
export function courseETag(version: number): string {
  return `"${version}"`;
}

const ENTITY_TAG = /^(W\/)?"([^"]*)"$/;

/**
 * What `If-Match: *` parses to: any current version matches (RFC 9110 §13.1.1: the resource exists).
 * Recognised by identity in checkIfMatch, so callers keep passing a plain list of versions.
 */
const ANY_VERSION: number[] = [];

/**
 * The course versions an `If-Match` header accepts (a comma-separated list of ETags, or `*` for any).
 * Weak tags never match (If-Match uses the strong comparison). Returns undefined when the header is
 * absent.
 */
export function parseIfMatch(header: string | undefined): number[] | undefined {
  if (header === undefined) return undefined;
  if (header.trim() === '*') return ANY_VERSION;
  const versions: number[] = [];
  for (const part of header.split(',')) {
    const match = ENTITY_TAG.exec(part.trim());
    if (!match) {
      throw new AppError(
        'precondition_failed',
        'If-Match must be * or the ETag from the course response, quoted, e.g. If-Match: "3".',
      );
    }
    const value = match[2] ?? '';
    if (match[1] === undefined && /^[1-9][0-9]{0,9}$/.test(value)) versions.push(Number(value));
  }
  return versions;
}

/**
 * Checks the precondition against the course's current version. `required` makes a missing header a
 * 428 (edits of course fields must say which version they were based on); a stale one is a 412.
 */
export function checkIfMatch(
  expected: number[] | undefined,
  currentVersion: number,
  required: boolean,
): void {
  const currentETag = courseETag(currentVersion);
  if (expected === undefined) {
    if (required) {
      throw new AppError(
        'precondition_required',
        `This request needs an If-Match header with the course ETag (currently If-Match: ${currentETag}), so that it cannot overwrite changes made since you loaded the course.`,
        { currentETag },
      );
    }
    return;
  }
  if (expected === ANY_VERSION) return;
  if (!expected.includes(currentVersion)) {
    throw new AppError(
      'precondition_failed',
      'The course has changed since you loaded it (its ETag no longer matches If-Match). Reload it and apply your change again.',
      { currentETag },
    );
  }
}
