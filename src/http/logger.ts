import type { FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import type { Config } from '../config.js';

/** Fastify's `logger` option in object form: pino options plus Fastify's `stream`/`file`. */
export type LoggerOptions = Exclude<FastifyServerOptions['logger'], boolean | undefined>;

export const REDACT_CENSOR = '[REDACTED]';

const SECRET_FIELDS = [
  'password',
  'currentPassword',
  'newPassword',
  'token',
  'accessToken',
  'refreshToken',
  'secret',
];

/**
 * Paths pino replaces with `[REDACTED]`: credentials in headers, and secret-looking fields at the top
 * level of a log object and up to three levels below it (`user.password`, `body.user.password`, ...).
 * Arrays count as a level (`items.0.token` is covered by `*.*.token`).
 */
export const REDACT_PATHS: string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'headers["set-cookie"]',
  '*.headers.authorization',
  '*.headers.cookie',
  '*.headers["set-cookie"]',
  ...SECRET_FIELDS.flatMap((field) => [field, `*.${field}`, `*.*.${field}`, `*.*.*.${field}`]),
];

/** Query parameters whose values never reach the logs (`?token=...`, `?access_token=...`, ...). */
const SECRET_QUERY_PARAM = /([?&](?:[^=&#]*(?:token|password|secret|signature|api[-_]?key))=)[^&#]*/gi;

export function redactUrl(url: string): string {
  return url.includes('?') ? url.replace(SECRET_QUERY_PARAM, `$1${REDACT_CENSOR}`) : url;
}

/**
 * Fastify's request: method, url (secret query values redacted), request id, client address — no
 * headers. Anything else logged under `req` is left to the redaction paths.
 */
export const requestSerializer = (request: FastifyRequest) => {
  const candidate = request as Partial<FastifyRequest> | undefined;
  if (typeof candidate?.url !== 'string' || typeof candidate.method !== 'string') {
    return request as unknown as Record<string, unknown>;
  }
  return {
    method: candidate.method,
    url: redactUrl(candidate.url),
    requestId: candidate.id,
    remoteAddress: candidate.ip,
  };
};

export const replySerializer = (reply: Pick<FastifyReply, 'statusCode'>) => {
  const candidate = reply as Partial<FastifyReply> | undefined;
  if (typeof candidate?.statusCode !== 'number') return reply as unknown as Record<string, unknown>;
  return { statusCode: candidate.statusCode };
};

const LEVEL_ORDER = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

/**
 * Log level for chatty routes (probes, metrics, docs): `minimum`, unless the application is
 * configured quieter. A route's `logLevel` replaces the application's, so `'warn'` alone would
 * make a silent (test) or error-only application log those routes' warnings.
 */
export function quietRouteLogLevel(
  applicationLevel: string,
  minimum: Config['logLevel'] = 'warn',
): Config['logLevel'] {
  const current = LEVEL_ORDER.indexOf(applicationLevel);
  return current > LEVEL_ORDER.indexOf(minimum) ? (applicationLevel as Config['logLevel']) : minimum;
}

function wantsPrettyOutput(config: Pick<Config, 'nodeEnv'>): boolean {
  return config.nodeEnv === 'development' && process.stdout.isTTY === true;
}

/**
 * Pino options for Fastify's `logger` option. Fastify adds `responseTime` to its "request
 * completed" line and binds `requestId` (see `requestIdLogLabel` in app.ts) to every request's logger.
 * `overrides` is merged last (tests pass a `stream` to capture output).
 */
export function buildLoggerOptions(
  config: Pick<Config, 'logLevel' | 'nodeEnv'>,
  overrides: Partial<LoggerOptions> = {},
): LoggerOptions {
  const options: LoggerOptions = {
    level: config.logLevel,
    redact: { paths: REDACT_PATHS, censor: REDACT_CENSOR },
    serializers: {
      req: requestSerializer,
      res: replySerializer,
    },
  };
  // pino-pretty is a devDependency: only referenced when someone is watching a terminal.
  if (wantsPrettyOutput(config) && overrides.stream === undefined) {
    options.transport = {
      target: 'pino-pretty',
      options: { translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname', singleLine: false },
    };
  }
  return { ...options, ...overrides };
}
