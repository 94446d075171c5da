import type { AddressInfo } from 'node:net';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/use-test-app.js';
import { s3ClientOf, s3StorageOptionsOf, startTestS3Server } from '../storage/s3-server.js';
import { insertAssignmentWorld, PDF_BYTES, submissionRows } from './assignment-fixtures.js';

// A real S3-protocol server for the whole file, started before the app is configured to use it.
const s3 = await startTestS3Server('attachments');
afterAll(() => s3.close());

/**
 * Attachments larger than one S3 upload part, through a real socket: a file within its limit goes to the
 * bucket in parts and comes back whole; one refused part-way through (after parts were already sent) leaves
 * no object, no row and no unfinished multipart upload.
 */
describe('assignment attachments kept in S3 storage', () => {
  const suite = useTestApp({
    cast: ['student', 'instructor'],
    config: {
      storage: { kind: 's3', ...s3StorageOptionsOf(s3, 'lp/') },
    },
  });
  const { student, instructor } = suite.cast;
  let base: string;
  beforeAll(async () => {
    await suite.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(suite.app.server.address() as AddressInfo).port}/api/v1`;
  });

  const client = s3ClientOf(s3);
  const keysOf = async (assignmentId: string) => {
    const listed = await client.send(
      new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: `lp/assignment-submissions/${assignmentId}/` }),
    );
    return (listed.Contents ?? []).map((object) => object.Key);
  };
  const upload = (assignmentId: string, bytes: Buffer) => {
    const form = new FormData();
    form.append('files', new Blob([new Uint8Array(bytes)]), 'report.pdf');
    return fetch(`${base}/assignments/${assignmentId}/submissions`, {
      method: 'POST',
      headers: student.headers,
      body: form,
    });
  };
  const pdfOf = (bytes: number) => Buffer.concat([PDF_BYTES, Buffer.alloc(bytes - PDF_BYTES.length, 0x20)]);

  it('streams a 12 MB file to the bucket in parts and serves it back byte for byte', async () => {
    const { assignment } = await insertAssignmentWorld(
      suite.db,
      { instructorId: instructor.id, studentIds: [student.id] },
      { allowedFileTypes: ['pdf'], maxFileSizeBytes: 20_000_000 },
    );
    const from = s3.requests.length;
    const bytes = pdfOf(12_000_000);
    const answer = await upload(assignment.id, bytes);
    expect(answer.status).toBe(201);
    const submission = await answer.json();
    expect(submission.attachments[0]).toMatchObject({
      sizeBytes: 12_000_000,
      contentType: 'application/pdf',
    });
    expect(s3.requests.slice(from).filter((request) => /partNumber=\d+/.test(request))).toHaveLength(3);
    expect(await keysOf(assignment.id)).toEqual([
      `lp/assignment-submissions/${assignment.id}/${submission.id}/0`,
    ]);

    const download = await fetch(`${base}/assignment-submissions/${submission.id}/files/0`, {
      headers: student.headers,
    });
    expect(download.status).toBe(200);
    expect(Buffer.compare(Buffer.from(await download.arrayBuffer()), bytes)).toBe(0);
  });

  it('refuses a file over its limit after parts were sent: 413, no object, no row, the upload aborted', async () => {
    const { assignment } = await insertAssignmentWorld(
      suite.db,
      { instructorId: instructor.id, studentIds: [student.id] },
      { allowedFileTypes: ['pdf'], maxFileSizeBytes: 11_000_000 },
    );
    const from = s3.requests.length;
    const answer = await upload(assignment.id, pdfOf(14_000_000));
    expect(answer.status).toBe(413);
    expect((await answer.json()).code).toBe('file_too_large');
    const sent = s3.requests.slice(from);
    expect(sent.filter((request) => /partNumber=\d+/.test(request)).length).toBeGreaterThanOrEqual(1);
    expect(sent.some((request) => /^DELETE \S*uploadId=/.test(request))).toBe(true);
    expect(await keysOf(assignment.id)).toEqual([]);
    expect(await submissionRows(suite.db, assignment.id)).toEqual([]);
  });
});
