import { createHash, createPrivateKey, generateKeyPairSync, type JsonWebKey, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import dotenv from 'dotenv';

/**
 * The project root: the nearest folder above this file with a package.json. Found by walking up,
 * so it is right both from src/ and from the compiled copy scripts/run.mjs keeps in node_modules/.cache.
 */
export const projectRoot = findProjectRoot(path.dirname(fileURLToPath(import.meta.url)));

function findProjectRoot(from: string): string {
  let dir = from;
  for (;;) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'migrations'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return path.resolve(from, '..');
    dir = parent;
  }
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export interface Config {
  nodeEnv: 'development' | 'test' | 'production';
  host: string;
  port: number;
  logLevel: LogLevel;
  /** Unset means: start the embedded PostgreSQL server. */
  databaseUrl: string | undefined;
  databasePoolMax: number;
  /** Longest one API query may take (statement_timeout, then the connection is cut: client.ts). */
  databaseQueryTimeoutMs: number;
  embeddedPostgres: { port: number; dataDir: string };
  /** Apply pending migrations during `npm start`. */
  migrateOnStart: boolean;
  /** Load the demo data during `npm start` when the database has no users yet. */
  seedDemoOnStart: boolean;
  /** How long `db:migrate` waits for another migrator's advisory lock. */
  migrationLockTimeoutMs: number;
  redisUrl: string | undefined;
  jwtSecret: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlDays: number;
  passwordResetTtlMinutes: number;
  /** Unset: emails are written as .eml files under `.data/mail` (development) instead of being sent. */
  smtpUrl: string | undefined;
  mailFrom: string;
  /** Base URL of the front end, used in links inside emails (password reset). */
  publicAppUrl: string;
  rateLimit: {
    globalPerMinute: number;
    authPerMinute: number;
    /** `/health/*` outside the per-client limit (default true). */
    exemptHealthProbes?: boolean;
  };
  /** Lifetime of cached catalog responses; writes invalidate them sooner. */
  cacheTtlSeconds: number;
  bodyLimitBytes: number;
  shutdownTimeoutMs: number;
  /**
   * Which proxies' `X-Forwarded-For` entries to believe (Fastify's `trustProxy`): false (none), a hop
   * count, or the proxies' addresses and CIDR ranges. Never "every entry": the left-most is the client's.
   */
  trustProxy: false | number | string[];
  /** Where JWT_SECRET came from: set, generated into the data folder (development) or per process (test). */
  jwtSecretSource: 'environment' | 'data-folder' | 'process';
  /** Origins allowed to call the API from a browser (CORS); empty: none. */
  corsOrigins: string[];
  /** Bearer token `/metrics` requires; unset: open (as on a private network). */
  metricsToken: string | undefined;
  /** Sign-in throttling (auth.service.ts, the README's security section). */
  loginThrottle: LoginThrottle;
  /** The background job worker (src/infrastructure/jobs, the README's "Background jobs"). */
  jobs: JobsConfig;
  /** Days an expired refresh or password-reset token is kept before the hourly purge deletes it. */
  expiredTokenRetentionDays: number;
  /** Where files are kept (certificate PDFs, attachments): STORAGE_URL or S3_*. */
  storage: StorageConfig;
  /** Base URL of this API as the public reaches it: certificates' verification links and QR codes. */
  publicApiUrl: string;
  /** Ed25519 keys that sign certificates' credentials: the first signs, all are published (JWKS). */
  certificateSigningKeys: SigningKey[];
  /** Where CERTIFICATE_SIGNING_KEYS came from: set, generated into the data folder, or per process (test). */
  certificateSigningKeysSource: 'environment' | 'data-folder' | 'process';
}

export type StorageConfig =
  | { kind: 'local'; directory: string }
  | {
      kind: 's3';
      bucket: string;
      /** Prepended to every key (from `s3://bucket/prefix/`); empty or ending in `/`. */
      prefix: string;
      region: string;
      endpoint: string | undefined;
      accessKeyId: string | undefined;
      secretAccessKey: string | undefined;
      forcePathStyle: boolean;
    };

/** One Ed25519 private key as a JWK (`kty: OKP`, `crv: Ed25519`, `d`, `x`) with its key id. */
export interface SigningKey {
  kid: string;
  privateJwk: JsonWebKey;
}

export interface JobsConfig {
  /** Run a worker inside the API process (`npm start`); `npm run worker` runs one whatever this says. */
  workerEnabled: boolean;
  /** Jobs one worker runs at the same time. */
  concurrency: number;
  /** Jobs a worker fetches (and locks) per round trip when many are waiting. */
  fetchBatchSize: number;
}

export interface LoginThrottle {
  /** Failed sign-ins one address may make for one account per window before delays start. */
  freeFailuresPerAddress: number;
  /** Window of the per-address count, in seconds. */
  addressWindowSeconds: number;
  /** Longest delay one address waits between attempts, in seconds (delays double from 1 s). */
  maxDelaySeconds: number;
  /** Failed sign-ins per account per hour, from all addresses, before only clean addresses may try. */
  accountFailuresPerHour: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

function readString(env: Env, key: string): string | undefined {
  const value = env[key]?.trim();
  return value === '' ? undefined : value;
}

function readInt(env: Env, key: string, fallback: number, min: number, max: number): number {
  const raw = readString(env, key);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${key} must be a whole number from ${min} to ${max}, got "${raw}".`);
  }
  return value;
}

function readBool(env: Env, key: string, fallback: boolean): boolean {
  const raw = readString(env, key)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(`${key} must be true or false, got "${raw}".`);
}

function readUrl(env: Env, key: string, protocols: string[]): string | undefined {
  const raw = readString(env, key);
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${key} is not a valid URL (expected e.g. ${protocols[0]}//host:port/...).`);
  }
  if (!protocols.includes(url.protocol)) {
    throw new ConfigError(`${key} must start with ${protocols.join(' or ')}, got "${url.protocol}".`);
  }
  return raw;
}

