import { createSigner, createVerifier } from 'fast-jwt';
import { UUID_REGEX } from '../../shared/uuid.js';
import type { Role } from '../database/schema/index.js';

/** What an access token says about its holder. `tv` must equal users.token_version to be honoured. */
export interface AccessTokenClaims {
  sub: string;
  role: Role;
  tv: number;
}

/** A token's claims once verified, with its expiry (`exp`, seconds since the epoch). */
export interface VerifiedAccessToken extends AccessTokenClaims {
  exp: number;
}

export interface AccessTokens {
  /** Lifetime in seconds, as reported to clients (`expiresIn`). */
  ttlSeconds: number;
  sign(claims: AccessTokenClaims): string;
  /** The claims of a valid token, or null for anything else (expired, forged, wrong algorithm, malformed). */
  verify(token: string): VerifiedAccessToken | null;
}

const ISSUER = 'learning-platform';
const AUDIENCE = 'learning-platform-api';

/** Short-lived HS256 JWTs. Only HS256 is accepted, so `alg: none` and algorithm confusion fail. */
export function createAccessTokens(secret: string, ttlSeconds: number): AccessTokens {
  const signer = createSigner({
    key: secret,
    // Stryker disable next-line StringLiteral: equivalent, fast-jwt signs HS256 with a string key when none is named (a test pins the header)
    algorithm: 'HS256',
    expiresIn: ttlSeconds * 1000,
    iss: ISSUER,
    aud: AUDIENCE,
  });
  const verifier = createVerifier({
    key: secret,
    algorithms: ['HS256'],
    allowedIss: ISSUER,
    allowedAud: AUDIENCE,
    requiredClaims: ['sub', 'exp', 'tv', 'role'],
    // Verifying the same token again (every request of a session) skips the HMAC and JSON work.
    cache: 10_000,
  });
  return {
    ttlSeconds,
    sign: (claims) => signer({ ...claims }),
    verify(token) {
      try {
        const payload = verifier(token) as Partial<VerifiedAccessToken>;
        if (
          typeof payload.sub !== 'string' ||
          // The subject is looked up as a users.id (uuid): anything else would be a database error, not a 401.
          !UUID_REGEX.test(payload.sub) ||
          typeof payload.tv !== 'number' ||
          typeof payload.role !== 'string'
        ) {
          return null;
        }
        // `exp`: a required claim, and the verifier checked it against the clock (a number).
        return { sub: payload.sub, role: payload.role as Role, tv: payload.tv, exp: payload.exp as number };
      } catch {
        return null;
      }
    },
  };
}
