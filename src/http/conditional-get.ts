import { identityEtag } from './content-coding.js';

/**
 * RFC 9110 §13.1.2: If-None-Match uses the weak comparison (a `W/` prefix is ignored), takes a
 * comma-separated list, and `*` matches any current representation. A tag of a compressed copy
 * (`"abc-br"`) matches its identity tag: the content is the same, only the coding differs.
 */
export function ifNoneMatchMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header.split(',').some((part) => {
    const tag = part.trim();
    return tag === '*' || identityEtag(tag.replace(/^W\//, '')) === etag;
  });
}