/**
 * The secret every development server signed with before secrets were generated. It is public (it was
 * in this file), so it is refused wherever it comes from.
 */
export const RETIRED_DEVELOPMENT_JWT_SECRET = 'development-only-secret-do-not-use-in-production-0123456789';

/** Where a development server keeps its generated secret, so that tokens survive restarts. */
export const DEVELOPMENT_SECRET_FILE = path.join(projectRoot, '.data', 'jwt-secret');

/** Reads the development secret from `file`, creating it (random, owner-only) on first use. */
export function developmentSecretFrom(file: string): string {
  if (existsSync(file)) {
    const stored = readFileSync(file, 'utf8').trim();
    if (stored.length >= 32) return stored;
  }
  const secret = randomBytes(48).toString('base64url');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

let processSecret: string | undefined;

function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

const TRUST_PROXY_KEYWORDS = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** `TRUST_PROXY`: unset/false, a hop count, or a comma-separated list of addresses, CIDRs and keywords. */
function readTrustProxy(env: Env): false | number | string[] {
  const raw = readString(env, 'TRUST_PROXY');
  if (raw === undefined || ['false', 'no', 'off', '0'].includes(raw.toLowerCase())) return false;
  if (['true', 'yes', 'on'].includes(raw.toLowerCase())) {
    throw new ConfigError(
      'TRUST_PROXY=true would believe every X-Forwarded-For entry, and clients write the left-most ones themselves. ' +
        'Set the number of proxies in front of the API (1 behind one load balancer) or their addresses/CIDRs.',
    );
  }
  if (/^\d+$/.test(raw)) {
    const hops = Number(raw);
    if (hops < 1 || hops > 10)
      throw new ConfigError(`TRUST_PROXY hop count must be from 1 to 10, got "${raw}".`);
    return hops;
  }
  const entries = raw.split(',').map((entry) => entry.trim());
  for (const entry of entries) {
    const [address = '', prefix, extra] = entry.split('/');
    const family = isIP(address);
    const prefixOk =
      prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= (family === 6 ? 128 : 32));
    if (!TRUST_PROXY_KEYWORDS.has(entry) && (family === 0 || !prefixOk || extra !== undefined)) {
      throw new ConfigError(
        `TRUST_PROXY must be false, a hop count, or addresses/CIDRs separated by commas; "${entry}" is none of them.`,
      );
    }
  }
  return entries;
}

