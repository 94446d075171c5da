import { existsSync } from 'node:fs';
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
  rateLimit: { globalPerMinute: number; authPerMinute: number };
  /** Lifetime of cached catalog responses; writes invalidate them sooner. */
  cacheTtlSeconds: number;
  bodyLimitBytes: number;
  shutdownTimeoutMs: number;
  trustProxy: boolean;
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

// A fixed development secret keeps tokens valid across restarts and instances in development;
// production refuses to start without a real one.
const DEVELOPMENT_JWT_SECRET = 'development-only-secret-do-not-use-in-production-0123456789';

/** Parses and validates settings. Pure: takes the environment as an argument so tests can call it. */
export function parseConfig(env: Env): Config {
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
  const jwtSecret =
    readString(env, 'JWT_SECRET') ?? (nodeEnv === 'production' ? undefined : DEVELOPMENT_JWT_SECRET);
  if (jwtSecret === undefined) {
    throw new ConfigError('JWT_SECRET must be set in production (at least 32 random characters).');
  }
  if (jwtSecret.length < 32) {
    throw new ConfigError('JWT_SECRET must be at least 32 characters long.');
  }

  const dataDir = readString(env, 'EMBEDDED_PG_DATA_DIR') ?? '.data/postgres';

  return {
    nodeEnv,
    host: readString(env, 'HOST') ?? '127.0.0.1',
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
    accessTokenTtlSeconds: readInt(env, 'ACCESS_TOKEN_TTL_SECONDS', 900, 30, 86_400),
    refreshTokenTtlDays: readInt(env, 'REFRESH_TOKEN_TTL_DAYS', 30, 1, 365),
    passwordResetTtlMinutes: readInt(env, 'PASSWORD_RESET_TTL_MINUTES', 30, 5, 1440),
    smtpUrl: readUrl(env, 'SMTP_URL', ['smtp:', 'smtps:']),
    mailFrom: readString(env, 'MAIL_FROM') ?? 'Learning Platform <no-reply@learningplatform.dev>',
    publicAppUrl: readUrl(env, 'PUBLIC_APP_URL', ['http:', 'https:']) ?? 'http://localhost:5173',
    rateLimit: {
      globalPerMinute: readInt(env, 'RATE_LIMIT_GLOBAL_PER_MINUTE', 1_000, 1, 10_000_000),
      authPerMinute: readInt(env, 'RATE_LIMIT_AUTH_PER_MINUTE', 10, 1, 100_000),
    },
    cacheTtlSeconds: readInt(env, 'CACHE_TTL_SECONDS', 60, 1, 86_400),
    bodyLimitBytes: readInt(env, 'BODY_LIMIT_BYTES', 1_048_576, 1024, 104_857_600),
    shutdownTimeoutMs: readInt(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
    trustProxy: readBool(env, 'TRUST_PROXY', false),
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
  loaded = parseConfig(process.env);
  return loaded;
}

/** Reads a single raw variable for tooling that is not app configuration (test harness, bench). */
export function readEnv(key: string): string | undefined {
  return readString(process.env, key);
}
