import { AppError } from '../../shared/errors.js';

/** Terms kept from one search: more only make the query slower, never the results better. */
export const MAX_SEARCH_TERMS = 32;

/**
 * Search text as `websearch_to_tsquery` will accept it. PostgreSQL pushes one operator per `-`
 * before it sees a word, so 33 dashes in a row overflow its fixed operator stack ("tsquery stack too
 * small"). Runs of operators are collapsed to one, characters that are tsquery syntax but mean nothing
 * to web search (`! & | ( ) : * < >`) become spaces, repeated or dangling `or`s are dropped, and at most
 * MAX_SEARCH_TERMS terms are kept. What a person types ("front-end", `"exact phrase"`, `-excluded`,
 * `a or b`) means what it meant before.
 */
export function normaliseSearchText(raw: string): string {
  const collapsed = raw
    .replace(/[!&|():*<>\\]+/g, ' ')
    .replace(/-(?:\s*-)+/g, '-')
    .replace(/"(?:\s*")+/g, '"');
  const terms: string[] = [];
  for (const word of collapsed.split(/\s+/)) {
    if (word === '' || word === '-') continue;
    const isOr = word.toLowerCase() === 'or';
    if (isOr && (terms.length === 0 || terms.at(-1)!.toLowerCase() === 'or')) continue;
    terms.push(word);
    if (terms.length === MAX_SEARCH_TERMS) break;
  }
  if (terms.at(-1)?.toLowerCase() === 'or') terms.pop();
  return terms.join(' ');
}

/** Whether `error` is PostgreSQL refusing a text-search query (any left after normalising is the client's). */
export function isSearchQueryError(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== null && typeof current === 'object'; depth++) {
    const record = current as { message?: unknown; severity?: unknown; cause?: unknown };
    if (
      typeof record.severity === 'string' &&
      typeof record.message === 'string' &&
      /tsquery|text-search query/i.test(record.message)
    ) {
      return true;
    }
    current = record.cause;
  }
  return false;
}

export function searchTooComplex(): AppError {
  return new AppError('validation_failed', 'The search query is too complex; use fewer operators.', {
    errors: [{ field: '/querystring/q', message: 'is too complex: use fewer operators' }],
  });
}
