import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { assignmentSubmissions, enrollments } from '../../src/infrastructure/database/schema/index.js';
import type { SignedInUser } from '../helpers/factories/index.js';
import { useTestApp } from '../helpers/use-test-app.js';
import {
  EXE_BYTES,
  insertAssignmentWorld,
  type MultipartFile,
  multipart,
  PDF_BYTES,
  PNG_BYTES,
  storedFilesOf,
  submissionRows,
} from './assignment-fixtures.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('assignment submissions', () => {
  const suite = useTestApp({ cast: ['student', 'otherStudent', 'instructor', 'otherInstructor', 'admin'] });
  const { student, otherStudent, instructor, otherInstructor, admin } = suite.cast;

  const world = (overrides: Parameters<typeof insertAssignmentWorld>[2] = {}) =>
    insertAssignmentWorld(suite.db, { instructorId: instructor.id, studentIds: [student.id] }, overrides);
  const submitJson = (user: SignedInUser, assignmentId: string, payload: Record<string, unknown>) =>
    suite.app.inject({
      method: 'POST',
      url: `/api/v1/assignments/${assignmentId}/submissions`,
      headers: user.headers,
      payload,
    });
  const submitFiles = (
    user: SignedInUser,
    assignmentId: string,
    files: MultipartFile[],
    fields: Record<string, string> = {},
  ) => {
    const body = multipart(fields, files);
    return suite.app.inject({
      method: 'POST',
      url: `/api/v1/assignments/${assignmentId}/submissions`,
      headers: { ...user.headers, ...body.headers },
      payload: body.payload,
    });
  };
  const get = (user: SignedInUser, url: string) =>
    suite.app.inject({ method: 'GET', url: `/api/v1${url}`, headers: user.headers });

  /** The refusal was a problem+json with `code`, and left no row and no stored file behind. */
  async function expectNothingKept(
    response: { statusCode: number; json(): { code?: string }; headers: Record<string, unknown> },
    status: number,
    code: string,
    assignmentId: string,
  ) {
    expect(response.statusCode, JSON.stringify(response.json())).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json().code).toBe(code);
    expect(await submissionRows(suite.db, assignmentId)).toEqual([]);
    expect(await storedFilesOf(suite.testApp, assignmentId)).toEqual([]);
  }

  describe('JSON', () => {
    it('records text and links as attempt 1, on time, with a Location', async () => {
      const { assignment } = await world({ dueAt: new Date(Date.now() + DAY) });
      const response = await submitJson(student, assignment.id, {
        content: 'My essay',
        links: ['https://example.com/work'],
      });
      expect(response.statusCode, response.body).toBe(201);
      const body = response.json();
      expect(body).toMatchObject({
        assignmentId: assignment.id,
        studentId: student.id,
        attemptNumber: 1,
        content: 'My essay',
        isLate: false,
        penaltyPercent: 0,
        grade: null,
        gradeVersion: 0,
        gradingStatus: 'submitted',
        attachments: [{ index: 0, kind: 'link', url: 'https://example.com/work' }],
      });
      expect(response.headers.location).toBe(`/api/v1/assignment-submissions/${body.id}`);
      expect(await submissionRows(suite.db, assignment.id)).toHaveLength(1);
    });

    it('refuses an empty submission (400) and writes nothing', async () => {
      const { assignment } = await world();
      await expectNothingKept(
        await submitJson(student, assignment.id, { content: '   ' }),
        400,
        'validation_failed',
        assignment.id,
      );
      await expectNothingKept(
        await submitJson(student, assignment.id, { links: ['javascript:alert(1)'] }),
        400,
        'validation_failed',
        assignment.id,
      );
    });
  });

  describe('files', () => {
    it('streams allowed files to storage and serves them back as attachments with the sniffed type', async () => {
      const { assignment } = await world({ allowedFileTypes: ['pdf', 'txt', 'png'] });
      const response = await submitFiles(
        student,
        assignment.id,
        [
          { filename: 'essay.pdf', content: PDF_BYTES, contentType: 'text/html' },
          { filename: 'notes.txt', content: Buffer.from('Grüße, notes\n') },
          { filename: 'chart.PNG', content: PNG_BYTES },
        ],
        { content: 'See the files', links: 'https://example.com/draft' },
      );
      expect(response.statusCode, response.body).toBe(201);
      const body = response.json();
      expect(body.content).toBe('See the files');
      expect(body.attachments).toEqual([
        expect.objectContaining({
          index: 0,
          kind: 'file',
          name: 'essay.pdf',
          contentType: 'application/pdf',
          sizeBytes: PDF_BYTES.length,
        }),
        expect.objectContaining({
          index: 1,
          kind: 'file',
          name: 'notes.txt',
          contentType: 'text/plain; charset=utf-8',
        }),
        expect.objectContaining({ index: 2, kind: 'file', name: 'chart.PNG', contentType: 'image/png' }),
        expect.objectContaining({ index: 3, kind: 'link', url: 'https://example.com/draft' }),
      ]);
      expect(JSON.stringify(body)).not.toContain('storageKey');
      expect(await storedFilesOf(suite.testApp, assignment.id)).toHaveLength(3);

      const pdf = await get(student, `/assignment-submissions/${body.id}/files/0`);
      expect(pdf.statusCode).toBe(200);
      // The client's claimed type (text/html) is not what is served.
      expect(pdf.headers['content-type']).toBe('application/pdf');
      expect(pdf.headers['content-disposition']).toBe(
        `attachment; filename="essay.pdf"; filename*=UTF-8''essay.pdf`,
      );
      expect(pdf.rawPayload.equals(PDF_BYTES)).toBe(true);
      const text = await get(instructor, `/assignment-submissions/${body.id}/files/1`);
      expect(text.body).toBe('Grüße, notes\n');
      const link = await get(student, `/assignment-submissions/${body.id}/files/3`);
      expect(link.statusCode).toBe(409);
      expect(link.json().code).toBe('not_a_file');
      expect((await get(student, `/assignment-submissions/${body.id}/files/4`)).statusCode).toBe(404);
    });

    it('refuses an extension the assignment does not allow: 422, nothing stored, no row', async () => {
      const { assignment } = await world({ allowedFileTypes: ['pdf'] });
      const response = await submitFiles(student, assignment.id, [
        { filename: 'tool.exe', content: EXE_BYTES },
      ]);
      await expectNothingKept(response, 422, 'file_type_not_allowed', assignment.id);
    });

    it('refuses content that does not match the extension, also after an accepted file', async () => {
      const { assignment } = await world({ allowedFileTypes: ['pdf', 'txt'] });
      const disguised = await submitFiles(student, assignment.id, [
        { filename: 'ok.pdf', content: PDF_BYTES },
        { filename: 'essay.pdf', content: EXE_BYTES },
      ]);
      await expectNothingKept(disguised, 422, 'file_type_not_allowed', assignment.id);
      const binaryAsText = await submitFiles(student, assignment.id, [
        { filename: 'notes.txt', content: PDF_BYTES },
      ]);
      await expectNothingKept(binaryAsText, 422, 'file_type_not_allowed', assignment.id);
      const withNul = await submitFiles(student, assignment.id, [
        { filename: 'notes.txt', content: Buffer.from('a\u0000b') },
      ]);
      await expectNothingKept(withNul, 422, 'file_type_not_allowed', assignment.id);
      const notUtf8 = await submitFiles(student, assignment.id, [
        { filename: 'notes.txt', content: Buffer.from([0x61, 0xff, 0xfe, 0x62]) },
      ]);
      await expectNothingKept(notUtf8, 422, 'file_type_not_allowed', assignment.id);
    });

    it('refuses a file over max_file_size_bytes while streaming: 413, the earlier files deleted, no row', async () => {
      const { assignment } = await world({ allowedFileTypes: ['pdf', 'txt'], maxFileSizeBytes: 100_000 });
      const big = Buffer.concat([PDF_BYTES, Buffer.alloc(150_000, 0x20)]);
      const response = await submitFiles(student, assignment.id, [
        { filename: 'small.txt', content: Buffer.from('fine') },
        { filename: 'big.pdf', content: big },
      ]);
      await expectNothingKept(response, 413, 'file_too_large', assignment.id);
      // Past the first chunk checked at the head: a text file that grows over the limit later.
      const longText = await submitFiles(student, assignment.id, [
        { filename: 'long.txt', content: Buffer.alloc(300_000, 0x61) },
      ]);
      await expectNothingKept(longText, 413, 'file_too_large', assignment.id);
      // Exactly at the limit is accepted.
      const exact = await submitFiles(student, assignment.id, [
        { filename: 'exact.txt', content: Buffer.alloc(100_000, 0x61) },
      ]);
      expect(exact.statusCode, exact.body).toBe(201);
    });
  });

  describe('late work', () => {
    it('computes the penalty per started day late, capped', async () => {
      const policy = { allowLate: true, latePenaltyPercent: 10, latePenaltyMaxPercent: 25 };
      const hourLate = await world({ ...policy, dueAt: new Date(Date.now() - HOUR) });
      const oneDay = await submitJson(student, hourLate.assignment.id, { content: 'late' });
      expect(oneDay.json()).toMatchObject({ isLate: true, penaltyPercent: 10 });
      const dayAndHourLate = await world({ ...policy, dueAt: new Date(Date.now() - DAY - HOUR) });
      expect(
        (await submitJson(student, dayAndHourLate.assignment.id, { content: 'late' })).json(),
      ).toMatchObject({
        isLate: true,
        penaltyPercent: 20,
      });
      const capped = await world({ ...policy, dueAt: new Date(Date.now() - 2.5 * DAY) });
      expect((await submitJson(student, capped.assignment.id, { content: 'late' })).json()).toMatchObject({
        isLate: true,
        penaltyPercent: 25,
      });
      const onTime = await world({ ...policy, dueAt: new Date(Date.now() + HOUR) });
      expect((await submitJson(student, onTime.assignment.id, { content: 'on time' })).json()).toMatchObject({
        isLate: false,
        penaltyPercent: 0,
      });
    });

    it('refuses work after the due date when late work is not accepted: 409 past_due, nothing kept', async () => {
      const { assignment } = await world({ allowLate: false, dueAt: new Date(Date.now() - 60_000) });
      await expectNothingKept(
        await submitJson(student, assignment.id, { content: 'too late' }),
        409,
        'past_due',
        assignment.id,
      );
      const files = await submitFiles(student, assignment.id, [
        { filename: 'a.txt', content: Buffer.from('x') },
      ]);
      await expectNothingKept(files, 409, 'past_due', assignment.id);
    });
  });

  describe('attempts', () => {
    it('numbers resubmissions and stops at max_attempts', async () => {
      const { assignment } = await world({ maxAttempts: 2 });
      expect((await submitJson(student, assignment.id, { content: 'one' })).json().attemptNumber).toBe(1);
      expect((await submitJson(student, assignment.id, { content: 'two' })).json().attemptNumber).toBe(2);
      const third = await submitJson(student, assignment.id, { content: 'three' });
      expect(third.statusCode).toBe(409);
      expect(third.json().code).toBe('attempt_limit_reached');
      expect(await submissionRows(suite.db, assignment.id)).toHaveLength(2);
    });

    it('holds the limit under concurrent submissions, with distinct attempt numbers', async () => {
      const { assignment } = await world({ maxAttempts: 3 });
      const responses = await Promise.all(
        Array.from({ length: 8 }, (_, n) => submitJson(student, assignment.id, { content: `try ${n}` })),
      );
      const statuses = responses.map((response) => response.statusCode).sort();
      expect(statuses).toEqual([201, 201, 201, 409, 409, 409, 409, 409]);
      const rows = await submissionRows(suite.db, assignment.id);
      expect(rows.map((row) => row.attemptNumber).sort()).toEqual([1, 2, 3]);
    });

    it('accepts no resubmission once a submission is graded', async () => {
      const { assignment } = await world({ maxAttempts: null });
      const first = (await submitJson(student, assignment.id, { content: 'one' })).json();
      await suite.db
        .update(assignmentSubmissions)
        .set({ grade: 40, gradingStatus: 'graded', gradeVersion: 1 })
        .where(eq(assignmentSubmissions.id, first.id));
      const again = await submitJson(student, assignment.id, { content: 'two' });
      expect(again.statusCode).toBe(409);
      expect(again.json().code).toBe('already_graded');
    });
  });

  describe('who may submit and see', () => {
    it('refuses students without an active enrollment, unpublished assignments and staff', async () => {
      const { assignment } = await world();
      const notEnrolled = await submitJson(otherStudent, assignment.id, { content: 'x' });
      expect(notEnrolled.statusCode).toBe(403);
      expect(notEnrolled.json().code).toBe('not_enrolled');
      const hidden = await world({ isPublished: false });
      expect((await submitJson(student, hidden.assignment.id, { content: 'x' })).statusCode).toBe(404);
      expect((await submitJson(instructor, assignment.id, { content: 'x' })).statusCode).toBe(403);
      const dropped = await world();
      await suite.db
        .update(enrollments)
        .set({ status: 'dropped', droppedAt: new Date() })
        .where(eq(enrollments.courseId, dropped.courseId));
      expect((await submitJson(student, dropped.assignment.id, { content: 'x' })).json().code).toBe(
        'not_enrolled',
      );
      expect(await submissionRows(suite.db, assignment.id)).toEqual([]);
    });

    it('shows a submission to its student, the course’s instructor and admins; 404 to others, without its text', async () => {
      const { assignment } = await world();
      const secret = `secret-essay-${Date.now()}`;
      const created = (await submitJson(student, assignment.id, { content: secret })).json();
      for (const user of [student, instructor, admin]) {
        const response = await get(user, `/assignment-submissions/${created.id}`);
        expect(response.statusCode).toBe(200);
        expect(response.headers.etag).toBe('"0"');
      }
      for (const user of [otherStudent, otherInstructor]) {
        for (const url of [
          `/assignment-submissions/${created.id}`,
          `/assignment-submissions/${created.id}/files/0`,
        ]) {
          const response = await get(user, url);
          expect(response.statusCode).toBe(404);
          expect(response.body).not.toContain(secret);
        }
      }
    });

    it('lists every submission to staff (by status, in pages) and only their own to a student', async () => {
      const second = await insertAssignmentWorld(
        suite.db,
        { instructorId: instructor.id, studentIds: [student.id, otherStudent.id] },
        { maxAttempts: null },
      );
      const id = second.assignment.id;
      for (const content of ['a', 'b']) await submitJson(student, id, { content });
      const theirs = (await submitJson(otherStudent, id, { content: 'other student text' })).json();
      await suite.db
        .update(assignmentSubmissions)
        .set({ gradingStatus: 'in_review' })
        .where(eq(assignmentSubmissions.id, theirs.id));

      const firstPage = (await get(instructor, `/assignments/${id}/submissions?limit=2`)).json();
      expect(firstPage.data).toHaveLength(2);
      const rest = (
        await get(instructor, `/assignments/${id}/submissions?limit=2&cursor=${firstPage.nextCursor}`)
      ).json();
      expect(rest).toMatchObject({ nextCursor: null });
      expect(new Set([...firstPage.data, ...rest.data].map((row: { id: string }) => row.id)).size).toBe(3);
      const inReview = (await get(instructor, `/assignments/${id}/submissions?status=in_review`)).json();
      expect(inReview.data.map((row: { id: string }) => row.id)).toEqual([theirs.id]);

      const own = await get(student, `/assignments/${id}/submissions`);
      expect(own.json().data).toHaveLength(2);
      expect(own.body).not.toContain('other student text');
      expect((await get(student, `/assignments/${id}/submissions?cursor=bm9wZQ`)).statusCode).toBe(400);
    });
  });
});
