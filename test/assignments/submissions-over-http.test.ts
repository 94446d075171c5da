import type { AddressInfo } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/use-test-app.js';
import {
  EXE_BYTES,
  insertAssignmentWorld,
  PDF_BYTES,
  storedFilesOf,
  submissionRows,
} from './assignment-fixtures.js';

/**
 * Multipart uploads through a real socket (app.inject hands the whole body over at once): a file
 * refused at its head or part-way is answered without the server waiting on the rest, nothing is kept,
 * and the next upload goes through.
 */
describe('assignment uploads over HTTP', () => {
  const suite = useTestApp({ cast: ['student', 'instructor'] });
  const { student, instructor } = suite.cast;
  let base: string;

  beforeAll(async () => {
    await suite.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(suite.app.server.address() as AddressInfo).port}/api/v1`;
  });

  const upload = (assignmentId: string, name: string, bytes: Buffer) => {
    const form = new FormData();
    form.append('content', 'with a file');
    form.append('files', new Blob([new Uint8Array(bytes)]), name);
    return fetch(`${base}/assignments/${assignmentId}/submissions`, {
      method: 'POST',
      headers: student.headers,
      body: form,
    });
  };

  it('refuses a disguised or oversized multi-megabyte file, keeps nothing, and takes the next upload', async () => {
    const { assignment } = await insertAssignmentWorld(
      suite.db,
      { instructorId: instructor.id, studentIds: [student.id] },
      { allowedFileTypes: ['pdf'], maxFileSizeBytes: 1_000_000 },
    );
    const disguised = await upload(
      assignment.id,
      'essay.pdf',
      Buffer.concat([EXE_BYTES, Buffer.alloc(4_000_000, 1)]),
    );
    expect(disguised.status).toBe(422);
    expect((await disguised.json()).code).toBe('file_type_not_allowed');
    const oversized = await upload(
      assignment.id,
      'essay.pdf',
      Buffer.concat([PDF_BYTES, Buffer.alloc(4_000_000, 0x20)]),
    );
    expect(oversized.status).toBe(413);
    expect((await oversized.json()).code).toBe('file_too_large');
    expect(await submissionRows(suite.db, assignment.id)).toEqual([]);
    expect(await storedFilesOf(suite.testApp, assignment.id)).toEqual([]);

    // Refused before the body is read at all (the due date passed): answered all the same.
    const closed = await insertAssignmentWorld(
      suite.db,
      { instructorId: instructor.id, studentIds: [student.id] },
      { allowLate: false, dueAt: new Date(Date.now() - 60_000) },
    );
    const late = await upload(
      closed.assignment.id,
      'essay.pdf',
      Buffer.concat([PDF_BYTES, Buffer.alloc(4_000_000, 0x20)]),
    );
    expect(late.status).toBe(409);
    expect((await late.json()).code).toBe('past_due');
    expect(await storedFilesOf(suite.testApp, closed.assignment.id)).toEqual([]);

    const fine = await upload(
      assignment.id,
      'essay.pdf',
      Buffer.concat([PDF_BYTES, Buffer.alloc(500_000, 0x20)]),
    );
    expect(fine.status).toBe(201);
    const body = await fine.json();
    expect(body.attachments[0]).toMatchObject({
      name: 'essay.pdf',
      contentType: 'application/pdf',
      sizeBytes: PDF_BYTES.length + 500_000,
    });
    expect(await storedFilesOf(suite.testApp, assignment.id)).toHaveLength(1);
  });
});
