import { createHash } from 'node:crypto';
import { identityEtag } from './content-coding.js';

/**
 * A strong ETag for a JSON response: the SHA-256 of the bytes sent. The route's serializer writes
 * properties in schema order, so equal content always gives the same tag, on every instance.
 */
export function strongEtag(payload: string): string {
  return `"${createHash('sha256').update(payload).digest('base64url')}"`;
}

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
