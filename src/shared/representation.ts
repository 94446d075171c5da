import { createHash } from 'node:crypto';

/**
 * A response body serialised once and kept to be sent many times (the catalog's cached pages and
 * details): its bytes, its strong validator and the compressed copies made of it on first demand.
 * Plain data, so that a service and its cache can build and hold one without speaking HTTP; the
 * routes (src/http/content-coding.ts, conditional-get.ts) negotiate, compress and compare tags.
 */

/** The content codings a representation may be sent in besides its own bytes. */
export type ContentCoding = 'br' | 'gzip';

/** A response body and its compressed copies, made on first use and shared by every holder. */
export interface CompressiblePayload {
  payload: Buffer;
  compressed: Map<ContentCoding, Buffer>;
}

export interface Representation extends CompressiblePayload {
  /** The strong ETag of `payload` (strongEtag). */
  etag: string;
}

/**
 * A strong ETag for a JSON response: the SHA-256 of the bytes sent. The route's serializer writes
 * properties in schema order, so equal content always gives the same tag, on every instance.
 */
export function strongEtag(payload: string): string {
  return `"${createHash('sha256').update(payload).digest('base64url')}"`;
}

/** The representation of a serialised body: its bytes and their ETag, no compressed copy yet. */
export function representationOf(payload: string): Representation {
  return { payload: Buffer.from(payload), compressed: new Map(), etag: strongEtag(payload) };
}
