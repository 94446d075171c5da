import type { Readable } from 'node:stream';
import { eq } from 'drizzle-orm';
import type { Database } from '../../infrastructure/database/client/client.js';
import { certificates } from '../../infrastructure/database/schema/index.js';
import type { FileStorage } from '../../infrastructure/storage/file-storage.js';
import { type Actor, isAdmin, requireRole } from '../../shared/actor.js';
import { AppError } from '../../shared/errors.js';
import { decodeTimestampIdCursor, toPage } from '../../shared/keyset.js';
import type { Representation } from '../../shared/representation.js';
import { certificateUrls, factsOf } from './certificate-facts.js';
import { renderCertificatePdf } from './certificate-pdf.js';
import {
  byCode,
  byId,
  type CertificateRow,
  revokeCertificate,
  selectCertificate,
  selectCertificatesOf,
} from './certificates.queries.js';
import type { VerificationCache } from './verification-cache.js';

export interface CertificateView {
  id: string;
  enrollmentId: string;
  courseId: string;
  status: 'valid' | 'revoked';
  learnerName: string;
  courseTitle: string;
  instructorName: string;
  issuedAt: string;
  completedAt: string;
  verificationCode: string;
  verificationUrl: string;
  pdfUrl: string;
  credential: string;
  revokedAt: string | null;
  revocationReason: string | null;
}

/** The public answer: exactly these fields (no email, no user or enrollment id, no reason). */
export type VerificationView = Pick<
  CertificateView,
  'status' | 'learnerName' | 'courseTitle' | 'instructorName' | 'issuedAt' | 'completedAt' | 'credential'
>;

export interface CertificatesServiceDependencies {
  db: Database;
  storage: FileStorage;
  verificationCache: VerificationCache;
  publicApiUrl: string;
  apiPrefix: string;
}

const noSuchCertificate = () =>
  new AppError(
    'not_found',
    'No such certificate, or not one the caller may see (its learner and admins only).',
  );

/** Where a certificate's PDF is stored: derived from its id (and revocation, which the PDF shows). */
export function pdfKeyOf(row: Pick<CertificateRow, 'id' | 'revokedAt'>): string {
  return `certificates/${row.id}${row.revokedAt === null ? '' : '-revoked'}.pdf`;
}

export function createCertificatesService(deps: CertificatesServiceDependencies) {
  const { db } = deps;

  function toView(row: CertificateRow): CertificateView {
    const facts = factsOf(row.metadata);
    return {
      id: row.id,
      enrollmentId: row.enrollmentId,
      courseId: row.courseId,
      status: row.revokedAt === null ? 'valid' : 'revoked',
      learnerName: facts.learnerName,
      courseTitle: facts.courseTitle,
      instructorName: facts.instructorName,
      issuedAt: row.issuedAt.toISOString(),
      completedAt: new Date(facts.completedAt).toISOString(),
      verificationCode: row.verificationCode,
      verificationUrl: certificateUrls(deps.publicApiUrl, row.verificationCode, facts.courseSlug)
        .verificationUrl,
      pdfUrl: `${deps.apiPrefix}/certificates/${row.id}/pdf`,
      credential: row.credential ?? '',
      revokedAt: row.revokedAt?.toISOString() ?? null,
      revocationReason: row.revocationReason,
    };
  }

  /** The certificate if `actor` may see it (its learner, admins); else 404, as if it did not exist. */
  async function visible(actor: Actor, id: string): Promise<CertificateRow> {
    const row = await selectCertificate(db, byId(id));
    if (!row || (row.userId !== actor.id && !isAdmin(actor))) throw noSuchCertificate();
    return row;
  }

  return {
    /** The signed-in user's certificates, newest first (also those of expired enrollments). */
    async listMine(actor: Actor, query: { limit: number; cursor?: string | undefined }) {
      const cursor = decodeTimestampIdCursor(query.cursor);
      const rows = await selectCertificatesOf(db, actor.id, query.limit, cursor);
      return toPage(rows, query.limit, toView, (row) => ({ p: row.issuedAtKey, id: row.id }));
    },

    async get(actor: Actor, id: string): Promise<CertificateView> {
      return toView(await visible(actor, id));
    },

    /**
     * The PDF: streamed from storage once rendered; rendered on first download and stored under a key
     * derived from the certificate (concurrent first downloads each render the same document and the
     * storage's atomic put keeps one whole file).
     */
    async pdf(
      actor: Actor,
      id: string,
    ): Promise<{ body: Readable | Buffer; size: number; filename: string }> {
      const row = await visible(actor, id);
      const key = pdfKeyOf(row);
      const filename = `certificate-${row.verificationCode}.pdf`;
      const stored = await deps.storage.get(key);
      if (stored) return { body: stored.body, size: stored.object.size, filename };
      const facts = factsOf(row.metadata);
      const pdf = await renderCertificatePdf({
        learnerName: facts.learnerName,
        courseTitle: facts.courseTitle,
        instructorName: facts.instructorName,
        completedAt: new Date(facts.completedAt),
        issuedAt: row.issuedAt,
        verificationCode: row.verificationCode,
        verificationUrl: certificateUrls(deps.publicApiUrl, row.verificationCode, facts.courseSlug)
          .verificationUrl,
        revoked: row.revokedAt !== null,
      });
      await deps.storage.put(key, pdf, { contentType: 'application/pdf' });
      await db.update(certificates).set({ storageKey: key }).where(eq(certificates.id, row.id));
      return { body: pdf, size: pdf.length, filename };
    },

    /** Admins only (403 before anything is looked up); one revocation per certificate (409 after). */
    async revoke(actor: Actor, id: string, reason: string): Promise<CertificateView> {
      requireRole(actor, 'admin');
      const revoked = await db.transaction(async (tx) => {
        const row = await revokeCertificate(tx, id, reason.trim(), new Date());
        if (row) return row;
        const existing = await selectCertificate(tx, byId(id));
        if (!existing) throw noSuchCertificate();
        throw new AppError('certificate_revoked', 'This certificate is already revoked.');
      });
      // After the commit: the public answer changes at once on every instance.
      await deps.verificationCache.changed(revoked.verificationCode);
      // The PDF stored before the revocation does not say REVOKED; the next download renders one that does.
      await deps.storage.delete(pdfKeyOf({ id: revoked.id, revokedAt: null }));
      return toView(revoked);
    },

    /**
     * The public verification of a code: the answer's bytes and ETag (cached per code, invalidated by
     * revocation), or 404 for an unknown code.
     */
    async verify(code: string, serialize: (view: VerificationView) => string): Promise<Representation> {
      const answer = await deps.verificationCache.get(code, async () => {
        const row = await selectCertificate(db, byCode(code));
        if (!row) return undefined;
        const view = toView(row);
        return serialize({
          status: view.status,
          learnerName: view.learnerName,
          courseTitle: view.courseTitle,
          instructorName: view.instructorName,
          issuedAt: view.issuedAt,
          completedAt: view.completedAt,
          credential: view.credential,
        });
      });
      if (!answer) throw new AppError('not_found', 'No certificate has this verification code.');
      return answer;
    },
  };
}

export type CertificatesService = ReturnType<typeof createCertificatesService>;