function readOrigins(env: Env, key: string): string[] {
  const raw = readString(env, key);
  if (raw === undefined) return [];
  return raw.split(',').map((entry) => {
    const origin = entry.trim();
    let url: URL | undefined;
    try {
      url = new URL(origin);
    } catch {
      url = undefined;
    }
    if (!url || !['http:', 'https:'].includes(url.protocol) || url.origin !== origin) {
      throw new ConfigError(
        `${key} must list origins like https://app.example.com separated by commas; got "${origin}".`,
      );
    }
    return origin;
  });
}

function readMetricsToken(env: Env): string | undefined {
  const token = readString(env, 'METRICS_TOKEN');
  if (token !== undefined && token.length < 16) {
    throw new ConfigError('METRICS_TOKEN must be at least 16 characters long.');
  }
  return token;
}

/** Where development servers keep files when STORAGE_URL is unset. */
export const DEVELOPMENT_FILES_DIR = path.join(projectRoot, '.data', 'files');
/** Where a development server keeps its generated certificate signing key. */
export const DEVELOPMENT_SIGNING_KEY_FILE = path.join(projectRoot, '.data', 'certificate-signing-key.jwk');

function readStorage(env: Env, nodeEnv: Config['nodeEnv']): StorageConfig {
  const url = readUrl(env, 'STORAGE_URL', ['file:', 's3:']);
  const bucketVar = readString(env, 'S3_BUCKET');
  const s3 = (bucket: string, prefix: string): StorageConfig => {
    const endpoint = readUrl(env, 'S3_ENDPOINT', ['http:', 'https:']);
    const accessKeyId = readString(env, 'S3_ACCESS_KEY_ID');
    const secretAccessKey = readString(env, 'S3_SECRET_ACCESS_KEY');
    if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
      throw new ConfigError(
        'S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together: set both, or neither to use the AWS default credentials (environment, instance or task role).',
      );
    }
    return {
      kind: 's3',
      bucket,
      prefix,
      region: readString(env, 'S3_REGION') ?? 'us-east-1',
      endpoint,
      accessKeyId,
      secretAccessKey,
      // MinIO and most S3-compatible servers want path-style URLs; AWS itself prefers virtual hosts.
      forcePathStyle: readBool(env, 'S3_FORCE_PATH_STYLE', endpoint !== undefined),
    };
  };
  if (url === undefined) {
    if (bucketVar !== undefined) return s3(bucketVar, '');
    return {
      kind: 'local',
      directory:
        nodeEnv === 'test'
          ? path.join(os.tmpdir(), `learning-platform-files-${process.pid}`)
          : DEVELOPMENT_FILES_DIR,
    };
  }
  const parsed = new URL(url);
  if (parsed.protocol === 'file:') {
    if (parsed.host !== '' && parsed.host !== 'localhost') {
      throw new ConfigError(
        'STORAGE_URL file URLs name a local folder: file:///var/lib/learning-platform/files',
      );
    }
    return { kind: 'local', directory: path.resolve(fileURLToPath(parsed)) };
  }
  if (parsed.hostname === '')
    throw new ConfigError('STORAGE_URL must name a bucket: s3://bucket or s3://bucket/prefix');
  const prefix = decodeURIComponent(parsed.pathname).replace(/^\/+/, '');
  return s3(parsed.hostname, prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`);
}

/** RFC 7638 thumbprint of an Ed25519 public key: the key id when a JWK has none. */
function thumbprint(jwk: JsonWebKey): string {
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x });
  return createHash('sha256').update(canonical).digest('base64url');
}

function signingKeyFrom(jwk: JsonWebKey & { kid?: string }, where: string): SigningKey {
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.d !== 'string' || typeof jwk.x !== 'string') {
    throw new ConfigError(
      `CERTIFICATE_SIGNING_KEYS: ${where} is not an Ed25519 private key (a JWK with kty "OKP", crv "Ed25519", d and x, or a PKCS#8 PEM).`,
    );
  }
  const kid = typeof jwk.kid === 'string' && jwk.kid !== '' ? jwk.kid : thumbprint(jwk);
  return { kid, privateJwk: { kty: 'OKP', crv: 'Ed25519', d: jwk.d, x: jwk.x } };
}

