import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FileStorage, readAll, StorageKeyError } from '../../src/infrastructure/storage/file-storage.js';
import { createLocalStorage } from '../../src/infrastructure/storage/local-storage.js';
import { createS3Storage } from '../../src/infrastructure/storage/s3-storage.js';
import { s3StorageOptionsOf, startTestS3Server, type TestS3Server } from './s3-server.js';

/**
 * One contract, two adapters: the same tests run against the local-disk adapter (a temporary folder)
 * and against the S3 adapter talking to a real S3-protocol server (s3rver on a random port).
 */
interface Adapter {
  name: string;
  setUp(): Promise<{ storage: FileStorage; tearDown(): Promise<void> }>;
}

const adapters: Adapter[] = [
  {
    name: 'local disk',
    async setUp() {
      const root = await mkdtemp(path.join(os.tmpdir(), 'storage-contract-'));
      return {
        storage: createLocalStorage(root),
        tearDown: () => rm(root, { recursive: true, force: true }),
      };
    },
  },
  {
    name: 'S3 (s3rver)',
    async setUp() {
      const server: TestS3Server = await startTestS3Server();
      return {
        storage: createS3Storage(s3StorageOptionsOf(server, 'contract/')),
        tearDown: () => server.close(),
      };
    },
  },
];

const text = (body: Readable) => readAll(body, 10_000_000).then((buffer) => buffer.toString('utf8'));

describe.each(adapters)('file storage contract: $name', (adapter) => {
  let storage: FileStorage;
  let tearDown: () => Promise<void>;

  beforeAll(async () => {
    ({ storage, tearDown } = await adapter.setUp());
  });
  afterAll(async () => {
    await tearDown();
  });

  it('puts a buffer and gets it back as a stream with its content type and size', async () => {
    const stored = await storage.put('docs/hello.txt', Buffer.from('héllo world'), {
      contentType: 'text/plain',
    });
    expect(stored).toEqual({
      key: 'docs/hello.txt',
      size: Buffer.byteLength('héllo world'),
      contentType: 'text/plain',
    });
    const got = await storage.get('docs/hello.txt');
    expect(got?.object).toEqual(stored);
    expect(await text(got!.body)).toBe('héllo world');
  });

  it('puts a stream of unknown length', async () => {
    const chunks = Array.from({ length: 50 }, (_, i) => Buffer.from(`chunk ${i};`));
    const stored = await storage.put('streams/one.bin', Readable.from(chunks), {
      contentType: 'application/octet-stream',
    });
    expect(stored.size).toBe(Buffer.concat(chunks).length);
    const got = await storage.get('streams/one.bin');
    expect(await text(got!.body)).toBe(Buffer.concat(chunks).toString('utf8'));
  });

  it('keeps binary bytes exactly (a PDF-like body with every byte value)', async () => {
    const bytes = Buffer.from(Array.from({ length: 4096 }, (_, i) => i % 256));
    await storage.put('binary/all-bytes.pdf', bytes, { contentType: 'application/pdf' });
    const got = await storage.get('binary/all-bytes.pdf');
    expect(got?.object.contentType).toBe('application/pdf');
    expect(Buffer.compare(await readAll(got!.body, 10_000), bytes)).toBe(0);
  });

  it('head and exists describe an object without reading it; unknown keys are undefined / false', async () => {
    await storage.put('head/one.txt', Buffer.from('12345'), { contentType: 'text/plain' });
    expect(await storage.head('head/one.txt')).toEqual({
      key: 'head/one.txt',
      size: 5,
      contentType: 'text/plain',
    });
    expect(await storage.exists('head/one.txt')).toBe(true);
    expect(await storage.head('head/none.txt')).toBeUndefined();
    expect(await storage.exists('head/none.txt')).toBe(false);
    expect(await storage.get('head/none.txt')).toBeUndefined();
  });

  it('replaces an object on a second put (type and bytes together)', async () => {
    await storage.put('replace/me', Buffer.from('first version, longer'), { contentType: 'text/plain' });
    await storage.put('replace/me', Buffer.from('second'), { contentType: 'application/json' });
    const got = await storage.get('replace/me');
    expect(got?.object).toEqual({ key: 'replace/me', size: 6, contentType: 'application/json' });
    expect(await text(got!.body)).toBe('second');
  });

  it('concurrent puts of one key leave one whole object, never a mix', async () => {
    const versions = Array.from({ length: 10 }, (_, i) =>
      Buffer.alloc(20_000 + i, String.fromCharCode(65 + i)),
    );
    await Promise.all(versions.map((body) => storage.put('race/key', body, { contentType: 'text/plain' })));
    const got = await storage.get('race/key');
    const body = await readAll(got!.body, 1_000_000);
    expect(versions.some((version) => Buffer.compare(version, body) === 0)).toBe(true);
    expect(got?.object.size).toBe(body.length);
  });

  it('streams a body longer than one upload part (12 MiB of a known pattern) and keeps every byte', async () => {
    const chunk = Buffer.from(Array.from({ length: 64 * 1024 }, (_, i) => (i * 7) % 251));
    const chunks = 192; // 12 MiB: three parts of the S3 adapter's 5 MiB
    const stored = await storage.put(
      'large/pattern.bin',
      Readable.from(
        (function* () {
          for (let i = 0; i < chunks; i++) yield chunk;
        })(),
      ),
      { contentType: 'application/octet-stream' },
    );
    expect(stored.size).toBe(chunk.length * chunks);
    const got = await storage.get('large/pattern.bin');
    expect(got?.object.size).toBe(chunk.length * chunks);
    const body = await readAll(got!.body, 20 * 1024 * 1024);
    expect(Buffer.compare(body, Buffer.concat(Array.from({ length: chunks }, () => chunk)))).toBe(0);
  });

  it('a stream that fails part-way (after more than one part) leaves the previous object', async () => {
    await storage.put('failing/kept', Buffer.from('old'), { contentType: 'text/plain' });
    let sent = 0;
    const failing = new Readable({
      read() {
        if (sent++ < 100) this.push(Buffer.alloc(64 * 1024, 'x'));
        else this.destroy(new Error('client went away'));
      },
    });
    await expect(storage.put('failing/kept', failing, { contentType: 'text/plain' })).rejects.toThrow(
      'client went away',
    );
    const got = await storage.get('failing/kept');
    expect(got?.object).toEqual({ key: 'failing/kept', size: 3, contentType: 'text/plain' });
    expect(await text(got!.body)).toBe('old');
  });

  it('deletes an object; deleting again or an unknown key is not an error', async () => {
    await storage.put('delete/me', Buffer.from('x'), { contentType: 'text/plain' });
    await storage.delete('delete/me');
    expect(await storage.exists('delete/me')).toBe(false);
    await storage.delete('delete/me');
    await storage.delete('delete/never-was');
  });

  it.each([
    '',
    '../outside',
    'a/../../etc/passwd',
    '/absolute',
    'trailing/',
    'double//slash',
    '.hidden',
    'a/.tmp-123',
    'back\\slash',
    'space name',
    'x'.repeat(513),
  ])('refuses the unsafe key %j in every operation', async (key) => {
    await expect(storage.put(key, Buffer.from('x'), { contentType: 'text/plain' })).rejects.toThrow(
      StorageKeyError,
    );
    await expect(storage.get(key)).rejects.toThrow(StorageKeyError);
    await expect(storage.head(key)).rejects.toThrow(StorageKeyError);
    await expect(storage.delete(key)).rejects.toThrow(StorageKeyError);
  });
});

