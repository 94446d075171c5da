import { describe, expect, it } from 'vitest';
import {
  classifyRows,
  isEmailAddress,
  MAX_BULK_INPUT_LENGTH,
  parseEmailCsv,
} from '../../src/modules/enrollments/email-list.js';
import { csvCell } from '../../src/modules/enrollments/roster.js';
import { AppError } from '../../src/shared/errors.js';

function refusal(run: () => unknown): AppError {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('bulk enrolment rows', () => {
  it('reads one address per line, skipping blank lines, CR/LF or LF, a BOM and a last line without its break', () => {
    expect(parseEmailCsv('\uFEFFa@example.test\r\n\r\nb@example.test\n  \nc@example.test', '/body')).toEqual([
      'a@example.test',
      'b@example.test',
      'c@example.test',
    ]);
  });

  it('reads the email column named by a header row (any case, `,` or `;`), quoted fields with commas and quotes', () => {
    const csv =
      'Name;EMAIL;team\n"Lovelace; Ada";ada@example.test;x\n"Grace ""Amazing"" Hopper",grace@example.test\n';
    expect(parseEmailCsv(csv, '/body')).toEqual(['ada@example.test', 'grace@example.test']);
    // A row shorter than the header gives an empty cell (an invalid row, not a shifted one).
    expect(parseEmailCsv('name,email\nonly-a-name\n', '/body')).toEqual(['']);
    // Without a header the first column is read, and the first row is data.
    expect(parseEmailCsv('ada@example.test,Ada\ngrace@example.test,Grace', '/body')).toEqual([
      'ada@example.test',
      'grace@example.test',
    ]);
  });

  it('keeps a quoted line break inside its field', () => {
    expect(parseEmailCsv('email,note\na@example.test,"two\nlines"\nb@example.test,x', '/body')).toEqual([
      'a@example.test',
      'b@example.test',
    ]);
  });

  it('reads the CSV edge cases as RFC 4180 readers do', () => {
    const read = (csv: string) => parseEmailCsv(csv, '/body');
    // A lone CR ends a line too; a last break does not add a row.
    expect(read('a@x.test\rb@x.test\r')).toEqual(['a@x.test', 'b@x.test']);
    // A quote inside an unquoted field is a character; one after blanks opens a quoted field, whose
    // text after the closing quote is kept.
    expect(read('x"y@x.test\nb@x.test')).toEqual(['x"y@x.test', 'b@x.test']);
    expect(read('  "a@x.test"  \nb@x.test')).toEqual(['a@x.test  ', 'b@x.test']);
    expect(read('"a@x.test"x\n')).toEqual(['a@x.testx']);
    // A doubled quote at the very end is one quote (the field stays open to the end of the text), as is
    // one in the middle.
    expect(read('"a@x.test""')).toEqual(['a@x.test"']);
    expect(read('"a""b@x.test"\nc@x.test')).toEqual(['a"b@x.test', 'c@x.test']);
    // A trailing separator ends the row; rows of separators only are blank lines.
    expect(read('a@x.test,\n')).toEqual(['a@x.test']);
    expect(read('a@x.test,')).toEqual(['a@x.test']);
    expect(read('b@x.test;"x"')).toEqual(['b@x.test']);
    // LF CR is two line ends (one blank line), not one.
    expect(read('a@x.test\n\rb@x.test')).toEqual(['a@x.test', 'b@x.test']);
    expect(read(',,\n;;\n a@x.test')).toEqual([' a@x.test']);
    // Only the first non-blank row can be the header, trimmed and in any case.
    expect(read('a@x.test\nemail\nb@x.test')).toEqual(['a@x.test', 'email', 'b@x.test']);
    expect(read('\n\n Email \na@x.test')).toEqual(['a@x.test']);
    expect(read('email\n"a@x.test"')).toEqual(['a@x.test']);
    // Quoted CR/LF and separators stay inside their field; an empty email cell is an (invalid) row.
    expect(read('email,note\na@x.test,"line\r\nbreak"\nb@x.test,"semi;colon"')).toEqual([
      'a@x.test',
      'b@x.test',
    ]);
    expect(read('name,email\n"Ada",\n')).toEqual(['']);
    // Only a leading byte-order mark is dropped.
    expect(read('a@x.test\uFEFF\nb@x.test')).toEqual(['a@x.test\uFEFF', 'b@x.test']);
    // The length rule applies to the trimmed address.
    const longest = `${'a'.repeat(241)}@example.test`;
    expect(isEmailAddress(` ${longest} `)).toBe(true);
  });

  it('refuses no rows and more than 10,000, naming the field', () => {
    expect(refusal(() => parseEmailCsv('\n\r\n', '/body/file')).extras).toEqual({
      errors: [{ field: '/body/file', message: 'holds no email address rows' }],
    });
    expect(refusal(() => parseEmailCsv('email\n', '/body')).status).toBe(400);
    expect(refusal(() => parseEmailCsv('', '/body')).status).toBe(400);
    const rows = Array.from({ length: 10_001 }, (_, n) => `r${n}@example.test`).join('\n');
    expect(refusal(() => parseEmailCsv(rows, '/body')).extras).toEqual({
      errors: [{ field: '/body', message: 'has more than 10000 rows' }],
    });
    expect(parseEmailCsv(rows.split('\n').slice(0, 10_000).join('\n'), '/body')).toHaveLength(10_000);
  });

  it('classifies invalid and repeated addresses (case, spaces and NFC ignored) before the job', () => {
    const decomposed = 'Jose\u0301@example.test';
    const composed = 'jos\u00e9@example.test';
    expect(
      classifyRows([' Ada@Example.test ', 'ada@example.test', 'no-at-sign', 'x@y', decomposed, composed, '']),
    ).toEqual([
      { position: 0, input: 'Ada@Example.test', outcome: null },
      { position: 1, input: 'ada@example.test', outcome: 'duplicate' },
      { position: 2, input: 'no-at-sign', outcome: 'invalid_email' },
      { position: 3, input: 'x@y', outcome: 'invalid_email' },
      { position: 4, input: decomposed, outcome: null },
      { position: 5, input: composed, outcome: 'duplicate' },
      { position: 6, input: '', outcome: 'invalid_email' },
    ]);
    const long = `${'a'.repeat(400)}@example.test`;
    const [row] = classifyRows([long]);
    expect(row).toEqual({
      position: 0,
      input: long.slice(0, MAX_BULK_INPUT_LENGTH),
      outcome: 'invalid_email',
    });
    expect(isEmailAddress(`${'a'.repeat(241)}@example.test`)).toBe(true);
    expect(isEmailAddress(`${'a'.repeat(242)}@example.test`)).toBe(false);
    expect(isEmailAddress('a b@example.test')).toBe(false);
    expect(isEmailAddress('a\u0000b@example.test')).toBe(false);
  });
});

describe('roster CSV cells', () => {
  it('neutralises formula starts, quotes what needs quoting, and leaves the rest alone', () => {
    expect(csvCell('=1+2')).toBe("'=1+2");
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-1')).toBe("'-1");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\tx')).toBe("'\tx");
    expect(csvCell('\rx')).toBe(`"'\rx"`);
    expect(csvCell('a=b')).toBe('a=b');
    expect(csvCell('Lovelace, Ada')).toBe('"Lovelace, Ada"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(42)).toBe('42');
    expect(csvCell(null)).toBe('');
    expect(csvCell('')).toBe('');
  });
});
