/**
 * The SQL of the certificates module: what issuance needs to know about a completed enrollment, and
 * the certificate views (with the learner's name, the course's title and its instructor's name).
 */
import { and, desc, eq, type SQL, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import {
  certificates,
  courses,
  type EnrollmentStatus,
  enrollments,
  users,
} from '../../infrastructure/database/schema/index.js';
import { microsecondKey, olderThan, type TimestampIdCursor } from '../../shared/keyset.js';
import type { Executor } from '../../shared/transaction.js';

/** A completed enrollment as a certificate describes it. */
export interface IssuanceFacts {
  enrollmentId: string;
  status: EnrollmentStatus;
  completedAt: Date | null;
  userId: string;
  learnerName: string;
  courseId: string;
  courseTitle: string;
  courseSlug: string;
  instructorName: string;
}

const instructors = alias(users, 'instructors');

export async function selectIssuanceFacts(
  db: Executor,
  enrollmentId: string,
): Promise<IssuanceFacts | undefined> {
  const [row] = await db
    .select({
      enrollmentId: enrollments.id,
      status: enrollments.status,
      completedAt: enrollments.completedAt,
      userId: enrollments.userId,
      learnerName: users.name,
      courseId: courses.id,
      courseTitle: courses.title,
      courseSlug: courses.slug,
      instructorName: instructors.name,
    })
    .from(enrollments)
    .innerJoin(users, eq(users.id, enrollments.userId))
    .innerJoin(courses, eq(courses.id, enrollments.courseId))
    .innerJoin(instructors, eq(instructors.id, courses.instructorId))
    .where(eq(enrollments.id, enrollmentId));
  return row;
}

/**
 * A certificate with what its views show. Names are those of the issuance, kept in the credential
 * and in `metadata` (a learner renamed later does not change a certificate already issued).
 */
export const certificateColumns = {
  id: certificates.id,
  enrollmentId: certificates.enrollmentId,
  userId: certificates.userId,
  courseId: certificates.courseId,
  verificationCode: certificates.verificationCode,
  issuedAt: certificates.issuedAt,
  revokedAt: certificates.revokedAt,
  revocationReason: certificates.revocationReason,
  credential: certificates.credential,
  storageKey: certificates.storageKey,
  metadata: certificates.metadata,
};

export type CertificateRow = {
  [K in keyof typeof certificateColumns]: (typeof certificates.$inferSelect)[K];
};

export async function selectCertificate(db: Executor, where: SQL): Promise<CertificateRow | undefined> {
  const [row] = await db.select(certificateColumns).from(certificates).where(where);
  return row;
}

export const byId = (id: string) => eq(certificates.id, id);
export const byCode = (code: string) => eq(certificates.verificationCode, code);

/** One keyset page (`limit + 1` rows) of a user's certificates, newest first. */
export async function selectCertificatesOf(
  db: Executor,
  userId: string,
  limit: number,
  cursor: TimestampIdCursor | undefined,
) {
  const conditions: SQL[] = [eq(certificates.userId, userId)];
  if (cursor) conditions.push(olderThan(certificates.issuedAt, certificates.id, cursor));
  return db
    .select({ ...certificateColumns, issuedAtKey: microsecondKey(certificates.issuedAt) })
    .from(certificates)
    .where(and(...conditions))
    .orderBy(desc(certificates.issuedAt), desc(certificates.id))
    .limit(limit + 1);
}

/**
 * The admin's revocation: only a certificate not revoked yet (one revocation wins). The stored PDF
 * (without REVOKED on it) is forgotten; the next download renders the revoked one.
 */
export async function revokeCertificate(db: Executor, id: string, reason: string, at: Date) {
  const [row] = await db
    .update(certificates)
    .set({ revokedAt: at, revocationReason: reason, storageKey: null, updatedAt: at })
    .where(and(eq(certificates.id, id), sql`${certificates.revokedAt} IS NULL`))
    .returning(certificateColumns);
  return row;
}