describe('S3 adapter', () => {
  let server: TestS3Server;
  let storage: FileStorage;
  beforeAll(async () => {
    server = await startTestS3Server();
    storage = createS3Storage(s3StorageOptionsOf(server, 'parts/'));
  });
  afterAll(() => server.close());

  const sentSince = (from: number) => server.requests.slice(from);
  const megabytes = (count: number) =>
    Readable.from(
      (function* () {
        for (let i = 0; i < count * 16; i++) yield Buffer.alloc(64 * 1024, i % 256);
      })(),
    );

  it('sends a stream in 5 MiB parts (never the whole body at once); a short one is a single PutObject', async () => {
    let from = server.requests.length;
    await storage.put('streamed/large', megabytes(12), { contentType: 'application/octet-stream' });
    const parts = sentSince(from).filter((request) => /^PUT \S*partNumber=\d+/.test(request));
    expect(parts).toHaveLength(3);
    expect(sentSince(from).some((request) => /^POST \S*\?uploads/.test(request))).toBe(true);

    from = server.requests.length;
    await storage.put('streamed/small', megabytes(1), { contentType: 'application/octet-stream' });
    expect(sentSince(from)).toEqual([expect.stringMatching(/^PUT \/test-bucket\/parts\/streamed\/small/)]);
  });

  it('aborts the multipart upload when its source fails, leaving no parts behind', async () => {
    const from = server.requests.length;
    let sent = 0;
    const failing = new Readable({
      read() {
        if (sent++ < 120) this.push(Buffer.alloc(64 * 1024, 'y'));
        else this.destroy(new Error('over the size limit'));
      },
    });
    await expect(storage.put('streamed/failed', failing, { contentType: 'text/plain' })).rejects.toThrow(
      'over the size limit',
    );
    expect(sentSince(from).some((request) => /^DELETE \S*uploadId=/.test(request))).toBe(true);
    expect(await storage.exists('streamed/failed')).toBe(false);
  });
});

describe('local disk adapter', () => {
  it('writes only under its root and leaves no temporary files behind', async () => {
    const parent = await mkdtemp(path.join(os.tmpdir(), 'storage-root-'));
    const root = path.join(parent, 'root');
    try {
      const storage = createLocalStorage(root);
      await Promise.all(
        Array.from({ length: 5 }, (_, i) =>
          storage.put('same/key.pdf', Buffer.from(`v${i}`), { contentType: 'application/pdf' }),
        ),
      );
      await expect(
        storage.put('../escape', Buffer.from('x'), { contentType: 'text/plain' }),
      ).rejects.toThrow();
      expect(await readdir(parent)).toEqual(['root']);
      expect(await readdir(path.join(root, 'same'))).toEqual(['key.pdf']);
    } finally {
      await rm(parent, { recursive: true, force: true });
    }
  });

  it('a failing stream leaves the previous object and no temporary file', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'storage-fail-'));
    try {
      const storage = createLocalStorage(root);
      await storage.put('kept', Buffer.from('old'), { contentType: 'text/plain' });
      const failing = new Readable({
        read() {
          this.push(Buffer.from('partial'));
          this.destroy(new Error('client went away'));
        },
      });
      await expect(storage.put('kept', failing, { contentType: 'text/plain' })).rejects.toThrow(
        'client went away',
      );
      expect(await text((await storage.get('kept'))!.body)).toBe('old');
      expect(await readdir(root)).toEqual(['kept']);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
