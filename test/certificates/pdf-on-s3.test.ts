import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import {
  certificateIssuerFor,
  insertCourseWithOutline,
  insertEnrollment,
} from '../helpers/factories/index.js';
import { useTestApp } from '../helpers/use-test-app.js';
import { s3ClientOf, s3StorageOptionsOf, startTestS3Server } from '../storage/s3-server.js';

// A real S3-protocol server for the whole file, started before the app is configured to use it.
const s3 = await startTestS3Server('certificates');
afterAll(() => s3.close());

describe('certificate PDFs kept in S3 storage', () => {
  const suite = useTestApp({
    cast: ['student', 'instructor'],
    config: {
      storage: { kind: 's3', ...s3StorageOptionsOf(s3, 'lp/') },
    },
  });

  it('renders the PDF into the bucket on the first download and streams it from there afterwards', async () => {
    const { student, instructor } = suite.cast;
    const course = await insertCourseWithOutline(suite.db, instructor.id, [1], { title: 'Bucket Course' });
    const enrollment = await insertEnrollment(suite.db, student.id, course.course.id, {
      status: 'completed',
    });
    const issued = await certificateIssuerFor(suite.testApp).issue(enrollment.id);
    if (!issued.issued) throw new Error('not issued');
    const url = `/api/v1/certificates/${issued.certificateId}/pdf`;
    const first = await suite.app.inject({ method: 'GET', url, headers: student.headers });
    expect(first.statusCode).toBe(200);
    const client = s3ClientOf(s3);
    const object = await client.send(
      new GetObjectCommand({ Bucket: s3.bucket, Key: `lp/certificates/${issued.certificateId}.pdf` }),
    );
    expect(object.ContentType).toBe('application/pdf');
    const stored = Buffer.from(await object.Body!.transformToByteArray());
    expect(Buffer.compare(stored, first.rawPayload)).toBe(0);
    const second = await suite.app.inject({ method: 'GET', url, headers: student.headers });
    expect(second.statusCode).toBe(200);
    expect(second.headers['content-length']).toBe(String(stored.length));
    expect(Buffer.compare(second.rawPayload, stored)).toBe(0);
  });
});
