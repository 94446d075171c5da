import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_SEARCH_TERMS, normaliseSearchText } from '../../src/modules/catalog/search-text.js';
import { insertCourse, insertUser } from '../helpers/factories/index.js';
import { useTestApp } from '../helpers/use-test-app.js';

/**
 * Operator-heavy search text: `websearch_to_tsquery` overflows its operator stack on 33 dashes in a
 * row ("tsquery stack too small"), which answered 500 and logged the SQL at error level.
 */
describe('GET /api/v1/courses?q= with operator-heavy text', () => {
  const errorLines: string[] = [];
  const suite = useTestApp({
    rateLimit: { globalPerMinute: 100_000, authPerMinute: 100 },
    app: { logger: { level: 'error', stream: { write: (line: string) => void errorLines.push(line) } } },
  });

  beforeAll(async () => {
    const instructor = await insertUser(suite.db, { role: 'instructor' });
    await insertCourse(suite.db, instructor.id, { title: 'Front-end testing with TypeScript' });
    await insertCourse(suite.db, instructor.id, { title: 'Kubernetes operations' });
  });

  const search = (q: string) =>
    suite.app.inject({ method: 'GET', url: `/api/v1/courses?q=${encodeURIComponent(q)}` });

  it.each([
    ['33 dashes', '-'.repeat(33)],
    ['200 dashes', '-'.repeat(200)],
    ['dashes before a word', `${'-'.repeat(60)}typescript`],
    ['spaced dashes', `${'- '.repeat(80)}typescript`],
    ['quotes', '"'.repeat(200)],
    ['or chain', 'or '.repeat(66)],
    ['bangs and ampersands', '!&|'.repeat(66)],
    ['parentheses', `${'('.repeat(100)}typescript${')'.repeat(90)}`],
    ['mixed', '-"-"or!&|()'.repeat(18)],
    [
      'many terms',
      Array.from({ length: 100 }, (_, i) => `-t${i}`)
        .join(' ')
        .slice(0, 200),
    ],
  ])('%s: answers 200, logs no error', async (_name, q) => {
    const response = await search(q);
    expect(response.statusCode, response.body).toBe(200);
    expect(errorLines).toEqual([]);
  });

  it('keeps the meaning of ordinary web-search syntax', async () => {
    const titles = async (q: string) =>
      ((await search(q)).json() as { data: Array<{ title: string }> }).data.map((item) => item.title);
    expect(await titles('front-end')).toEqual(['Front-end testing with TypeScript']);
    expect(await titles('typescript or kubernetes')).toHaveLength(2);
    expect(await titles('typescript -kubernetes')).toEqual(['Front-end testing with TypeScript']);
    expect(await titles('"kubernetes operations"')).toEqual(['Kubernetes operations']);
    expect(await titles('---kubernetes')).toEqual(['Front-end testing with TypeScript']);
  });

  it('normalises: one operator per run, no dangling or, at most MAX_SEARCH_TERMS terms', () => {
    expect(normaliseSearchText('a ----b')).toBe('a -b');
    expect(normaliseSearchText('a ---- b')).toBe('a b');
    expect(normaliseSearchText('or or a or or or b or')).toBe('a or b');
    expect(normaliseSearchText('a !&| (b)')).toBe('a b');
    expect(normaliseSearchText('"""a b"""')).toBe('"a b"');
    expect(normaliseSearchText(Array(50).fill('x').join(' ')).split(' ')).toHaveLength(MAX_SEARCH_TERMS);
  });
});
