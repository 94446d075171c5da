/**
 * The certificate's signed credential: an Open Badges 3.0 `OpenBadgeCredential` (a W3C Verifiable
 * Credential 2.0) secured as a compact JWS (VC-JOSE: the credential is the JWS payload) with Ed25519
 * (`alg: EdDSA`), the signing key named by `kid`. Anyone can check it offline against the keys
 * published at `/.well-known/jwks.json`.
 */
import { CompactSign, importJWK, type JWK } from 'jose';
import type { SigningKey } from '../../config.js';

export const CREDENTIAL_CONTEXTS = [
  'https://www.w3.org/ns/credentials/v2',
  'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json',
] as const;

/** The JWS header's `typ` (VC-JOSE-COSE). */
export const CREDENTIAL_JWS_TYPE = 'vc+jwt';

export interface CredentialFacts {
  verificationCode: string;
  verificationUrl: string;
  learnerName: string;
  courseTitle: string;
  courseUrl: string;
  instructorName: string;
  issuedAt: Date;
  completedAt: Date;
  issuerUrl: string;
}

/** The credential as signed (property order is fixed, so equal facts give equal bytes). */
export function buildCredential(facts: CredentialFacts) {
  return {
    '@context': [...CREDENTIAL_CONTEXTS],
    id: facts.verificationUrl,
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    name: `Certificate of completion: ${facts.courseTitle}`,
    issuer: { id: facts.issuerUrl, type: ['Profile'], name: 'Learning Platform' },
    validFrom: facts.issuedAt.toISOString(),
    credentialSubject: {
      type: ['AchievementSubject'],
      name: facts.learnerName,
      activityEndDate: facts.completedAt.toISOString(),
      achievement: {
        id: facts.courseUrl,
        type: ['Achievement'],
        achievementType: 'Certificate',
        name: facts.courseTitle,
        description: `Completion of the course "${facts.courseTitle}".`,
        criteria: { narrative: 'Completed every required lesson of the course.' },
        creator: { type: ['Profile'], name: facts.instructorName },
      },
    },
    verificationCode: facts.verificationCode,
  };
}

export type Credential = ReturnType<typeof buildCredential>;

/** A public key as published: no private part, whatever the configured JWK held. */
export interface PublicJwk {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
  kid: string;
  alg: 'EdDSA';
  use: 'sig';
}

export interface CredentialSigner {
  /** The compact JWS of `credential`, signed by the first configured key. */
  sign(credential: Credential): Promise<string>;
  /** Every configured key's public half (current and retired ones), for `/.well-known/jwks.json`. */
  jwks(): { keys: PublicJwk[] };
}

export function createCredentialSigner(keys: readonly SigningKey[]): CredentialSigner {
  const current = keys[0];
  if (!current) throw new Error('no certificate signing key configured');
  const published: PublicJwk[] = keys.map((key) => ({
    kty: 'OKP',
    crv: 'Ed25519',
    x: String(key.privateJwk.x),
    kid: key.kid,
    alg: 'EdDSA',
    use: 'sig',
  }));
  const privateKey = importJWK(current.privateJwk as JWK, 'EdDSA');
  const encoder = new TextEncoder();
  return {
    async sign(credential) {
      return new CompactSign(encoder.encode(JSON.stringify(credential)))
        .setProtectedHeader({ alg: 'EdDSA', kid: current.kid, typ: CREDENTIAL_JWS_TYPE, cty: 'vc' })
        .sign(await privateKey);
    },
    jwks: () => ({ keys: published.map((key) => ({ ...key })) }),
  };
}
