import type { Readable } from 'node:stream';

/**
 * Where the application keeps files (certificate PDFs, assignment attachments): one interface, a
 * local-disk adapter (local-storage.ts, the default) and an S3-compatible one (s3-storage.ts: AWS S3,
 * MinIO, …), chosen by configuration (create-storage.ts). Both pass the same contract tests
 * (test/storage/storage-contract.test.ts).
 *
 * Keys are relative paths of safe segments (`certificates/<id>.pdf`): see `assertStorageKey`. A `put`
 * is atomic: a reader sees the previous object or the new one, never a partly written file, also
 * when several writers put the same key at once (the last to finish wins).
 */
export interface StoredObject {
  key: string;
  /** Bytes. */
  size: number;
  contentType: string;
}

export interface FileStorage {
  /** `local` or `s3`, for logs and the README's examples. */
  readonly kind: 'local' | 's3';
  /** Writes (or replaces) the object; a stream is read to its end. */
  put(
    key: string,
    body: Buffer | Uint8Array | Readable,
    options: { contentType: string },
  ): Promise<StoredObject>;
  /** The object's description and its bytes as a stream, or undefined when there is none. */
  get(key: string): Promise<{ object: StoredObject; body: Readable } | undefined>;
  /** The object's description without its bytes, or undefined. */
  head(key: string): Promise<StoredObject | undefined>;
  exists(key: string): Promise<boolean>;
  /** Removes the object; removing one that does not exist is not an error. */
  delete(key: string): Promise<void>;
}

export class StorageKeyError extends Error {
  override name = 'StorageKeyError';
}

/** Longest key accepted (S3's own limit is 1,024 bytes; a prefix is added to keys). */
export const STORAGE_KEY_MAX_LENGTH = 512;
const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/**
 * Refuses keys that could leave the storage root or mean different things to different adapters:
 * segments of letters, digits, `.`, `_` and `-` separated by single `/`, none starting with a dot
 * (no `..`, no hidden files, which the local adapter uses for its temporary files), no leading or
 * trailing slash, no backslash, at most STORAGE_KEY_MAX_LENGTH characters.
 */
export function assertStorageKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0 || key.length > STORAGE_KEY_MAX_LENGTH) {
    throw new StorageKeyError(`storage key must be 1 to ${STORAGE_KEY_MAX_LENGTH} characters`);
  }
  for (const segment of key.split('/')) {
    if (!SEGMENT.test(segment)) {
      throw new StorageKeyError(
        'storage key segments are letters, digits, ".", "_" and "-", separated by "/", and do not start with "."',
      );
    }
  }
}

/** Reads a stream into one buffer, refusing more than `maxBytes`. */
export async function readAll(body: Readable, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    size += buffer.length;
    if (size > maxBytes) throw new Error(`stored object larger than ${maxBytes} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}
