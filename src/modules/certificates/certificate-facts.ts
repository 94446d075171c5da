import type { CertificateMetadata } from '../../infrastructure/database/schema/index.js';

/**
 * What a certificate states, as it was when it was issued, kept in `certificates.metadata` (and
 * signed into its credential): a learner or course renamed later does not change it.
 */
export type CertificateFacts = {
  learnerName: string;
  courseTitle: string;
  courseSlug: string;
  instructorName: string;
  /** ISO time the enrollment was completed. */
  completedAt: string;
};

/** Reads the facts back from `metadata` (written only by issuance and the demo seed). */
export function factsOf(metadata: CertificateMetadata): CertificateFacts {
  const text = (key: keyof CertificateFacts): string => {
    const value = metadata[key];
    if (typeof value !== 'string') throw new Error(`certificate metadata lacks ${key}`);
    return value;
  };
  return {
    learnerName: text('learnerName'),
    courseTitle: text('courseTitle'),
    courseSlug: text('courseSlug'),
    instructorName: text('instructorName'),
    completedAt: text('completedAt'),
  };
}

/** The public verification URL of a code (the QR code and the credential's `id`) and the course's URL. */
export function certificateUrls(publicApiUrl: string, verificationCode: string, courseSlug: string) {
  return {
    verificationUrl: `${publicApiUrl}/api/v1/certificates/verify/${verificationCode}`,
    courseUrl: `${publicApiUrl}/api/v1/courses/${courseSlug}`,
  };
}
