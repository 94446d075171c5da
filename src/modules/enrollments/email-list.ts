/**
 * The input of a bulk enrolment: a list of email addresses, given as JSON, as a CSV body or as an
 * uploaded CSV file, read into rows and classified before anything is written. A row that is not an
 * address is `invalid_email`; an address an earlier row already names is `duplicate`; the others are
 * left for the background job, which looks them up (`null` here).
 */

import { validationFailed } from '../../shared/validation.js';
import { EMAIL_MAX_LENGTH, EMAIL_PATTERN, normalizeEmail } from '../auth/index.js';

/** Rows one bulk enrolment takes. */
export const MAX_BULK_ROWS = 10_000;

/** Longest row kept as given (longer ones are cut and are `invalid_email` anyway). */
export const MAX_BULK_INPUT_LENGTH = 320;

export interface ClassifiedRow {
  position: number;
  /** The row as given (trimmed of surrounding whitespace, at most MAX_BULK_INPUT_LENGTH characters). */
  input: string;
  /** Decided before the job runs, or null: left for the job. */
  outcome: 'invalid_email' | 'duplicate' | null;
}

const emailPattern = new RegExp(EMAIL_PATTERN, 'u');

/** Whether `raw` is an address an account could have (the registration rule). */
export function isEmailAddress(raw: string): boolean {
  return raw.trim().length <= EMAIL_MAX_LENGTH && emailPattern.test(raw);
}

/** Rows in input order; bad ones and repeats (case and surrounding spaces ignored) get their outcome. */
export function classifyRows(rows: readonly string[]): ClassifiedRow[] {
  const seen = new Set<string>();
  return rows.map((row, position) => {
    const input = row.trim().slice(0, MAX_BULK_INPUT_LENGTH);
    if (!isEmailAddress(row)) return { position, input, outcome: 'invalid_email' };
    const email = normalizeEmail(row);
    if (seen.has(email)) return { position, input, outcome: 'duplicate' };
    seen.add(email);
    return { position, input, outcome: null };
  });
}

/** The normalised address of a row the job looks up. */
export const emailOf = (input: string): string => normalizeEmail(input);

/**
 * One CSV record's fields (RFC 4180: quoted fields may hold commas, quotes doubled, line breaks). Empty
 * records (blank lines) come out too: parseEmailCsv skips them, which keeps the line ends simple here.
 */
function* csvRecords(text: string): Generator<string[]> {
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  while (i < body.length) {
    const char = body[i] as string;
    if (quoted) {
      if (char === '"') {
        if (body[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        field += char;
      }
      i += 1;
      continue;
    }
    if (char === '"' && field.trim() === '') {
      quoted = true;
      field = '';
    } else if (char === ',' || char === ';') {
      fields.push(field);
      field = '';
    } else if (char === '\n' || char === '\r') {
      // CR and LF each end a record: a CR LF pair leaves an empty one between, skipped as a blank line.
      fields.push(field);
      yield fields;
      fields = [];
      field = '';
    } else {
      field += char;
    }
    i += 1;
  }
  // The last record, even an empty one after a final line break (skipped as a blank line).
  fields.push(field);
  yield fields;
}

/**
 * The address rows of a CSV: one address per line, or a header row naming an `email` column (any
 * case; `,` or `;` separated) whose column is then read. Blank lines are skipped. More than
 * MAX_BULK_ROWS rows is a 400 that writes nothing.
 */
export function parseEmailCsv(text: string, field: string): string[] {
  const rows: string[] = [];
  let column = 0;
  let first = true;
  for (const record of csvRecords(text)) {
    if (record.every((cell) => cell.trim() === '')) continue;
    if (first) {
      first = false;
      const header = record.findIndex((cell) => cell.trim().toLowerCase() === 'email');
      if (header >= 0) {
        column = header;
        continue;
      }
    }
    rows.push(record[column] ?? '');
    if (rows.length > MAX_BULK_ROWS) throw tooManyRows(field);
  }
  if (rows.length === 0) {
    throw validationFailed([{ field, message: 'holds no email address rows' }]);
  }
  return rows;
}

export function tooManyRows(field: string) {
  return validationFailed([{ field, message: `has more than ${MAX_BULK_ROWS} rows` }]);
}
