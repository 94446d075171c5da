/**
 * The certificates module: a certificate for every completed enrollment (issued once, by a durable
 * subscriber of `enrollment.completed`: issuance.ts), its PDF (rendered once, kept in file storage),
 * its signed Open Badges 3.0 credential (Ed25519 JWS, keys published at /.well-known/jwks.json), the
 * public verification by code and the admins' revocation. It is the one owner of the `certificates`
 * table; the learner's `certificate_issued` notification is written through the notifications module.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Database } from '../../infrastructure/database/client/client.js';
import type { FileStorage } from '../../infrastructure/storage/file-storage.js';
import { certificateKeyRoutes, certificateRoutes } from './certificates.routes.js';
import { createCertificatesService } from './certificates.service.js';
import type { CredentialSigner } from './credential.js';
import type { VerificationCache } from './verification-cache.js';

/** Exactly what the certificates module needs from the composition root. */
export interface CertificatesModuleDependencies {
  db: Database;
  storage: FileStorage;
  /** The instance revocations invalidate and verifications read. */
  verificationCache: VerificationCache;
  publicApiUrl: string;
  /** Where the module is mounted (`/api/v1`), for the PDF links in its answers. */
  apiPrefix: string;
}

export const certificatesModule: FastifyPluginAsyncTypebox<CertificatesModuleDependencies> = async (
  app,
  deps,
) => {
  await app.register(certificateRoutes, { certificates: createCertificatesService(deps) });
};

/** The JWKS route, registered at the root (not under `/api/v1`). */
export const certificateKeysModule: FastifyPluginAsyncTypebox<{ signer: CredentialSigner }> = async (
  app,
  { signer },
) => {
  await app.register(certificateKeyRoutes, { signer });
};
