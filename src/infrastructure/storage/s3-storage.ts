import { pipeline, Readable, Transform } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { assertStorageKey, type FileStorage, type StoredObject } from './file-storage.js';

export interface S3StorageOptions {
  bucket: string;
  /** Prepended to every key (`uploads/`), so one bucket can serve several environments. */
  prefix: string;
  region: string;
  /** MinIO or another S3-compatible server (`http://127.0.0.1:9000`); unset: AWS. */
  endpoint?: string | undefined;
  /** Unset: the SDK's default chain (environment, shared files, instance or task role). */
  accessKeyId?: string | undefined;
  secretAccessKey?: string | undefined;
  /** `https://endpoint/bucket/key` instead of `https://bucket.endpoint/key` (MinIO needs it). */
  forcePathStyle: boolean;
}

/**
 * A streamed put is sent in parts of S3's minimum size: a body that fits in one part is one PutObject,
 * a longer one a multipart upload, so a put holds at most UPLOAD_PARTS_IN_FLIGHT parts in memory
 * whatever the file's size.
 */
const PART_SIZE_BYTES = 5 * 1024 * 1024;
const UPLOAD_PARTS_IN_FLIGHT = 2;

function isNotFound(error: unknown): boolean {
  if (error instanceof S3ServiceException) {
    return error.name === 'NotFound' || error.name === 'NoSuchKey' || error.$metadata.httpStatusCode === 404;
  }
  return false;
}

/**
 * Objects in one S3 bucket through @aws-sdk/client-s3 (AWS S3, MinIO, any server of the S3 protocol).
 * A PutObject is atomic on S3: readers see the old object or the new one.
 */
export function createS3Storage(options: S3StorageOptions): FileStorage {
  const client = new S3Client({
    region: options.region,
    forcePathStyle: options.forcePathStyle,
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    ...(options.accessKeyId !== undefined && options.secretAccessKey !== undefined
      ? { credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey } }
      : {}),
  });
  const objectKey = (key: string): string => {
    assertStorageKey(key);
    return `${options.prefix}${key}`;
  };

  async function head(key: string): Promise<StoredObject | undefined> {
    try {
      const answer = await client.send(
        new HeadObjectCommand({ Bucket: options.bucket, Key: objectKey(key) }),
      );
      return {
        key,
        size: answer.ContentLength ?? 0,
        contentType: answer.ContentType ?? 'application/octet-stream',
      };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  return {
    kind: 's3',

    async put(key, body, { contentType }) {
      const Key = objectKey(key);
      if (Buffer.isBuffer(body) || body instanceof Uint8Array) {
        await client.send(
          new PutObjectCommand({
            Bucket: options.bucket,
            Key,
            Body: body,
            ContentType: contentType,
            ContentLength: body.length,
          }),
        );
        return { key, size: body.length, contentType };
      }
      // Counted on the way through: a stream's length is known only at its end. A source that fails
      // (an upload over its size limit, a client gone) aborts the multipart upload, so no object and
      // no orphaned parts are left, and the put rejects with the source's own error.
      let size = 0;
      const counted = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          size += chunk.length;
          done(null, chunk);
        },
      });
      // The source's error reaches the upload through `counted`; the put rejects with it (below).
      pipeline(body, counted, () => {});
      const upload = new Upload({
        client,
        params: { Bucket: options.bucket, Key, Body: counted, ContentType: contentType },
        partSize: PART_SIZE_BYTES,
        queueSize: UPLOAD_PARTS_IN_FLIGHT,
        leavePartsOnError: false,
      });
      try {
        await upload.done();
      } catch (error) {
        throw body.errored ?? error;
      }
      return { key, size, contentType };
    },

    async get(key) {
      try {
        const answer = await client.send(
          new GetObjectCommand({ Bucket: options.bucket, Key: objectKey(key) }),
        );
        const object: StoredObject = {
          key,
          size: answer.ContentLength ?? 0,
          contentType: answer.ContentType ?? 'application/octet-stream',
        };
        const body = answer.Body;
        if (body instanceof Readable) return { object, body };
        if (body === undefined) return { object, body: Readable.from([]) };
        return { object, body: Readable.from([Buffer.from(await body.transformToByteArray())]) };
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    },

    head,

    async exists(key) {
      return (await head(key)) !== undefined;
    },

    async delete(key) {
      await client.send(new DeleteObjectCommand({ Bucket: options.bucket, Key: objectKey(key) }));
    },
  };
}
