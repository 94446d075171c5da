/**
 * Issuing certificates: one per completed enrollment, exactly once. `enrollment.completed` (published
 * by the progress module's completion rule, exactly once per enrollment) reaches `issue` through a
 * durable subscriber (src/subscribers.ts): a job enqueued in the completing transaction itself, so a
 * completion that commits always gets its certificate, even when the process stops right after.
 *
 * `issue` runs one transaction: the certificate row, with its verification code and signed credential,
 * and the learner's `certificate_issued` notification. The insert is `ON CONFLICT (enrollment_id) DO
 * NOTHING`, and the notification is written only by the transaction whose insert took effect, so a
 * job run twice (at-least-once delivery, retries) or concurrent runs still leave one certificate and
 * one notification.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Database } from '../../infrastructure/database/client/client.js';
import { certificates } from '../../infrastructure/database/schema/index.js';
import type { DomainEventBus } from '../../infrastructure/events/domain-events.js';
import { unitOfWork } from '../../infrastructure/events/unit-of-work.js';
import { writeNotification } from '../notifications/index.js';
import { type CertificateFacts, certificateUrls } from './certificate-facts.js';
import { selectIssuanceFacts } from './certificates.queries.js';
import { buildCredential, type CredentialSigner } from './credential.js';

/** 16 random bytes (128 bits) as base64url: 22 URL-safe characters. */
export function newVerificationCode(): string {
  return randomBytes(16).toString('base64url');
}

export interface CertificateIssuerDependencies {
  db: Database;
  events: DomainEventBus;
  signer: CredentialSigner;
  publicApiUrl: string;
}

export type IssueOutcome =
  | { issued: true; certificateId: string }
  | { issued: false; reason: 'already-issued' | 'not-completed' };

export interface CertificateIssuer {
  /** Issues the enrollment's certificate if it is completed and has none yet. Idempotent. */
  issue(enrollmentId: string): Promise<IssueOutcome>;
}

export function createCertificateIssuer(deps: CertificateIssuerDependencies): CertificateIssuer {
  return {
    issue: (enrollmentId) =>
      unitOfWork(deps.db, deps.events, async (tx, events): Promise<IssueOutcome> => {
        const facts = await selectIssuanceFacts(tx, enrollmentId);
        if (!facts || facts.status !== 'completed' || facts.completedAt === null) {
          return { issued: false, reason: 'not-completed' };
        }
        const id = randomUUID();
        const verificationCode = newVerificationCode();
        const issuedAt = new Date();
        const urls = certificateUrls(deps.publicApiUrl, verificationCode, facts.courseSlug);
        const metadata: CertificateFacts = {
          learnerName: facts.learnerName,
          courseTitle: facts.courseTitle,
          courseSlug: facts.courseSlug,
          instructorName: facts.instructorName,
          completedAt: facts.completedAt.toISOString(),
        };
        const credential = await deps.signer.sign(
          buildCredential({
            verificationCode,
            verificationUrl: urls.verificationUrl,
            learnerName: facts.learnerName,
            courseTitle: facts.courseTitle,
            courseUrl: urls.courseUrl,
            instructorName: facts.instructorName,
            issuedAt,
            completedAt: facts.completedAt,
            issuerUrl: deps.publicApiUrl,
          }),
        );
        const [inserted] = await tx
          .insert(certificates)
          .values({
            id,
            enrollmentId,
            userId: facts.userId,
            courseId: facts.courseId,
            verificationCode,
            issuedAt,
            credential,
            metadata,
          })
          .onConflictDoNothing({ target: certificates.enrollmentId })
          .returning({ id: certificates.id });
        if (!inserted) return { issued: false, reason: 'already-issued' };
        await writeNotification(tx, events, {
          userId: facts.userId,
          type: 'certificate_issued',
          title: `Your certificate for ${facts.courseTitle}`,
          body: 'Download it as a PDF or share its verification link.',
          payload: { certificateId: id, courseId: facts.courseId, enrollmentId },
          linkUrl: `/certificates/${id}`,
        });
        return { issued: true, certificateId: id };
      }),
  };
}
