import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  LogController,
  type RawReplyDefaultExpression,
  type RawRequestDefaultExpression,
  type RawServerDefault,
} from 'fastify';
import type { Redis } from 'ioredis';
import type { Config } from './config.js';
import { authenticatePlugin } from './http/authenticate.js';
import { deferredChildLoggerFactory } from './http/deferred-child-logger.js';
import { errorHandlerPlugin, handleFrameworkError } from './http/error-handler.js';
import { finiteNumbersPlugin } from './http/finite-numbers.js';
import { buildLoggerOptions, type LoggerOptions } from './http/logger.js';
import { metricsPlugin } from './http/metrics.js';
import { openApiPlugin } from './http/openapi.js';
import { registerRateLimit } from './http/rate-limit.js';
import { REQUEST_ID_HEADER, requestIdFor } from './http/request-id.js';
import { registerSecurityHeaders } from './http/security-headers.js';
import type { Cache } from './infrastructure/cache/cache.js';
import { MemoryCache } from './infrastructure/cache/memory-cache.js';
import { RedisCache } from './infrastructure/cache/redis-cache.js';
import type { Database, DatabaseClient } from './infrastructure/database/client.js';
import { createFixedWindows, type FixedWindowStore } from './infrastructure/fixed-window.js';
import type { Mailer } from './infrastructure/mail/mailer.js';
import { createRateLimiter, type RateLimiter } from './infrastructure/rate-limiter.js';
import { type AccessTokens, createAccessTokens } from './infrastructure/security/access-tokens.js';
import { authRoutes } from './modules/auth/auth.routes.js';
import { catalogRoutes } from './modules/catalog/catalog.routes.js';
import { createCatalogCache } from './modules/catalog/catalog-cache.js';
import { createInstructorRenames } from './modules/catalog/instructor-renames.js';
import { courseRoutes } from './modules/courses/courses.routes.js';
import { healthRoutes } from './modules/health/health.routes.js';
import { createUserCache, type UserCache } from './modules/users/user-cache.js';
import { usersRoutes } from './modules/users/users.routes.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Validated settings (src/config.ts). */
    config: Config;
    /** Drizzle over the application's pool. Routes hand it to services; they never build SQL. */
    db: Database;
  }
}

/** The application instance, typed with the TypeBox provider so route schemas type handlers. */
export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export interface AppDependencies {
  config: Config;
  database: DatabaseClient;
  /**
   * `false` disables logging; `true` or unset logs with the options from config; an object is merged
   * over them (e.g. `{ level: 'info', stream }` to capture logs in a test).
   */
  logger?: boolean | Partial<LoggerOptions>;
  /** Close the database pool when the app closes. Default false: whoever created the pool closes it. */
  ownsDatabase?: boolean;
  /** Shared state across instances (cache, rate limits, fan-out); in-process fallbacks when absent. */
  redis?: Redis;
  mailer: Mailer;
}

/** What the composition root builds once and hands to the modules that need it. */
export interface SharedServices {
  accessTokens: AccessTokens;
  cache: Cache;
  /** The fixed-window counters behind both the per-request limiter and `rateLimiter`. */
  windows: FixedWindowStore;
  rateLimiter: RateLimiter;
  /** Users' auth state and /me view: read by the auth guard, invalidated by every user write. */
  userCache: UserCache;
}

function createSharedServices(deps: AppDependencies): SharedServices {
  const { config, redis } = deps;
  const cache = redis ? new RedisCache(redis) : new MemoryCache();
  const windows = createFixedWindows(redis);
  return {
    accessTokens: createAccessTokens(config.jwtSecret, config.accessTokenTtlSeconds),
    cache,
    windows,
    rateLimiter: createRateLimiter(windows),
    userCache: createUserCache({ db: deps.database.db, cache }),
  };
}

export const API_PREFIX = '/api/v1';
function loggerOption(config: Config, logger: AppDependencies['logger']): false | LoggerOptions {
  if (logger === false) return false;
  return buildLoggerOptions(config, logger === true || logger === undefined ? {} : logger);
}

/**
 * Feature modules, registered under `/api/v1` in their own encapsulated context. Add each as
 * `await api.register(courseRoutes)`; its routes, hooks and decorators stay inside that context,
 * while the error handler, request ids, metrics and OpenAPI apply to it from the root.
 */
const registerModules: FastifyPluginAsyncTypebox<{ deps: AppDependencies; shared: SharedServices }> = async (
  api,
  { deps, shared },
) => {
  await api.register(authRoutes, {
    config: deps.config,
    db: deps.database.db,
    accessTokens: shared.accessTokens,
    rateLimiter: shared.rateLimiter,
    mailer: deps.mailer,
    userCache: shared.userCache,
  });
  // One instance for the catalog (reads, fills) and every writer that changes what it shows.
  const catalogCache = createCatalogCache(shared.cache, deps.config.cacheTtlSeconds);
  await api.register(usersRoutes, {
    db: deps.database.db,
    userCache: shared.userCache,
    catalog: createInstructorRenames(deps.database.db, catalogCache),
  });
  await api.register(catalogRoutes, { db: deps.database.db, catalogCache });
  await api.register(courseRoutes, { db: deps.database.db, catalogInvalidation: catalogCache });
};

