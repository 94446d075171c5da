import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ConfigError,
  developmentSigningKeysFrom,
  generateSigningKey,
  parseConfig,
  parseSigningKeys,
} from '../../src/config.js';
import { createCredentialSigner } from '../../src/modules/certificates/index.js';

const PRODUCTION = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgresql://db/app',
  JWT_SECRET: 'a-production-secret-of-at-least-32-characters',
};
const jwkOf = (kid?: string) =>
  JSON.stringify({ ...generateSigningKey().privateJwk, ...(kid ? { kid } : {}) });

describe('CERTIFICATE_SIGNING_KEYS', () => {
  const folder = mkdtempSync(path.join(tmpdir(), 'lp-signing-key-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('is required in production, with one paragraph saying how to make and rotate one', () => {
    expect(() => parseConfig(PRODUCTION)).toThrow(ConfigError);
    expect(() => parseConfig(PRODUCTION)).toThrow(
      /CERTIFICATE_SIGNING_KEYS must be set in production.*rotate/s,
    );
    expect(parseConfig({ ...PRODUCTION, CERTIFICATE_SIGNING_KEYS: jwkOf('k1') })).toMatchObject({
      certificateSigningKeys: [{ kid: 'k1' }],
      certificateSigningKeysSource: 'environment',
    });
  });

  it('takes a JWK, an array (the first signs), {"keys": [...]} or PKCS#8 PEM blocks; a JWK without kid gets its thumbprint', () => {
    const [a, b] = [jwkOf('new'), jwkOf('old')];
    expect(parseSigningKeys(`[${a},${b}]`).map((key) => key.kid)).toEqual(['new', 'old']);
    expect(parseSigningKeys(`{"keys":[${a}]}`).map((key) => key.kid)).toEqual(['new']);
    const pems = [1, 2]
      .map(() => generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }))
      .join('\n');
    const fromPem = parseSigningKeys(pems);
    expect(fromPem).toHaveLength(2);
    expect(fromPem[0]!.kid).toMatch(/^[\w-]{43}$/);
    const signer = createCredentialSigner(parseSigningKeys(`[${a},${b}]`));
    expect(signer.jwks().keys.map((key) => key.kid)).toEqual(['new', 'old']);
    expect(JSON.stringify(signer.jwks())).not.toContain('"d"');
  });

  it('refuses what is not an Ed25519 private key, empty lists and duplicate kids', () => {
    const rsa = JSON.stringify(
      generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }),
    );
    const publicOnly = JSON.stringify({ ...JSON.parse(jwkOf()), d: undefined });
    for (const bad of ['not json', rsa, publicOnly, '[]', `[${jwkOf('x')},${jwkOf('x')}]`]) {
      expect(() => parseSigningKeys(bad), bad.slice(0, 30)).toThrow(ConfigError);
    }
  });

  it('development generates one key into the data folder (owner-only) and reuses it', () => {
    const file = path.join(folder, '.data', 'certificate-signing-key.jwk');
    const first = developmentSigningKeysFrom(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(developmentSigningKeysFrom(file)).toEqual(first);
    expect(JSON.parse(readFileSync(file, 'utf8')).kid).toBe(first[0]!.kid);
    const config = parseConfig(
      { NODE_ENV: 'development', DATABASE_URL: 'postgresql://localhost/x' },
      { developmentSigningKeys: () => developmentSigningKeysFrom(file) },
    );
    expect(config.certificateSigningKeysSource).toBe('data-folder');
    expect(config.certificateSigningKeys).toEqual(first);
  });
});

describe('STORAGE_URL and S3_*', () => {
  const base = { NODE_ENV: 'development', DATABASE_URL: 'postgresql://localhost/x' };

  it('defaults to the local data folder (a temporary one in tests)', () => {
    expect(parseConfig(base).storage).toEqual({
      kind: 'local',
      directory: expect.stringMatching(/\.data\/files$/),
    });
    expect(parseConfig({ ...base, NODE_ENV: 'test' }).storage.kind).toBe('local');
  });

  it('file:///path is a local folder; s3://bucket/prefix with S3_* is S3 or MinIO', () => {
    expect(parseConfig({ ...base, STORAGE_URL: 'file:///var/lib/lp/files' }).storage).toEqual({
      kind: 'local',
      directory: '/var/lib/lp/files',
    });
    expect(
      parseConfig({
        ...base,
        STORAGE_URL: 's3://lp-files/prod',
        S3_ENDPOINT: 'http://localhost:9000',
        S3_ACCESS_KEY_ID: 'minioadmin',
        S3_SECRET_ACCESS_KEY: 'minioadmin',
      }).storage,
    ).toEqual({
      kind: 's3',
      bucket: 'lp-files',
      prefix: 'prod/',
      region: 'us-east-1',
      endpoint: 'http://localhost:9000',
      accessKeyId: 'minioadmin',
      secretAccessKey: 'minioadmin',
      forcePathStyle: true,
    });
    expect(parseConfig({ ...base, S3_BUCKET: 'b', S3_REGION: 'eu-west-1' }).storage).toMatchObject({
      kind: 's3',
      bucket: 'b',
      prefix: '',
      region: 'eu-west-1',
      endpoint: undefined,
      forcePathStyle: false,
    });
  });

  it('refuses other schemes, a missing bucket and half a credential', () => {
    expect(() => parseConfig({ ...base, STORAGE_URL: 'ftp://x/y' })).toThrow(
      /STORAGE_URL must start with file: or s3:/,
    );
    expect(() => parseConfig({ ...base, STORAGE_URL: 's3:///nothing' })).toThrow(ConfigError);
    expect(() => parseConfig({ ...base, S3_BUCKET: 'b', S3_ACCESS_KEY_ID: 'only-the-id' })).toThrow(
      /S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together/,
    );
  });
});
