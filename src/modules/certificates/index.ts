/** The certificates module's public surface: what the composition root and other modules may use. */
export { type CertificateFacts, certificateUrls } from './certificate-facts.js';
export {
  type CertificatesModuleDependencies,
  certificateKeysModule,
  certificatesModule,
} from './certificates.module.js';
export { buildCredential, type CredentialSigner, createCredentialSigner } from './credential.js';
export { type CertificateIssuer, createCertificateIssuer, newVerificationCode } from './issuance.js';
export { createVerificationCache, type VerificationCache } from './verification-cache.js';
