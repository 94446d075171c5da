import { eq } from 'drizzle-orm';
import { compactVerify, createLocalJWKSet } from 'jose';
import { describe, expect, it } from 'vitest';
import { certificates, enrollments } from '../../src/infrastructure/database/schema/index.js';
import { createFileStorage } from '../../src/infrastructure/storage/create-storage.js';
import {
  certificateIssuerFor,
  certificatesOf,
  insertCourseWithOutline,
  insertEnrollment,
  insertSignedInUser,
  notificationsOf,
  type SignedInUser,
} from '../helpers/factories/index.js';
import { useTestApp } from '../helpers/use-test-app.js';

/**
 * The text lines a PDF (written with `compress: false`) draws: pdfkit writes each line as a TJ array of
 * hex glyph strings split where it kerns, `[<4365> -20 <7274> 0] TJ`.
 */
function pdfTextLines(pdf: Buffer): string[] {
  return [...pdf.toString('latin1').matchAll(/\[([^\]]*)\] TJ/g)].map((match) =>
    [...match[1]!.matchAll(/<([0-9a-f]*)>/g)]
      .map((hex) => Buffer.from(hex[1]!, 'hex').toString('latin1'))
      .join(''),
  );
}

describe('certificates', () => {
  const suite = useTestApp({ cast: ['student', 'otherStudent', 'instructor', 'admin'] });
  const { student, otherStudent, instructor, admin } = suite.cast;

  /** A completed enrollment of `learner` in a new course, and its certificate issued by the issuer. */
  async function issued(learner: SignedInUser = student, title = 'Certified Course') {
    const course = await insertCourseWithOutline(suite.db, instructor.id, [1], { title });
    const enrollment = await insertEnrollment(suite.db, learner.id, course.course.id, {
      status: 'completed',
      completedAt: new Date('2026-11-30T10:00:00.000Z'),
      progressPercent: 100,
    });
    const outcome = await certificateIssuerFor(suite.testApp).issue(enrollment.id);
    if (!outcome.issued) throw new Error(`not issued: ${outcome.reason}`);
    return { course, enrollment, certificateId: outcome.certificateId };
  }

  /** The storage the app uses (the same folder or bucket, from the app's configuration). */
  const storage = () => createFileStorage(suite.testApp.config.storage);
  const get = (user: SignedInUser | undefined, url: string, headers: Record<string, string> = {}) =>
    suite.app.inject({ method: 'GET', url, headers: { ...user?.headers, ...headers } });
  const revoke = (user: SignedInUser, id: string, payload: Record<string, unknown>) =>
    suite.app.inject({
      method: 'POST',
      url: `/api/v1/certificates/${id}/revoke`,
      headers: user.headers,
      payload,
    });

  describe('issuance', () => {
    it('issues one certificate per completed enrollment, with a notification; again is a no-op', async () => {
      const { enrollment, certificateId, course } = await issued();
      const again = await certificateIssuerFor(suite.testApp).issue(enrollment.id);
      expect(again).toEqual({ issued: false, reason: 'already-issued' });
      const rows = await certificatesOf(suite.db, enrollment.id);
      expect(rows).toHaveLength(1);
      expect(rows[0]!.id).toBe(certificateId);
      expect(rows[0]!.verificationCode).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(Buffer.from(rows[0]!.verificationCode, 'base64url')).toHaveLength(16);
      expect(rows[0]!.credential).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
      const notes = (await notificationsOf(suite.db, student.id)).filter(
        (n) => n.type === 'certificate_issued',
      );
      expect(notes.filter((n) => n.payload.certificateId === certificateId)).toEqual([
        expect.objectContaining({
          title: 'Your certificate for Certified Course',
          payload: { certificateId, courseId: course.course.id, enrollmentId: enrollment.id },
          linkUrl: `/certificates/${certificateId}`,
        }),
      ]);
    });

    it('exactly one certificate and one notification when 20 issuers run at once', async () => {
      const learner = await insertSignedInUser(suite.testApp);
      const course = await insertCourseWithOutline(suite.db, instructor.id, [1]);
      const enrollment = await insertEnrollment(suite.db, learner.id, course.course.id, {
        status: 'completed',
      });
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, () => certificateIssuerFor(suite.testApp).issue(enrollment.id)),
      );
      expect(outcomes.filter((outcome) => outcome.issued)).toHaveLength(1);
      expect(await certificatesOf(suite.db, enrollment.id)).toHaveLength(1);
      const notes = (await notificationsOf(suite.db, learner.id)).filter(
        (n) => n.type === 'certificate_issued',
      );
      expect(notes).toHaveLength(1);
    });

    it('issues nothing for an enrollment that is not completed', async () => {
      const course = await insertCourseWithOutline(suite.db, instructor.id, [1]);
      const learner = await insertSignedInUser(suite.testApp);
      const enrollment = await insertEnrollment(suite.db, learner.id, course.course.id);
      expect(await certificateIssuerFor(suite.testApp).issue(enrollment.id)).toEqual({
        issued: false,
        reason: 'not-completed',
      });
      expect(await certificatesOf(suite.db, enrollment.id)).toEqual([]);
    });
  });

  describe('reading', () => {
    it('lists my certificates newest first in keyset pages, and only mine', async () => {
      const learner = await insertSignedInUser(suite.testApp);
      const ids: string[] = [];
      for (const title of ['First', 'Second', 'Third'])
        ids.push((await issued(learner, title)).certificateId);
      await issued(otherStudent, 'Not yours');
      const first = await get(learner, '/api/v1/me/certificates?limit=2');
      expect(first.statusCode, first.body).toBe(200);
      expect(first.headers['cache-control']).toBe('no-store');
      expect(first.json().data.map((c: { id: string }) => c.id)).toEqual([ids[2], ids[1]]);
      expect(first.json().nextCursor).toEqual(expect.any(String));
      const second = await get(learner, `/api/v1/me/certificates?limit=2&cursor=${first.json().nextCursor}`);
      expect(second.json()).toEqual({ data: [expect.objectContaining({ id: ids[0] })], nextCursor: null });
    });

    it('shows one certificate to its learner and admins; another student gets 404 with nothing of it', async () => {
      const { certificateId, enrollment, course } = await issued();
      const own = await get(student, `/api/v1/certificates/${certificateId}`);
      expect(own.statusCode, own.body).toBe(200);
      const code = own.json().verificationCode;
      expect(own.json()).toEqual({
        id: certificateId,
        enrollmentId: enrollment.id,
        courseId: course.course.id,
        status: 'valid',
        learnerName: student.name,
        courseTitle: 'Certified Course',
        instructorName: instructor.name,
        issuedAt: expect.any(String),
        completedAt: '2026-11-30T10:00:00.000Z',
        verificationCode: code,
        verificationUrl: `http://localhost:3000/api/v1/certificates/verify/${code}`,
        pdfUrl: `/api/v1/certificates/${certificateId}/pdf`,
        credential: expect.any(String),
        revokedAt: null,
        revocationReason: null,
      });
      expect((await get(admin, `/api/v1/certificates/${certificateId}`)).statusCode).toBe(200);
      for (const other of [otherStudent, instructor]) {
        const refused = await get(other, `/api/v1/certificates/${certificateId}`);
        expect(refused.statusCode).toBe(404);
        expect(refused.headers['content-type']).toContain('application/problem+json');
        expect(refused.body).not.toContain(code);
        expect(refused.body).not.toContain(student.name);
        const pdf = await get(other, `/api/v1/certificates/${certificateId}/pdf`);
        expect(pdf.statusCode).toBe(404);
      }
      expect((await get(undefined, `/api/v1/certificates/${certificateId}`)).statusCode).toBe(401);
    });

    it('an expired enrollment keeps its certificate readable, PDF included', async () => {
      const learner = await insertSignedInUser(suite.testApp);
      const { certificateId, enrollment } = await issued(learner, 'Expiring');
      await suite.db.update(enrollments).set({ status: 'expired' }).where(eq(enrollments.id, enrollment.id));
      expect((await get(learner, `/api/v1/certificates/${certificateId}`)).statusCode).toBe(200);
      expect((await get(learner, '/api/v1/me/certificates')).json().data).toHaveLength(1);
      expect((await get(learner, `/api/v1/certificates/${certificateId}/pdf`)).statusCode).toBe(200);
    });
  });

  describe('PDF', () => {
    it('is a PDF naming the learner, the course, the code and the verification URL; stored once, then streamed', async () => {
      const { certificateId } = await issued(student, 'PDF Course');
      const first = await get(student, `/api/v1/certificates/${certificateId}/pdf`);
      expect(first.statusCode, first.body.slice(0, 200)).toBe(200);
      expect(first.headers['content-type']).toBe('application/pdf');
      const bytes = first.rawPayload;
      expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      const text = bytes.toString('latin1');
      const [row] = await suite.db.select().from(certificates).where(eq(certificates.id, certificateId));
      const code = row!.verificationCode;
      const url = `http://localhost:3000/api/v1/certificates/verify/${code}`;
      expect(pdfTextLines(bytes)).toEqual(
        expect.arrayContaining([
          student.name,
          'PDF Course',
          `Verification code: ${code}`,
          `Verify at: ${url}`,
          expect.stringContaining(`taught by ${instructor.name}`),
        ]),
      );
      // The info dictionary names them too; the QR code is an embedded image.
      expect(text).toContain(`(Verification code ${code})`);
      expect(text).toContain(`(${url})`);
      expect(text).toContain('/Subtype /Image');
      expect(row!.storageKey).toBe(`certificates/${certificateId}.pdf`);
      expect(await storage().exists(row!.storageKey!)).toBe(true);
      // The second download is the stored file.
      await storage().put(row!.storageKey!, Buffer.from('%PDF-stored copy'), {
        contentType: 'application/pdf',
      });
      const second = await get(admin, `/api/v1/certificates/${certificateId}/pdf`);
      expect(second.statusCode).toBe(200);
      expect(second.body).toBe('%PDF-stored copy');
    });

    it('concurrent first downloads all get the same whole PDF', async () => {
      const { certificateId } = await issued(student, 'Race Course');
      const responses = await Promise.all(
        Array.from({ length: 8 }, () => get(student, `/api/v1/certificates/${certificateId}/pdf`)),
      );
      expect(responses.map((r) => r.statusCode)).toEqual(Array(8).fill(200));
      const stored = await storage().get(`certificates/${certificateId}.pdf`);
      expect(stored?.object.contentType).toBe('application/pdf');
      for (const response of responses) {
        expect(response.rawPayload.subarray(0, 5).toString('latin1')).toBe('%PDF-');
        expect(response.rawPayload.subarray(-6).toString('latin1')).toContain('%%EOF');
      }
    });
  });

  describe('public verification', () => {
    it('answers without sign-in with exactly the public facts and the credential; cacheable with ETag', async () => {
      const { certificateId } = await issued(student, 'Verified Course');
      const own = (await get(student, `/api/v1/certificates/${certificateId}`)).json();
      const answer = await get(undefined, `/api/v1/certificates/verify/${own.verificationCode}`);
      expect(answer.statusCode, answer.body).toBe(200);
      expect(answer.json()).toEqual({
        status: 'valid',
        learnerName: student.name,
        courseTitle: 'Verified Course',
        instructorName: instructor.name,
        issuedAt: own.issuedAt,
        completedAt: own.completedAt,
        credential: own.credential,
      });
      expect(answer.body).not.toContain(student.email);
      expect(answer.body).not.toContain(student.id);
      expect(answer.headers['cache-control']).toBe('public, max-age=0, must-revalidate');
      const etag = answer.headers.etag as string;
      expect(etag).toMatch(/^"[\w-]+"$/);
      const again = await get(undefined, `/api/v1/certificates/verify/${own.verificationCode}`, {
        'if-none-match': etag,
      });
      expect(again.statusCode).toBe(304);
      expect(again.body).toBe('');
    });

    it('unknown code: 404; malformed code: 400', async () => {
      const unknown = await get(undefined, '/api/v1/certificates/verify/AAAAAAAAAAAAAAAAAAAAAA');
      expect(unknown.statusCode).toBe(404);
      expect(unknown.headers['content-type']).toContain('application/problem+json');
      expect((await get(undefined, '/api/v1/certificates/verify/short')).statusCode).toBe(400);
    });

    it('the credential verifies with the published keys (no private part published) and fails when tampered with', async () => {
      const { certificateId } = await issued(student, 'Signed Course');
      const own = (await get(student, `/api/v1/certificates/${certificateId}`)).json();
      const jwks = await get(undefined, '/.well-known/jwks.json');
      expect(jwks.statusCode).toBe(200);
      expect(jwks.body).not.toContain('"d"');
      for (const key of jwks.json().keys)
        expect(Object.keys(key).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x']);
      const keySet = createLocalJWKSet(jwks.json());
      const { payload, protectedHeader } = await compactVerify(own.credential, keySet);
      expect(protectedHeader).toMatchObject({ alg: 'EdDSA', typ: 'vc+jwt', kid: jwks.json().keys[0].kid });
      const vc = JSON.parse(new TextDecoder().decode(payload));
      expect(vc).toMatchObject({
        type: ['VerifiableCredential', 'OpenBadgeCredential'],
        id: own.verificationUrl,
        validFrom: own.issuedAt,
        verificationCode: own.verificationCode,
        credentialSubject: {
          name: student.name,
          activityEndDate: own.completedAt,
          achievement: { name: 'Signed Course', creator: { name: instructor.name } },
        },
      });
      const [header, body, signature] = own.credential.split('.');
      const forged = Buffer.from(
        JSON.stringify({ ...vc, credentialSubject: { ...vc.credentialSubject, name: 'Mallory' } }),
      );
      await expect(
        compactVerify(`${header}.${forged.toString('base64url')}.${signature}`, keySet),
      ).rejects.toThrow();
      const flipped = `${signature!.slice(0, -2)}${signature!.endsWith('AA') ? 'BA' : 'AA'}`;
      await expect(compactVerify(`${header}.${body}.${flipped}`, keySet)).rejects.toThrow();
    });
  });

  describe('revocation', () => {
    it('an admin revokes with a reason: the certificate and its public verification say revoked at once', async () => {
      const { certificateId } = await issued(student, 'Revoked Course');
      const own = (await get(student, `/api/v1/certificates/${certificateId}`)).json();
      const before = await get(undefined, `/api/v1/certificates/verify/${own.verificationCode}`);
      expect(before.json().status).toBe('valid');
      // Downloaded once before: the stored PDF does not say REVOKED.
      expect(
        pdfTextLines((await get(student, `/api/v1/certificates/${certificateId}/pdf`)).rawPayload),
      ).not.toContain('REVOKED');
      const revoked = await revoke(admin, certificateId, { reason: 'Plagiarised final project' });
      expect(revoked.statusCode, revoked.body).toBe(200);
      expect(revoked.json()).toMatchObject({
        status: 'revoked',
        revokedAt: expect.any(String),
        revocationReason: 'Plagiarised final project',
      });
      const after = await get(undefined, `/api/v1/certificates/verify/${own.verificationCode}`, {
        'if-none-match': before.headers.etag as string,
      });
      expect(after.statusCode).toBe(200);
      expect(after.json().status).toBe('revoked');
      expect(after.body).not.toContain('Plagiarised');
      const pdf = await get(student, `/api/v1/certificates/${certificateId}/pdf`);
      expect(pdfTextLines(pdf.rawPayload)).toContain('REVOKED');
      const twice = await revoke(admin, certificateId, { reason: 'again' });
      expect(twice.statusCode).toBe(409);
      expect(twice.json().code).toBe('certificate_revoked');
    });

    it('non-admins are refused (403) and nothing changes; unknown id 404', async () => {
      const { certificateId } = await issued(student, 'Kept Course');
      for (const user of [student, otherStudent, instructor]) {
        const refused = await revoke(user, certificateId, { reason: 'because' });
        expect(refused.statusCode).toBe(403);
      }
      const [row] = await suite.db.select().from(certificates).where(eq(certificates.id, certificateId));
      expect(row!.revokedAt).toBeNull();
      expect((await revoke(admin, '00000000-0000-4000-8000-000000000000', { reason: 'x' })).statusCode).toBe(
        404,
      );
    });

    it('without a reason (missing, empty or blank): 400 and nothing written', async () => {
      const { certificateId } = await issued(student, 'Unreasoned Course');
      for (const payload of [{}, { reason: '' }, { reason: '   ' }]) {
        const refused = await revoke(admin, certificateId, payload);
        expect(refused.statusCode, JSON.stringify(payload)).toBe(400);
        expect(refused.headers['content-type']).toContain('application/problem+json');
      }
      const [row] = await suite.db.select().from(certificates).where(eq(certificates.id, certificateId));
      expect(row).toMatchObject({ revokedAt: null, revocationReason: null });
    });
  });
});
