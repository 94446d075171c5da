import { createHash } from 'node:crypto';

/**
 * A strong ETag for a JSON response: the SHA-256 of its serialised body. The body objects are built
 * in a fixed property order, so equal content always gives the same tag, on every instance.
 */
export function strongEtag(body: unknown): string {
  return `"${createHash('sha256').update(JSON.stringify(body)).digest('base64url')}"`;
}

/**
 * RFC 9110 §13.1.2: If-None-Match uses the weak comparison (a `W/` prefix is ignored), takes a
 * comma-separated list, and `*` matches any current representation.
 */
export function ifNoneMatchMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header.split(',').some((part) => {
    const tag = part.trim();
    return tag === '*' || tag.replace(/^W\//, '') === etag;
  });
}
