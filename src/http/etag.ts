import { AppError } from '../shared/errors.js';

/** A course's strong ETag: its `version`, quoted. Every write to the course or its outline changes it. */
export function courseETag(version: number): string {
  return `"${version}"`;
}

const ENTITY_TAG = /^(W\/)?"([^"]*)"$/;

/**
 * The course versions an `If-Match` header accepts (a comma-separated list of ETags). Weak tags never
 * match (If-Match uses the strong comparison), and `*` is refused: it would match any version and so
 * defeat the lost-update check the header is for. Returns undefined when the header is absent.
 */
export function parseIfMatch(header: string | undefined): number[] | undefined {
  if (header === undefined) return undefined;
  const versions: number[] = [];
  for (const part of header.split(',')) {
    const tag = part.trim();
    if (tag === '*') {
      throw new AppError(
        'precondition_failed',
        'If-Match: * is not accepted here; send the ETag of the version you edited, e.g. If-Match: "3".',
      );
    }
    const match = ENTITY_TAG.exec(tag);
    if (!match) {
      throw new AppError(
        'precondition_failed',
        'If-Match must be the ETag from the course response, quoted, e.g. If-Match: "3".',
      );
    }
    const value = match[2] ?? '';
    if (match[1] === undefined && /^[1-9][0-9]{0,9}$/.test(value)) versions.push(Number(value));
  }
  return versions;
}

/**
 * Checks the precondition against the course's current version. `required` makes a missing header a
 * 412 as well (edits of course fields must say which version they were based on).
 */
export function checkIfMatch(
  expected: number[] | undefined,
  currentVersion: number,
  required: boolean,
): void {
  if (expected === undefined) {
    if (required) {
      throw new AppError(
        'precondition_failed',
        'This request needs an If-Match header with the course ETag (e.g. If-Match: "3"), so that it cannot overwrite changes made since you loaded the course.',
        { currentETag: courseETag(currentVersion) },
      );
    }
    return;
  }
  if (!expected.includes(currentVersion)) {
    throw new AppError(
      'precondition_failed',
      'The course has changed since you loaded it (its ETag no longer matches If-Match). Reload it and apply your change again.',
      { currentETag: courseETag(currentVersion) },
    );
  }
}
