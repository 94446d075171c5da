import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  compressedPayload,
  compressInBackground,
  etagForCoding,
  identityEtag,
  MIN_COMPRESSIBLE_BYTES,
  negotiateCoding,
} from '../../src/http/content-coding.js';
import type { CompressiblePayload } from '../../src/shared/representation.js';

const large = Buffer.from(
  JSON.stringify({ data: Array.from({ length: 50 }, (_, i) => ({ id: i, title: `Course ${i}` })) }),
);

describe('content coding', () => {
  it('negotiates br before gzip, honours q-values, refuses small payloads', () => {
    expect(large.length).toBeGreaterThan(MIN_COMPRESSIBLE_BYTES);
    expect(negotiateCoding('gzip, deflate, br', large)).toBe('br');
    expect(negotiateCoding('br;q=0.5, gzip', large)).toBe('gzip');
    expect(negotiateCoding('*', large)).toBe('br');
    expect(negotiateCoding('gzip;q=0, br;q=0', large)).toBeUndefined();
    expect(negotiateCoding('identity', large)).toBeUndefined();
    expect(negotiateCoding(undefined, large)).toBeUndefined();
    expect(negotiateCoding('gzip, br', Buffer.from('{"ok":true}'))).toBeUndefined();
  });

  it('compresses once per coding and reuses the copy', () => {
    const response: CompressiblePayload = { payload: large, compressed: new Map() };
    const br = compressedPayload(response, 'br');
    expect(compressedPayload(response, 'br')).toBe(br);
    expect(brotliDecompressSync(br).equals(large)).toBe(true);
    expect(gunzipSync(compressedPayload(response, 'gzip')).equals(large)).toBe(true);
    expect(response.compressed.size).toBe(2);
  });

  it('makes the same codings off the event loop, byte for byte', async () => {
    const response: CompressiblePayload = { payload: large, compressed: new Map() };
    const [br, gzip] = await Promise.all([
      compressInBackground(large, 'br'),
      compressInBackground(large, 'gzip'),
    ]);
    expect(br.equals(compressedPayload(response, 'br'))).toBe(true);
    expect(gunzipSync(gzip).equals(large)).toBe(true);
  });

  it('derives one ETag per coding and maps it back', () => {
    expect(etagForCoding('"abc"', undefined)).toBe('"abc"');
    expect(etagForCoding('"abc"', 'br')).toBe('"abc-br"');
    expect(identityEtag('"abc-gzip"')).toBe('"abc"');
    expect(identityEtag('"abc"')).toBe('"abc"');
  });
});