/**
 * While the app closes: responses to requests still in flight carry `Connection: close` (the onSend
 * hook), since close() reaps only the keep-alive connections idle at that moment and one that turns
 * idle afterwards would hold the shutdown open until keepAliveTimeout. And the connections idle at that
 * moment are closed after `graceMs` rather than at once: a request a client is sending on one right
 * then is answered (503 with `Connection: close`) instead of being cut off by a connection reset.
 * Node's `server.close()` reaps idle connections through the instance's `closeIdleConnections`.
 */
function closeKeepAliveConnectionsGracefully(app: FastifyInstance, graceMs: number): void {
  const server = app.server;
  const reapIdle = server.closeIdleConnections.bind(server);
  server.closeIdleConnections = () => {
    setTimeout(reapIdle, graceMs).unref();
  };
}

/**
 * Fastify's `trustProxy` for TRUST_PROXY. A hop count trusts that many proxies nearest the server
 * (the socket's peer is hop 0), so `request.ip` is the address the outermost trusted proxy saw and
 * entries a client wrote further left are ignored. Fastify itself treats a number as "trust none".
 */
export function trustProxyOption(
  trust: Config['trustProxy'],
): false | string[] | ((address: string, hop: number) => boolean) {
  if (typeof trust !== 'number') return trust;
  return (_address, hop) => hop < trust;
}

/**
 * Builds the HTTP application without listening and without calling `ready()`: tests add routes
 * and inject requests; src/server.ts listens. Plugin order: core settings → error handling →
 * OpenAPI + docs → metrics → health → feature modules.
 */
export async function buildApp(deps: AppDependencies): Promise<App> {
  const { config, database } = deps;

  const logger = loggerOption(config, deps.logger);
  const app = Fastify({
    logger,
    // Each request's child logger is made on its first written line, not for every request.
    ...(logger === false ? {} : { childLoggerFactory: deferredChildLoggerFactory }),
    bodyLimit: config.bodyLimitBytes,
    trustProxy: trustProxyOption(config.trustProxy),
    genReqId: requestIdFor,
    // Never take the header verbatim: genReqId validates it first.
    requestIdHeader: false,
    logController: new LogController({ requestIdLogLabel: 'requestId' }),
    // While closing, new requests get 503 (the load balancer retries elsewhere) and idle
    // keep-alive connections are closed; in-flight requests finish.
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // A client gets 30 s to send a whole request (slow-loris protection when not behind a proxy);
    // idle keep-alive connections stay open longer than a typical load balancer's 60 s idle timeout.
    requestTimeout: 30_000,
    keepAliveTimeout: 72_000,
    connectionTimeout: 0,
    ajv: {
      customOptions: {
        // Reject unknown properties (schemas say additionalProperties: false) instead of dropping them.
        removeAdditional: false,
        // Query strings, params and headers arrive as strings: `?limit=20` must validate as an integer.
        coerceTypes: 'array',
        useDefaults: true,
        // Report every bad field, not just the first. Bodies are bounded by bodyLimit.
        allErrors: true,
      },
      // ajv-formats' `uuid` also accepts `urn:uuid:…`, which PostgreSQL then refuses: accept only the
      // plain form, so such ids are a 400 that names the field instead of a database error.
      onCreate: (ajv) => {
        ajv.addFormat('uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
      },
    },
    frameworkErrors: handleFrameworkError,
  }).withTypeProvider<TypeBoxTypeProvider>();

  // Core settings.
  app.decorate('config', config);
  app.decorate('db', database.db);
  // Callback style: every request runs it, and an async hook costs a promise each time.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
  // Closing without resetting a client (see closeKeepAliveConnectionsGracefully).
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
    closeKeepAliveConnectionsGracefully(app, Math.min(1_000, config.shutdownTimeoutMs / 4));
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });
  if (deps.ownsDatabase === true) {
    app.addHook('onClose', async () => {
      await database.close();
    });
  }

  const shared = createSharedServices(deps);

  await app.register(errorHandlerPlugin);
  await registerSecurityHeaders(app, config);
  await app.register(finiteNumbersPlugin);
  await registerRateLimit(app, {
    globalPerMinute: config.rateLimit.globalPerMinute,
    exemptHealthProbes: config.rateLimit.exemptHealthProbes !== false,
    store: shared.windows,
  });
  await app.register(authenticatePlugin, { userStates: shared.userCache, accessTokens: shared.accessTokens });
  await app.register(openApiPlugin);
  await app.register(metricsPlugin, { token: config.metricsToken });
  await app.register(healthRoutes, { pool: database.pool });
  await app.register(registerModules, { prefix: API_PREFIX, deps, shared });

  return app;
}