/**
 * CERTIFICATE_SIGNING_KEYS: a JWK, a JSON array of JWKs, `{"keys": [...]}`, or one or more PKCS#8
 * PEM blocks. The first key signs; every key is published, so credentials signed by a retired key
 * still verify. Rotation: put the new key first, keep the old ones after it.
 */
export function parseSigningKeys(raw: string): SigningKey[] {
  const text = raw.trim();
  let keys: SigningKey[];
  if (text.startsWith('-----BEGIN')) {
    const blocks = text.match(/-----BEGIN [A-Z ]+-----[\s\S]+?-----END [A-Z ]+-----/g) ?? [];
    keys = blocks.map((pem, index) => {
      let jwk: JsonWebKey;
      try {
        jwk = createPrivateKey(pem).export({ format: 'jwk' });
      } catch {
        throw new ConfigError(`CERTIFICATE_SIGNING_KEYS: PEM block ${index + 1} is not a private key.`);
      }
      return signingKeyFrom(jwk, `PEM block ${index + 1}`);
    });
  } else {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new ConfigError(
        'CERTIFICATE_SIGNING_KEYS must be a JWK, a JSON array of JWKs, {"keys": [...]} or PKCS#8 PEM blocks.',
      );
    }
    const list = Array.isArray(parsed)
      ? parsed
      : typeof parsed === 'object' && parsed !== null && Array.isArray((parsed as { keys?: unknown }).keys)
        ? (parsed as { keys: unknown[] }).keys
        : [parsed];
    keys = list.map((jwk, index) => signingKeyFrom(jwk as JsonWebKey, `key ${index + 1}`));
  }
  if (keys.length === 0) throw new ConfigError('CERTIFICATE_SIGNING_KEYS holds no key.');
  const kids = new Set(keys.map((key) => key.kid));
  if (kids.size !== keys.length)
    throw new ConfigError('CERTIFICATE_SIGNING_KEYS: two keys have the same kid.');
  return keys;
}

/** A new Ed25519 signing key as a JWK with its thumbprint as kid. */
export function generateSigningKey(): SigningKey {
  const { privateKey } = generateKeyPairSync('ed25519');
  return signingKeyFrom(privateKey.export({ format: 'jwk' }), 'the generated key');
}

/** Reads the development signing key from `file`, creating it (owner-only) on first use. */
export function developmentSigningKeysFrom(file: string): SigningKey[] {
  if (existsSync(file)) return parseSigningKeys(readFileSync(file, 'utf8'));
  const key = generateSigningKey();
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify({ ...key.privateJwk, kid: key.kid })}\n`, { mode: 0o600 });
  return [key];
}

let processSigningKeys: SigningKey[] | undefined;

const SIGNING_KEYS_REQUIRED =
  'CERTIFICATE_SIGNING_KEYS must be set in production: certificates are signed with it, and a key made up at ' +
  'start-up would make every credential issued before a restart unverifiable. Generate one Ed25519 key ' +
  "(`node -e \"const {generateKeyPairSync}=require('node:crypto');console.log(JSON.stringify(generateKeyPairSync('ed25519').privateKey.export({format:'jwk'})))\"`), " +
  'store it as a secret and set CERTIFICATE_SIGNING_KEYS to that JSON (or to a PKCS#8 PEM). To rotate, put a new ' +
  'key first in a JSON array and keep the old ones after it: the first signs, all are published at /.well-known/jwks.json.';

