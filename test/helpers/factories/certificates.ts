import { eq } from 'drizzle-orm';
import type { Config } from '../../../src/config.js';
import type { Database } from '../../../src/infrastructure/database/client/client.js';
import {
  type Certificate,
  certificates,
  courses,
  users,
} from '../../../src/infrastructure/database/schema/index.js';
import type { DomainEvents } from '../../../src/infrastructure/events/domain-events.js';
import { createEventBus } from '../../../src/infrastructure/events/event-bus.js';
import {
  buildCredential,
  certificateUrls,
  createCertificateIssuer,
  createCredentialSigner,
  newVerificationCode,
} from '../../../src/modules/certificates/index.js';

type Source = { db: Database; config: Pick<Config, 'certificateSigningKeys' | 'publicApiUrl'> };

/**
 * The application's issuer on the test app's database and signing keys, with a bus of its own (the
 * notification it writes still lands in the database): what the durable subscriber runs.
 */
export function certificateIssuerFor(source: Source) {
  return createCertificateIssuer({
    db: source.db,
    events: createEventBus<DomainEvents>({ onSubscriberError: () => {} }),
    signer: createCredentialSigner(source.config.certificateSigningKeys),
    publicApiUrl: source.config.publicApiUrl,
  });
}

/**
 * A certificate row written directly (signed like the issuer signs), for an enrollment in any state:
 * the security cast's student has one for their active enrollment, so no other route's answer changes.
 */
export async function insertCertificate(
  source: Source,
  input: {
    enrollmentId: string;
    userId: string;
    courseId: string;
    verificationCode?: string;
    completedAt?: Date;
  },
): Promise<Certificate> {
  const [learner] = await source.db
    .select({ name: users.name })
    .from(users)
    .where(eq(users.id, input.userId));
  const [course] = await source.db
    .select({ title: courses.title, slug: courses.slug, instructorName: users.name })
    .from(courses)
    .innerJoin(users, eq(users.id, courses.instructorId))
    .where(eq(courses.id, input.courseId));
  if (!learner || !course) throw new Error('insertCertificate: no such user or course');
  const verificationCode = input.verificationCode ?? newVerificationCode();
  const issuedAt = new Date();
  const completedAt = input.completedAt ?? issuedAt;
  const urls = certificateUrls(source.config.publicApiUrl, verificationCode, course.slug);
  const credential = await createCredentialSigner(source.config.certificateSigningKeys).sign(
    buildCredential({
      verificationCode,
      verificationUrl: urls.verificationUrl,
      learnerName: learner.name,
      courseTitle: course.title,
      courseUrl: urls.courseUrl,
      instructorName: course.instructorName,
      issuedAt,
      completedAt,
      issuerUrl: source.config.publicApiUrl,
    }),
  );
  const [row] = await source.db
    .insert(certificates)
    .values({
      enrollmentId: input.enrollmentId,
      userId: input.userId,
      courseId: input.courseId,
      verificationCode,
      issuedAt,
      credential,
      metadata: {
        learnerName: learner.name,
        courseTitle: course.title,
        courseSlug: course.slug,
        instructorName: course.instructorName,
        completedAt: completedAt.toISOString(),
      },
    })
    .returning();
  if (!row) throw new Error('insertCertificate: insert returned no row');
  return row;
}

/** Every certificate of an enrollment (there must never be more than one). */
export function certificatesOf(db: Database, enrollmentId: string): Promise<Certificate[]> {
  return db.select().from(certificates).where(eq(certificates.enrollmentId, enrollmentId));
}
