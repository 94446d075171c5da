import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import type { S3StorageOptions } from '../../src/infrastructure/storage/s3-storage.js';

export interface TestS3Server {
  endpoint: string;
  bucket: string;
  /** Every request the server received, as `METHOD /path?query`, oldest first. */
  requests: string[];
  close(): Promise<void>;
}

/** The S3 adapter's options for the test server, every key under `prefix`. */
export const s3StorageOptionsOf = (server: TestS3Server, prefix: string) =>
  ({
    bucket: server.bucket,
    prefix,
    region: 'us-east-1',
    endpoint: server.endpoint,
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    forcePathStyle: true,
  }) satisfies S3StorageOptions;

/** A client of the test server, to look into the bucket past the adapter. */
export const s3ClientOf = (server: TestS3Server) =>
  new S3Client({
    region: 'us-east-1',
    endpoint: server.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });

/** The parts of s3rver's filesystem store that its object writes go through (it ships no types for them). */
interface S3rverObject {
  bucket: string;
  key: string;
  content: Buffer | Readable;
  metadata: Record<string, string>;
}
interface S3rverFilesystemStore {
  getResourcePath(bucket: string, key: string, resource: string): string;
  putMetadata(bucket: string, key: string, metadata: Record<string, string>, md5: string): Promise<void>;
  putObject(object: S3rverObject): Promise<{ size: number; md5: string }>;
}

/** A real S3-protocol server (s3rver) on a random local port, its data in a fresh temporary folder. */
export async function startTestS3Server(bucket = 'test-bucket'): Promise<TestS3Server> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 's3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
  });
  makeObjectWritesAtomic((server as unknown as { store: S3rverFilesystemStore }).store);
  const requests: string[] = [];
  // First in Koa's chain (its router answers without calling on), and read by run(): seen before routing.
  (server as unknown as { middleware: unknown[] }).middleware.unshift(
    (context: { method: string; url: string }, next: () => Promise<void>) => {
      requests.push(`${context.method} ${context.url}`);
      return next();
    },
  );
  const { port } = await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    requests,
    async close() {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/**
 * S3 replaces an object atomically: a reader sees one whole version, and of concurrent puts one wins.
 * s3rver's filesystem store truncates the object file in place and answers a buffered put before the
 * bytes are flushed, so two puts of one key (or a put and a quick get) can mix versions; CI once saw
 * that as a failed contract test that our adapter had no part in. Here each put of a key waits for the
 * previous one, and writes a temporary file that it renames over the object, as S3 would behave.
 */
function makeObjectWritesAtomic(store: S3rverFilesystemStore): void {
  const lastWriteOf = new Map<string, Promise<unknown>>();
  store.putObject = (object) => {
    const id = `${object.bucket}/${object.key}`;
    const write = (lastWriteOf.get(id) ?? Promise.resolve())
      .catch(() => undefined)
      .then(async () => {
        const content = Buffer.isBuffer(object.content) ? object.content : await collect(object.content);
        const objectPath = store.getResourcePath(object.bucket, object.key, 'object');
        await mkdir(path.dirname(objectPath), { recursive: true });
        const temporaryPath = `${objectPath}.${process.pid}.${Date.now()}.tmp`;
        await writeFile(temporaryPath, content);
        await rename(temporaryPath, objectPath);
        const md5 = createHash('md5').update(content).digest('hex');
        await store.putMetadata(object.bucket, object.key, object.metadata, md5);
        return { size: content.length, md5 };
      });
    lastWriteOf.set(id, write);
    return write;
  };
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks);
}