function readSigningKeys(
  env: Env,
  nodeEnv: Config['nodeEnv'],
  options: ParseConfigOptions,
): Pick<Config, 'certificateSigningKeys' | 'certificateSigningKeysSource'> {
  const raw = readString(env, 'CERTIFICATE_SIGNING_KEYS');
  if (raw !== undefined) {
    return { certificateSigningKeys: parseSigningKeys(raw), certificateSigningKeysSource: 'environment' };
  }
  if (nodeEnv === 'production') throw new ConfigError(SIGNING_KEYS_REQUIRED);
  if (nodeEnv === 'development' && options.developmentSigningKeys) {
    return {
      certificateSigningKeys: options.developmentSigningKeys(),
      certificateSigningKeysSource: 'data-folder',
    };
  }
  processSigningKeys ??= [generateSigningKey()];
  return { certificateSigningKeys: processSigningKeys, certificateSigningKeysSource: 'process' };
}

export interface ParseConfigOptions {
  /** Development secret when JWT_SECRET is unset; default: one random secret per process. */
  developmentSecret?: () => string;
  /** Development signing keys when CERTIFICATE_SIGNING_KEYS is unset; default: one per process. */
  developmentSigningKeys?: () => SigningKey[];
}

/** Parses and validates settings. Pure: takes the environment as an argument so tests can call it. */
export function parseConfig(env: Env, options: ParseConfigOptions = {}): Config {
  const nodeEnvRaw = readString(env, 'NODE_ENV') ?? 'development';
  if (nodeEnvRaw !== 'development' && nodeEnvRaw !== 'test' && nodeEnvRaw !== 'production') {
    throw new ConfigError(`NODE_ENV must be development, test or production, got "${nodeEnvRaw}".`);
  }
  const nodeEnv = nodeEnvRaw;

  const logLevel = (readString(env, 'LOG_LEVEL') ?? (nodeEnv === 'test' ? 'silent' : 'info')) as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}".`);
  }

  const databaseUrl = readUrl(env, 'DATABASE_URL', ['postgresql:', 'postgres:']);
  const host = readString(env, 'HOST') ?? '127.0.0.1';
  let jwtSecret = readString(env, 'JWT_SECRET');
  let jwtSecretSource: Config['jwtSecretSource'] = 'environment';
  if (jwtSecret === undefined) {
    if (nodeEnv === 'production') {
      throw new ConfigError('JWT_SECRET must be set in production (at least 32 random characters).');
    }
    if (!isLoopbackHost(host)) {
      throw new ConfigError(
        `JWT_SECRET must be set when HOST=${host} is reachable from other machines (at least 32 random characters, e.g. from \`openssl rand -base64 48\`).`,
      );
    }
    if (nodeEnv === 'development' && options.developmentSecret) {
      jwtSecret = options.developmentSecret();
      jwtSecretSource = 'data-folder';
    } else {
      processSecret ??= randomBytes(48).toString('base64url');
      jwtSecret = processSecret;
      jwtSecretSource = 'process';
    }
  }
  if (jwtSecret.length < 32) {
    throw new ConfigError('JWT_SECRET must be at least 32 characters long.');
  }
  if (jwtSecret === RETIRED_DEVELOPMENT_JWT_SECRET) {
    throw new ConfigError(
      'JWT_SECRET is the old built-in development secret, which is public: choose another.',
    );
  }

  const dataDir = readString(env, 'EMBEDDED_PG_DATA_DIR') ?? '.data/postgres';

  return {
    nodeEnv,
    host,
    port: readInt(env, 'PORT', 3000, 0, 65535),
    logLevel,
    databaseUrl,
    databasePoolMax: readInt(env, 'DATABASE_POOL_MAX', 20, 1, 1000),
    databaseQueryTimeoutMs: readInt(env, 'DATABASE_QUERY_TIMEOUT_MS', 10_000, 100, 3_600_000),
    embeddedPostgres: {
      port: readInt(env, 'EMBEDDED_PG_PORT', 54329, 1, 65535),
      dataDir: path.resolve(projectRoot, dataDir),
    },
    // Zero-config local runs migrate themselves; a production deploy runs `db:migrate` as its own step.
    migrateOnStart: readBool(env, 'MIGRATE_ON_START', databaseUrl === undefined),
    // Only the zero-config path: a new user can try the API at once; real databases are never seeded implicitly.
    seedDemoOnStart: readBool(env, 'SEED_DEMO_ON_START', databaseUrl === undefined),
    migrationLockTimeoutMs: readInt(env, 'MIGRATION_LOCK_TIMEOUT_MS', 60_000, 0, 3_600_000),
    redisUrl: readUrl(env, 'REDIS_URL', ['redis:', 'rediss:']),
    jwtSecret,
    jwtSecretSource,
    accessTokenTtlSeconds: readInt(env, 'ACCESS_TOKEN_TTL_SECONDS', 900, 30, 86_400),
    refreshTokenTtlDays: readInt(env, 'REFRESH_TOKEN_TTL_DAYS', 30, 1, 365),
    passwordResetTtlMinutes: readInt(env, 'PASSWORD_RESET_TTL_MINUTES', 30, 5, 1440),
    smtpUrl: readUrl(env, 'SMTP_URL', ['smtp:', 'smtps:']),
    mailFrom: readString(env, 'MAIL_FROM') ?? 'Learning Platform <no-reply@learningplatform.dev>',
    publicAppUrl: readUrl(env, 'PUBLIC_APP_URL', ['http:', 'https:']) ?? 'http://localhost:5173',
    rateLimit: {
      globalPerMinute: readInt(env, 'RATE_LIMIT_GLOBAL_PER_MINUTE', 1_000, 1, 10_000_000),
      authPerMinute: readInt(env, 'RATE_LIMIT_AUTH_PER_MINUTE', 10, 1, 100_000),
      exemptHealthProbes: readBool(env, 'RATE_LIMIT_EXEMPT_HEALTH', true),
    },
    cacheTtlSeconds: readInt(env, 'CACHE_TTL_SECONDS', 60, 1, 86_400),
    bodyLimitBytes: readInt(env, 'BODY_LIMIT_BYTES', 1_048_576, 1024, 104_857_600),
    shutdownTimeoutMs: readInt(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
    trustProxy: readTrustProxy(env),
    corsOrigins: readOrigins(env, 'CORS_ORIGINS'),
    metricsToken: readMetricsToken(env),
    loginThrottle: {
      freeFailuresPerAddress: readInt(env, 'LOGIN_FREE_FAILURES_PER_ADDRESS', 5, 1, 1000),
      addressWindowSeconds: 15 * 60,
      maxDelaySeconds: readInt(env, 'LOGIN_MAX_DELAY_SECONDS', 900, 1, 86_400),
      accountFailuresPerHour: readInt(env, 'LOGIN_ACCOUNT_FAILURES_PER_HOUR', 100, 1, 1_000_000),
    },
    jobs: {
      // Test apps run no worker unless a test asks for one (and closes it with the app).
      workerEnabled: readBool(env, 'WORKER_ENABLED', nodeEnv !== 'test'),
      concurrency: readInt(env, 'WORKER_CONCURRENCY', 4, 1, 100),
      fetchBatchSize: readInt(env, 'WORKER_FETCH_BATCH', 200, 1, 1_000),
    },
    expiredTokenRetentionDays: readInt(env, 'EXPIRED_TOKEN_RETENTION_DAYS', 7, 0, 3_650),
    storage: readStorage(env, nodeEnv),
    publicApiUrl: (readUrl(env, 'PUBLIC_API_URL', ['http:', 'https:']) ?? 'http://localhost:3000').replace(
      /\/+$/,
      '',
    ),
    ...readSigningKeys(env, nodeEnv, options),
  };
}

let loaded: Config | undefined;

/**
 * The one place that reads process.env. Loads `.env` from the project root if present;
 * variables already set in the environment win.
 */
export function loadConfig(): Config {
  if (loaded) return loaded;
  const envFile = path.join(projectRoot, '.env');
  if (existsSync(envFile)) dotenv.config({ path: envFile, quiet: true } as dotenv.DotenvConfigOptions);
  loaded = parseConfig(process.env, {
    developmentSecret: () => developmentSecretFrom(DEVELOPMENT_SECRET_FILE),
    developmentSigningKeys: () => developmentSigningKeysFrom(DEVELOPMENT_SIGNING_KEY_FILE),
  });
  return loaded;
}

/** Reads a single raw variable for tooling that is not app configuration (test harness, bench). */
export function readEnv(key: string): string | undefined {
  return readString(process.env, key);
}
