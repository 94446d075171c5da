/**
 * Inputs that break naive servers: injection strings, unicode edge cases, odd numbers, malformed
 * encodings. Plain data; the generator decides where each goes and whether it must be rejected.
 */

export const SQL_INJECTIONS: readonly string[] = [
  "' OR 1=1 --",
  "'; DROP TABLE users; --",
  '" OR ""="',
  "admin'--",
  "') OR ('1'='1",
  '1; SELECT pg_sleep(3); --',
  "' UNION SELECT email FROM users --",
  "%' OR '%'='",
  "\\'; DELETE FROM courses; --",
  '$$; DROP TABLE courses; $$',
  "1' AND (SELECT 1 FROM pg_sleep(3))::text = '1",
  '%_%',
];

export const SCRIPT_INJECTIONS: readonly string[] = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  'javascript:alert(document.cookie)',
  '{{7*7}}',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, sent literally
  '${7*7}',
  '<!--#exec cmd="ls"-->',
  '../../../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '{"$gt": ""}',
  '__proto__',
  'constructor',
];

export const UNICODE_EDGE_CASES: readonly string[] = [
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfffy',
  '\ud83d',
  '\u202egnp.exe',
  'שלום עולם',
  'مرحبا بالعالم',
  '😀',
  '👩‍👩‍👧‍👦🏳️‍🌈',
  `e${'\u0301'.repeat(60)}`,
  'Z̷̡̛̺̘͍͎͓̗̀̈́̈́̔a̸̢̛̗̮͉̜͌̾̑l̵̨͍̮̺͙̓̅ğ̶̢̰̟̳̾͝o̴̢̺̫̍̈́̚',
  '\ufeffBOM',
  'zero\u200bwidth',
  '\uffff\ufffe',
  '\u{10ffff}',
  'Ａｄｍｉｎ',
  'İı',
  '\u0085\u2028\u2029',
  '\t\r\n',
  '\u001b[31mred\u001b[0m',
  'ÀÁÂÃÄÅ',
];

export const ODD_STRINGS: readonly string[] = [
  '',
  ' ',
  'null',
  'undefined',
  'NaN',
  'true',
  '[]',
  '{}',
  '-1',
  '0',
  '1e309',
  '9007199254740993',
  '0x10',
  '%00',
  '%',
  '\\',
  '"',
  "'",
];

export const HOSTILE_STRINGS: readonly string[] = [
  ...SQL_INJECTIONS,
  ...SCRIPT_INJECTIONS,
  ...UNICODE_EDGE_CASES,
  ...ODD_STRINGS,
];

/** Numbers written as raw JSON (some not representable as a JS number, some not JSON at all). */
export const RAW_JSON_NUMBERS: readonly string[] = [
  '-1',
  '-0',
  '1.5',
  '1e309',
  '-1e309',
  '9007199254740993',
  '2147483648',
  '-2147483649',
  '1e-400',
  '100000000000000000000000000000',
];

/** Strings in number fields: Fastify's validator coerces some of them (`"0x10"` is 16). */
export const NUMBERISH_STRINGS: readonly string[] = [
  'NaN',
  'Infinity',
  '-Infinity',
  '0x10',
  '1e309',
  '9007199254740993',
  '-1',
  '1.5',
  ' 1',
  '1_000',
  '١٢',
  '',
  'one',
  "1' OR '1'='1",
];

/** Path segments and query values that are already percent-encoded: bad escapes and overlong UTF-8. */
export const RAW_ENCODED: readonly string[] = [
  '%00',
  '%ED%A0%80',
  '%C0%AF',
  '%C0%80',
  '%E0%80%AF',
  '%FF%FE',
  '%E2%80%AE',
  '..%2F..%2F',
  '%2e%2e',
  '%',
  '%zz',
  '%u0041',
  '%25%30%30',
];

/** Malformed JSON request bodies (all of them invalid JSON). */
export const MALFORMED_JSON: readonly string[] = [
  '{',
  '{"a":1,}',
  "{'a':1}",
  '{"a":1}}',
  '[',
  'nul',
  '{"a":"\\u12"}',
  '{"a":01}',
  '{"a":NaN}',
  '{"a":Infinity}',
  '{"a":"line\nbreak"}',
  '{"a":undefined}',
  '{"a" 1}',
  '\u0000{}',
  '{"a":"\\x41"}',
  '{"a":1} {"b":2}',
];

/** `If-Match` values a lost-update check must refuse (course versions start at 1; a lone `*` matches any). */
export const STALE_IF_MATCH: readonly string[] = [
  '"999999"',
  'W/"1"',
  '"1", *',
  '"0"',
  '"-1"',
  '"1e3"',
  '"9007199254740993"',
  'garbage',
  '""',
  `"${'9'.repeat(40)}"`,
  `"${'a'.repeat(20_000)}"`,
  Array.from({ length: 2000 }, (_, i) => `"${i + 1000}"`).join(', '),
];

export const ODD_IF_NONE_MATCH: readonly string[] = [
  '*',
  'W/"x"',
  '"',
  `"${'a'.repeat(20_000)}"`,
  Array.from({ length: 2000 }, (_, i) => `"${i}"`).join(','),
  '"1", W/"2", *',
];

/** Header values for headers that must never change an outcome (latin1 only: HTTP header text). */
export const ODD_HEADER_VALUES: readonly string[] = [
  "' OR 1=1 --",
  '<script>alert(1)</script>',
  'a'.repeat(8000),
  '%00%0d%0a',
  '() { :; }; echo vulnerable',
  '../../etc/passwd',
  'ÿþ',
  '',
];

/** Names a client must not be able to set (mass assignment), sent as extra body fields. */
export const MASS_ASSIGNMENT_FIELDS: readonly string[] = [
  'role',
  'isAdmin',
  'id',
  'userId',
  'tokenVersion',
  'isActive',
  'emailVerifiedAt',
  'instructorId',
  'status',
  'version',
  'createdAt',
  'enrollmentCount',
  'x'.repeat(10_000),
  '',
  '😀',
];

/** A string of `length` code points (what JSON Schema's maxLength counts). */
export function codePoints(length: number, unit = 'a'): string {
  return unit.repeat(length);
}

/** Web-search and tsquery operators, and the words that act as operators. */
export const SEARCH_OPERATORS: readonly string[] = ['-', '"', 'or ', '!', '&', '|', '(', ')', ':*', '<->'];

/**
 * Search text made mostly of operators, up to `maxLength` characters: a run of `operator` (33 `-` in
 * a row overflowed PostgreSQL's tsquery stack), with or without spaces and a word at the end, or
 * (no operator given) a random mix of operators with a few words between.
 */
export function operatorHeavyString(
  random: { int(max: number): number; pick<T>(items: readonly T[]): T },
  operator?: string,
  maxLength = 200,
): string {
  const length = Math.min(maxLength, 33 + random.int(Math.max(maxLength - 32, 1)));
  if (operator !== undefined) {
    const unit = `${operator}${random.pick(['', ' '])}`;
    const word = random.pick(['', 'typescript', 'x']);
    return `${word === '' ? '' : `${word} `}${unit.repeat(Math.ceil(length / unit.length))}${word}`.slice(
      0,
      maxLength,
    );
  }
  let text = '';
  while (text.length < length) {
    text += random.int(5) === 0 ? random.pick(['typescript ', 'a ', 'test']) : random.pick(SEARCH_OPERATORS);
  }
  return text.slice(0, maxLength);
}
