import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { checkUpload } from '../../src/modules/assignments/upload-check.js';
import { EXE_BYTES, PDF_BYTES } from './assignment-fixtures.js';

/** A stream of `total` bytes in 1 KiB chunks (so most of it comes after the head is sniffed). */
function chunked(first: Buffer, total: number, fill = 0x61): Readable {
  const chunks = [first];
  for (let size = first.length; size < total; size += 1024)
    chunks.push(Buffer.alloc(Math.min(1024, total - size), fill));
  return Readable.from(chunks);
}

async function consume(body: Readable): Promise<number> {
  let size = 0;
  for await (const chunk of body) size += (chunk as Buffer).length;
  return size;
}

describe('upload check while streaming', () => {
  it('passes an allowed file through whole, with the sniffed type and its size', async () => {
    const checked = await checkUpload(chunked(PDF_BYTES, 300_000), 'report.pdf', {
      allowedFileTypes: ['pdf'],
      maxFileSizeBytes: 300_000,
    });
    expect(checked.contentType).toBe('application/pdf');
    expect(await consume(checked.body)).toBe(300_000);
    expect(checked.size()).toBe(300_000);
    expect(checked.failure()).toBeUndefined();
  });

  it('stops a file that grows over the limit after its head', async () => {
    const checked = await checkUpload(chunked(PDF_BYTES, 300_000), 'report.pdf', {
      allowedFileTypes: [],
      maxFileSizeBytes: 200_000,
    });
    await expect(consume(checked.body)).rejects.toMatchObject({ code: 'file_too_large', status: 413 });
    expect(checked.failure()?.code).toBe('file_too_large');
    expect(checked.size()).toBeLessThanOrEqual(200_000 + 1024);
  });

  it('stops a text file with a NUL byte or invalid UTF-8 far after its head', async () => {
    for (const bad of [Buffer.from([0x00]), Buffer.from([0xc3])]) {
      const source = Readable.from([...Array.from({ length: 100 }, () => Buffer.alloc(1024, 0x61)), bad]);
      const checked = await checkUpload(source, 'notes.md', {
        allowedFileTypes: ['md'],
        maxFileSizeBytes: 1_000_000,
      });
      expect(checked.contentType).toBe('text/markdown; charset=utf-8');
      await expect(consume(checked.body)).rejects.toMatchObject({ code: 'file_type_not_allowed' });
    }
  });

  it('refuses at the head: wrong extension, disguised content, a binary under an unchecked extension', async () => {
    await expect(
      checkUpload(Readable.from([PDF_BYTES]), 'report', {
        allowedFileTypes: ['pdf'],
        maxFileSizeBytes: 1000,
      }),
    ).rejects.toMatchObject({ code: 'file_type_not_allowed' });
    await expect(
      checkUpload(Readable.from([EXE_BYTES]), 'report.pdf', { allowedFileTypes: [], maxFileSizeBytes: 1000 }),
    ).rejects.toMatchObject({ code: 'file_type_not_allowed' });
    await expect(
      checkUpload(Readable.from([EXE_BYTES]), 'script.py', {
        allowedFileTypes: ['py'],
        maxFileSizeBytes: 1000,
      }),
    ).rejects.toMatchObject({ code: 'file_type_not_allowed' });
    // Any type allowed: an unchecked extension is kept as what it sniffs as.
    const anything = await checkUpload(Readable.from([EXE_BYTES]), 'tool.bin', {
      allowedFileTypes: [],
      maxFileSizeBytes: 1000,
    });
    expect(anything.contentType).toBe('application/x-msdownload');
  });
});
