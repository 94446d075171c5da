import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { assertStorageKey, type FileStorage, type StoredObject } from './file-storage.js';

/**
 * Each object is one file under the root, at its key's path. The content type is kept in the file
 * itself, in a one-line header before the bytes (`LPF1 {"contentType":"application/pdf"}\n`), so one
 * rename publishes bytes and type together: a put writes a temporary file in the same folder and
 * renames it over the key's path, which is atomic on one file system.
 */
const MAGIC = 'LPF1 ';
const HEADER_MAX_BYTES = 1024;

interface Header {
  contentType: string;
}

function headerBytes(header: Header): Buffer {
  return Buffer.from(`${MAGIC}${JSON.stringify(header)}\n`, 'utf8');
}

type FileHandle = Awaited<ReturnType<typeof open>>;

/** Opens a stored object and reads its header; the caller closes the handle (or streams from it). */
async function openObject(
  file: string,
): Promise<{ handle: FileHandle; header: Header; offset: number; size: number } | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const { size } = await handle.stat();
    const buffer = Buffer.alloc(Math.min(HEADER_MAX_BYTES, size));
    await handle.read(buffer, 0, buffer.length, 0);
    const newline = buffer.indexOf(0x0a);
    const text = buffer.subarray(0, Math.max(newline, 0)).toString('utf8');
    if (newline < 0 || !text.startsWith(MAGIC))
      throw new Error('the file at this key is not a stored object');
    const header = JSON.parse(text.slice(MAGIC.length)) as Header;
    return { handle, header, offset: newline + 1, size: size - newline - 1 };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

export function createLocalStorage(root: string): FileStorage {
  const base = path.resolve(root);

  function pathOf(key: string): string {
    assertStorageKey(key);
    const file = path.resolve(base, ...key.split('/'));
    // assertStorageKey already rules out `..`; this is the belt to its braces.
    if (!file.startsWith(base + path.sep)) throw new Error('storage key resolves outside the storage root');
    return file;
  }

  async function describe(key: string): Promise<StoredObject | undefined> {
    const found = await openObject(pathOf(key));
    if (!found) return undefined;
    await found.handle.close();
    return { key, size: found.size, contentType: found.header.contentType };
  }

  return {
    kind: 'local',

    async put(key, body, { contentType }) {
      const file = pathOf(key);
      await mkdir(path.dirname(file), { recursive: true });
      const temporary = path.join(path.dirname(file), `.tmp-${randomBytes(8).toString('hex')}`);
      const header = headerBytes({ contentType });
      try {
        const source = Buffer.isBuffer(body) || body instanceof Uint8Array ? Readable.from([body]) : body;
        const out = createWriteStream(temporary, { flags: 'wx', mode: 0o600 });
        out.write(header);
        await pipeline(source, out);
        const { size } = await stat(temporary);
        await rename(temporary, file);
        return { key, size: size - header.length, contentType };
      } catch (error) {
        await rm(temporary, { force: true });
        throw error;
      }
    },

    async get(key) {
      const found = await openObject(pathOf(key));
      if (!found) return undefined;
      // Header and bytes come from the one open file: a put renaming a new file over the key meanwhile
      // does not change what this reader sees.
      return {
        object: { key, size: found.size, contentType: found.header.contentType },
        body: found.handle.createReadStream({ start: found.offset, autoClose: true }),
      };
    },

    async head(key) {
      return describe(key);
    },

    async exists(key) {
      return (await describe(key)) !== undefined;
    },

    async delete(key) {
      await rm(pathOf(key), { force: true });
    },
  };
}
