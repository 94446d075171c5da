import { promisify } from 'node:util';
import { brotliCompress, brotliCompressSync, gzip, gzipSync, constants as zlib } from 'node:zlib';
import { negotiate } from '@fastify/accept-negotiator';
import type { CompressiblePayload, ContentCoding } from '../shared/representation.js';

/**
 * Compressed copies of the catalog's responses. Cached pages and details are sent many times: each
 * copy is made once, on first demand, and kept with the cached response, so a hit sends ~3 KB of
 * prebuilt bytes instead of the 13 KB original (with a 2-core server and its clients sharing the
 * machine, moving bytes is most of a hit's cost). A response made for one request (a lesson) is
 * compressed for that request: ~0.2 ms per 13 KB, paid only by clients that ask for it.
 */

/** Preference order when the client weights them equally (`gzip, deflate, br`): br is smaller. */
const SUPPORTED: ContentCoding[] = ['br', 'gzip'];

/** Below this, headers dominate and compression saves next to nothing. */
export const MIN_COMPRESSIBLE_BYTES = 1024;

/**
 * Brotli quality 4 compresses a 13 KB catalog page in ~0.15 ms to within ~10% of quality 11
 * (~24 ms); gzip level 6 is zlib's default balance.
 */
const brotliOptions = (payload: Buffer) => ({
  params: {
    [zlib.BROTLI_PARAM_QUALITY]: 4,
    [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT,
    [zlib.BROTLI_PARAM_SIZE_HINT]: payload.length,
  },
});
const GZIP_OPTIONS = { level: 6 };

const COMPRESSORS: Record<ContentCoding, (payload: Buffer) => Buffer> = {
  br: (payload) => brotliCompressSync(payload, brotliOptions(payload)),
  gzip: (payload) => gzipSync(payload, GZIP_OPTIONS),
};

const brotliCompressAsync = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/**
 * The same codings on libuv's thread pool, for payloads large enough that compressing them on the
 * event loop would stall every request (a 4 MB script: ~75 ms).
 */
export function compressInBackground(payload: Buffer, coding: ContentCoding): Promise<Buffer> {
  return coding === 'br'
    ? brotliCompressAsync(payload, brotliOptions(payload))
    : gzipAsync(payload, GZIP_OPTIONS);
}

/** The coding to send `payload` in for this `Accept-Encoding`, or undefined for the bytes as they are. */
export function negotiateCoding(
  acceptEncoding: string | undefined,
  payload: Buffer,
): ContentCoding | undefined {
  if (acceptEncoding === undefined || payload.length < MIN_COMPRESSIBLE_BYTES) return undefined;
  return (negotiate(acceptEncoding, SUPPORTED) as ContentCoding | null) ?? undefined;
}

/** `response.payload` in `coding`, compressed once and then reused. */
export function compressedPayload(response: CompressiblePayload, coding: ContentCoding): Buffer {
  let bytes = response.compressed.get(coding);
  if (bytes === undefined) {
    bytes = COMPRESSORS[coding](response.payload);
    response.compressed.set(coding, bytes);
  }
  return bytes;
}

/**
 * RFC 9110 §8.8.3: a strong validator must differ between codings of the same content, so each
 * coding gets its own tag, derived from the identity tag (`"abc"` → `"abc-br"`).
 */
export function etagForCoding(etag: string, coding: ContentCoding | undefined): string {
  return coding === undefined ? etag : `${etag.slice(0, -1)}-${coding}"`;
}

/** The identity tag a (possibly coding-specific) tag was derived from. */
export function identityEtag(etag: string): string {
  return etag.replace(/-(?:br|gzip)"$/, '"');
}
