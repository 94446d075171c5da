import { createHmac } from 'node:crypto';

/** Hand-made JWTs for attacks on the access-token check: other algorithms, other keys, edited claims. */

type Claims = Record<string, unknown>;

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export function decodeJwt(token: string): { header: Claims; payload: Claims; signature: string } {
  const [header = '', payload = '', signature = ''] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as Claims,
    payload: JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Claims,
    signature,
  };
}

const HMAC_DIGESTS = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' } as const;

/**
 * A token whose header says `header.alg` (default HS256), signed with HMAC-`digestAlg` and `secret`.
 * `digestAlg` may differ from the header (algorithm confusion: an RS256 header over an HS256 MAC).
 */
export function signJwt(
  payload: Claims,
  secret: string,
  header: Claims = { alg: 'HS256', typ: 'JWT' },
  digestAlg: keyof typeof HMAC_DIGESTS = 'HS256',
): string {
  const signingInput = `${encode(header)}.${encode(payload)}`;
  const signature = createHmac(HMAC_DIGESTS[digestAlg], secret).update(signingInput).digest('base64url');
  return `${signingInput}.${signature}`;
}

/** `alg: none`: no signature at all. */
export function unsignedJwt(payload: Claims): string {
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode(payload)}.`;
}

/** The token with its payload replaced but the original signature kept. */
export function withPayload(token: string, payload: Claims): string {
  const [header, , signature] = token.split('.');
  return `${header}.${encode(payload)}.${signature}`;
}

/** Invalid variants of a genuine token, each of which the API must answer with 401. */
export function forgedVariants(genuine: string, secret: string): Array<{ name: string; token: string }> {
  const { header, payload, signature } = decodeJwt(genuine);
  const now = Math.floor(Date.now() / 1000);
  // A character in the middle: the last one of a base64url HMAC carries unused bits, and changing
  // only those yields the same signature bytes (a valid token, not a forgery).
  const middle = Math.floor(signature.length / 2);
  const flipped = `${signature.slice(0, middle)}${signature[middle] === 'A' ? 'B' : 'A'}${signature.slice(middle + 1)}`;
  const [encodedHeader, encodedPayload] = genuine.split('.');
  return [
    { name: 'wrong secret', token: signJwt(payload, `${secret}-but-not-quite-the-same-secret`, header) },
    { name: 'alg none', token: unsignedJwt(payload) },
    {
      name: 'alg none, genuine signature',
      token: `${encode({ alg: 'none' })}.${genuine.split('.')[1]}.${signature}`,
    },
    { name: 'HS512 header', token: signJwt(payload, secret, { alg: 'HS512', typ: 'JWT' }, 'HS512') },
    { name: 'RS256 header over an HMAC', token: signJwt(payload, secret, { alg: 'RS256', typ: 'JWT' }) },
    { name: 'tampered role', token: withPayload(genuine, { ...payload, role: 'admin' }) },
    {
      name: 'tampered token version',
      token: withPayload(genuine, { ...payload, tv: Number(payload.tv) + 1 }),
    },
    { name: 'tampered signature', token: `${encodedHeader}.${encodedPayload}.${flipped}` },
    { name: 'expired', token: signJwt({ ...payload, iat: now - 7200, exp: now - 3600 }, secret, header) },
    { name: 'not yet valid', token: signJwt({ ...payload, nbf: now + 3600 }, secret, header) },
    { name: 'wrong audience', token: signJwt({ ...payload, aud: 'another-api' }, secret, header) },
    { name: 'wrong issuer', token: signJwt({ ...payload, iss: 'someone-else' }, secret, header) },
    {
      name: 'no expiry',
      token: signJwt(
        Object.fromEntries(Object.entries(payload).filter(([k]) => k !== 'exp')),
        secret,
        header,
      ),
    },
    {
      name: 'no token version',
      token: signJwt(Object.fromEntries(Object.entries(payload).filter(([k]) => k !== 'tv')), secret, header),
    },
    { name: 'sub not a uuid', token: signJwt({ ...payload, sub: "' OR 1=1 --" }, secret, header) },
    {
      name: 'sub of nobody',
      token: signJwt({ ...payload, sub: '00000000-0000-4000-8000-000000000000' }, secret, header),
    },
    { name: 'two signatures', token: `${genuine}.${signature}` },
    { name: 'header only', token: genuine.split('.')[0] ?? '' },
  ];
}
