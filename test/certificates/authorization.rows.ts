import { adminOnly, everyone, type RouteAuthorization, signedIn } from '../security/authorization-rows.js';

/** A certificate exists for its learner and admins only: the course's instructor does not see it either. */
const ownCertificate = {
  anonymous: 401,
  student: 200,
  otherStudent: 404,
  instructor: 404,
  otherInstructor: 404,
  admin: 200,
} as const;

const certificateParams = ({ world }: { world: { certificate: { id: string } } }) => ({
  params: { id: world.certificate.id },
});

/** Certificates: one's own, admins' revocation, and the public verification and signing keys. */
export const CERTIFICATES_AUTHORIZATION_ROWS: Record<string, RouteAuthorization> = {
  'GET /api/v1/me/certificates': { expected: signedIn(200) },
  'GET /api/v1/certificates/{id}': {
    resources: ['studentCertificate'],
    request: certificateParams,
    expected: ownCertificate,
  },
  'GET /api/v1/certificates/{id}/pdf': {
    resources: ['studentCertificate'],
    request: certificateParams,
    expected: ownCertificate,
  },
  'POST /api/v1/certificates/{id}/revoke': {
    resources: ['studentCertificate'],
    request: ({ world }) => ({
      params: { id: world.certificate.id },
      body: { reason: 'Revoked by the matrix' },
    }),
    expected: adminOnly(200),
  },
  // Public: whoever holds the code may verify it.
  'GET /api/v1/certificates/verify/{code}': {
    request: ({ world }) => ({ params: { code: world.certificate.verificationCode } }),
    expected: everyone(200),
  },
  'GET /.well-known/jwks.json': { expected: everyone(200) },
};
