import { type Static, Type } from 'typebox';
import { PageSchema, PaginationQuery } from '../../http/pagination.js';

const Timestamp = Type.String({ format: 'date-time' });

/** A verification code: 16 random bytes as base64url (22 characters). */
export const VERIFICATION_CODE_PATTERN = '^[A-Za-z0-9_-]{22}$';

export const CertificateParams = Type.Object(
  { id: Type.String({ format: 'uuid', description: 'The certificate id.' }) },
  { additionalProperties: false },
);

export const VerificationParams = Type.Object(
  {
    code: Type.String({
      pattern: VERIFICATION_CODE_PATTERN,
      description: 'The certificate’s verification code (printed on it and in its QR code).',
    }),
  },
  { additionalProperties: false },
);

export const MyCertificatesQuery = Type.Object({ ...PaginationQuery }, { additionalProperties: false });

export const RevokeBody = Type.Object(
  {
    reason: Type.String({
      minLength: 1,
      maxLength: 500,
      // Something visible: a reason of spaces is no reason.
      pattern: '\\S',
      description: 'Why the certificate is revoked (kept with it; shown to its learner and admins).',
    }),
  },
  { additionalProperties: false },
);
export type RevokeBody = Static<typeof RevokeBody>;

const CertificateStatus = Type.Enum(['valid', 'revoked'], {
  description: '`revoked` once an admin revoked it; a revoked certificate keeps its record.',
});

export const CertificateSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    enrollmentId: Type.String({ format: 'uuid' }),
    courseId: Type.String({ format: 'uuid' }),
    status: CertificateStatus,
    learnerName: Type.String({ description: 'The learner’s display name when it was issued.' }),
    courseTitle: Type.String(),
    instructorName: Type.String(),
    issuedAt: Timestamp,
    completedAt: Timestamp,
    verificationCode: Type.String(),
    verificationUrl: Type.String({
      description: 'The public verification link (also in the PDF’s QR code).',
    }),
    pdfUrl: Type.String({ description: 'Path of the PDF download (signed-in learner or admin).' }),
    credential: Type.String({
      description:
        'The signed Open Badges 3.0 credential: a compact JWS (EdDSA, Ed25519; `kid` names the key).',
    }),
    revokedAt: Type.Union([Timestamp, Type.Null()]),
    revocationReason: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false, title: 'Certificate' },
);

export const CertificatePageSchema = PageSchema(CertificateSchema, 'CertificatePage');

export const VerificationSchema = Type.Object(
  {
    status: CertificateStatus,
    learnerName: Type.String(),
    courseTitle: Type.String(),
    instructorName: Type.String(),
    issuedAt: Timestamp,
    completedAt: Timestamp,
    credential: Type.String({
      description:
        'The signed credential (compact JWS): verify it offline with the keys of /.well-known/jwks.json.',
    }),
  },
  { additionalProperties: false, title: 'CertificateVerification' },
);

export const JwksSchema = Type.Object(
  {
    keys: Type.Array(
      Type.Object(
        {
          kty: Type.Literal('OKP'),
          crv: Type.Literal('Ed25519'),
          x: Type.String(),
          kid: Type.String(),
          alg: Type.Literal('EdDSA'),
          use: Type.Literal('sig'),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false, title: 'JsonWebKeySet' },
);

export const IfNoneMatchHeaders = Type.Object({
  'if-none-match': Type.Optional(
    Type.String({ description: 'An ETag from an earlier response: 304 Not Modified if it still matches.' }),
  ),
});
