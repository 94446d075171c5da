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
import { errorForLog, errorHandlerPlugin, handleFrameworkError } from './http/error-handler.js';
import { finiteNumbersPlugin } from './http/finite-numbers.js';
import { buildLoggerOptions, type LoggerOptions } from './http/logger.js';
import { metricsPlugin } from './http/metrics.js';
import { openApiPlugin } from './http/openapi.js';
import { registerRateLimit } from './http/rate-limit.js';
import { REQUEST_ID_HEADER, requestIdFor } from './http/request-id.js';
import { requestValidatorFactory } from './http/request-validation.js';
import { registerSecurityHeaders } from './http/security-headers.js';
import type { Cache } from './infrastructure/cache/cache.js';
import { MemoryCache } from './infrastructure/cache/memory-cache.js';
import { RedisCache } from './infrastructure/cache/redis-cache.js';
import type { DatabaseClient } from './infrastructure/database/client/client.js';
import type { DomainEventBus, DomainEvents } from './infrastructure/events/domain-events.js';
import { createEventBus } from './infrastructure/events/event-bus.js';
import { createFixedWindows, type FixedWindowStore } from './infrastructure/fixed-window.js';
import { durableEventSink, durableEventTasks } from './infrastructure/jobs/durable-events.js';
import { createJobQueue } from './infrastructure/jobs/job-queue.js';
import { type JobRunner, startJobRunner } from './infrastructure/jobs/job-runner.js';
import type { AppJobQueue, JobTasks } from './infrastructure/jobs/job-tasks.js';
import type { Mailer } from './infrastructure/mail/mailer.js';
import { createRateLimiter, type RateLimiter } from './infrastructure/rate-limiter.js';
import { type AccessTokens, createAccessTokens } from './infrastructure/security/access-tokens.js';
import { createFileStorage } from './infrastructure/storage/create-storage.js';
import type { FileStorage } from './infrastructure/storage/file-storage.js';
import { wireJobs } from './jobs.js';
import { assignmentsModule } from './modules/assignments/index.js';
import { authModule, revokeUserRefreshTokens } from './modules/auth/index.js';
import { calendarModule } from './modules/calendar/index.js';
import { type CatalogCache, catalogModule, createCatalogCache } from './modules/catalog/index.js';
import {
  type CredentialSigner,
  certificateKeysModule,
  certificatesModule,
  createCertificateIssuer,
  createCredentialSigner,
  createVerificationCache,
  type VerificationCache,
} from './modules/certificates/index.js';
import { coursesModule } from './modules/courses/index.js';
import {
  createMyEnrollmentsViews,
  enrollmentsModule,
  type MyEnrollmentsViews,
} from './modules/enrollments/index.js';
import { createGradebookPages, type GradebookPages, gradebookModule } from './modules/gradebook/index.js';
import { healthModule } from './modules/health/index.js';
import { jobsModule } from './modules/jobs/index.js';
import { notificationsModule } from './modules/notifications/index.js';
import {
  createLearnerAccess,
  createLearnerViews,
  type LearnerViews,
  progressModule,
} from './modules/progress/index.js';
import { quizzesModule } from './modules/quizzes/index.js';
import { createAccounts, createUserCache, type UserCache, usersModule } from './modules/users/index.js';
import { UUID_REGEX } from './shared/uuid.js';
import { wireSubscribers } from './subscribers.js';

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
  /** One instance for the catalog (reads, fills) and the subscribers to what changes it. */
  catalogCache: CatalogCache;
  /** Learners' course views: read by the progress module, invalidated by the subscribers in src/subscribers.ts. */
  learnerViews: LearnerViews;
  /** Pages of "my enrollments": read by the enrollments module, invalidated by its subscribers. */
  myEnrollments: MyEnrollmentsViews;
  /** Gradebook JSON pages: read by the gradebook module, invalidated by the subscribers in src/subscribers.ts. */
  gradebookPages: GradebookPages;
  /** Domain events; every subscriber is wired in src/subscribers.ts. */
  events: DomainEventBus;
  /** Background jobs (enqueue inside a transaction); every task and schedule is wired in src/jobs.ts. */
  jobs: AppJobQueue;
  /** Files (certificate PDFs, attachments): the local disk or S3, from STORAGE_URL / S3_*. */
  storage: FileStorage;
  /** Signs certificates' credentials with CERTIFICATE_SIGNING_KEYS and publishes their public keys. */
  signer: CredentialSigner;
  /** Public certificate verifications: read by the certificates routes, invalidated by revocation. */
  verificationCache: VerificationCache;
}

/**
 * The services every instance shares, built once: by buildApp for the HTTP application and by
 * src/worker.ts for a worker process, so both run the same subscribers and job handlers.
 */
export function createSharedServices(
  deps: Pick<AppDependencies, 'config' | 'database' | 'redis' | 'mailer'>,
  log: FastifyBaseLogger,
): SharedServices {
  const { config, redis } = deps;
  const db = deps.database.db;
  const cache = redis ? new RedisCache(redis) : new MemoryCache();
  const userCache = createUserCache({ db, cache });
  const catalogCache = createCatalogCache(cache, config.cacheTtlSeconds);
  const jobs = createJobQueue<JobTasks>(db);
  // The write has committed and stands; a cache a failed subscriber left stale expires by its TTL.
  // Durable subscribers are jobs enqueued in the publishing transaction (src/infrastructure/jobs).
  const events = createEventBus<DomainEvents>({
    onSubscriberError: ({ event, subscriber, error }) =>
      log.error({ err: errorForLog(error), event, subscriber }, 'an event subscriber failed after commit'),
    durable: durableEventSink(jobs),
  });
  const learnerViews = createLearnerViews(cache);
  const signer = createCredentialSigner(config.certificateSigningKeys);
  const certificateIssuer = createCertificateIssuer({
    db,
    events,
    signer,
    publicApiUrl: config.publicApiUrl,
  });
  const myEnrollments = createMyEnrollmentsViews(cache);
  const gradebookPages = createGradebookPages(cache);
  wireSubscribers(events, {
    config,
    db,
    mailer: deps.mailer,
    catalogCache,
    userCache,
    learnerViews,
    certificateIssuer,
    myEnrollments,
    gradebookPages,
  });
  wireJobs(jobs, { config, db, events, log });
  const windows = createFixedWindows(redis);
  return {
    accessTokens: createAccessTokens(config.jwtSecret, config.accessTokenTtlSeconds),
    cache,
    windows,
    rateLimiter: createRateLimiter(windows),
    userCache,
    catalogCache,
    learnerViews,
    myEnrollments,
    gradebookPages,
    events,
    jobs,
    storage: createFileStorage(config.storage),
    signer,
    verificationCache: createVerificationCache(cache),
  };
}

/**
 * A job worker for `shared`'s queue and durable subscribers, on its own pool of `databaseUrl`
 * (src/infrastructure/jobs/job-runner.ts). Used inside the API process and by src/worker.ts.
 */
export function startWorker(
  shared: Pick<SharedServices, 'jobs' | 'events'>,
  options: { config: Config; databaseUrl: string; log: FastifyBaseLogger },
): Promise<JobRunner> {
  const { config } = options;
  return startJobRunner({
    databaseUrl: options.databaseUrl,
    queue: shared.jobs,
    extraTasks: durableEventTasks(shared.events),
    concurrency: config.jobs.concurrency,
    fetchBatchSize: config.jobs.fetchBatchSize,
    log: options.log,
  });
}

/**
 * With WORKER_ENABLED, the app runs a job worker from when it is ready until it closes: stopped
 * before the events settle and the pool closes (onClose hooks run last-registered first), waiting
 * up to half of SHUTDOWN_TIMEOUT_MS for running jobs.
 */
function runWorkerWithApp(app: App, deps: AppDependencies, shared: SharedServices): void {
  let runner: JobRunner | undefined;
  app.addHook('onReady', async () => {
    runner = await startWorker(shared, {
      config: deps.config,
      databaseUrl: deps.database.url,
      log: app.log,
    });
  });
  app.addHook('onClose', async () => {
    await runner?.stop(Math.floor(deps.config.shutdownTimeoutMs / 2));
  });
}

export const API_PREFIX = '/api/v1';
function loggerOption(config: Config, logger: AppDependencies['logger']): false | LoggerOptions {
  if (logger === false) return false;
  return buildLoggerOptions(config, logger === true || logger === undefined ? {} : logger);
}

/**
 * The feature modules under `/api/v1`, in one encapsulated context: each is a plugin
 * (`<feature>.module.ts`) that receives exactly its dependency record, creates its services and
 * registers its routes. A new module is one more line here. The error handler, request ids, metrics
 * and OpenAPI apply to them from the root.
 */
const featureModules: FastifyPluginAsyncTypebox<{ deps: AppDependencies; shared: SharedServices }> = async (
  api,
  { deps, shared },
) => {
  const { config } = deps;
  const db = deps.database.db;
  const { accessTokens, catalogCache, events, learnerViews, myEnrollments, rateLimiter, userCache } = shared;
  // Work still running after its response (the reset email) finishes before the pool closes.
  api.addHook('onClose', () => events.settle());

  await api.register(authModule, {
    config,
    db,
    accessTokens,
    rateLimiter,
    accounts: createAccounts(),
    events,
  });
  await api.register(usersModule, {
    db,
    userCache,
    events,
    sessions: { revokeAll: revokeUserRefreshTokens },
  });
  await api.register(catalogModule, { db, catalogCache, learnerAccess: createLearnerAccess(db) });
  await api.register(coursesModule, { db, events });
  await api.register(progressModule, { db, events, learnerViews });
  await api.register(notificationsModule, { db });
  await api.register(jobsModule, { db });
  await api.register(enrollmentsModule, { db, events, jobs: shared.jobs, myEnrollments });
  await api.register(gradebookModule, { db, pages: shared.gradebookPages });
  await api.register(calendarModule, {
    db,
    publicApiUrl: config.publicApiUrl,
    apiPrefix: API_PREFIX,
    publicAppUrl: config.publicAppUrl,
  });
  await api.register(certificatesModule, {
    db,
    storage: shared.storage,
    verificationCache: shared.verificationCache,
    publicApiUrl: config.publicApiUrl,
    apiPrefix: API_PREFIX,
  });
  await api.register(assignmentsModule, { db, events, storage: shared.storage, apiPrefix: API_PREFIX });
  await api.register(quizzesModule, { db, events });
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
 * OpenAPI + docs → metrics → health → feature modules → the job worker (WORKER_ENABLED).
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
    // Options shared by both validators; `coerceTypes` is set per request part (request-validation.ts):
    // query strings, params and headers are coerced, JSON bodies must match their schemas exactly.
    ajv: {
      customOptions: {
        // Reject unknown properties (schemas say additionalProperties: false) instead of dropping them.
        removeAdditional: false,
        useDefaults: true,
        // Report every bad field, not just the first. Bodies are bounded by bodyLimit.
        allErrors: true,
      },
      // ajv-formats' `uuid` also accepts `urn:uuid:…`, which PostgreSQL then refuses: accept only the
      // plain form, so such ids are a 400 that names the field instead of a database error.
      onCreate: (ajv) => {
        ajv.addFormat('uuid', UUID_REGEX);
      },
    },
    schemaController: { compilersFactory: { buildValidator: requestValidatorFactory() } },
    frameworkErrors: handleFrameworkError,
  }).withTypeProvider<TypeBoxTypeProvider>();

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

  const shared = createSharedServices(deps, app.log);

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
  // Probes live outside the versioned prefix: orchestrators call them, not API clients.
  await app.register(healthModule, { pool: database.pool });
  // Where verifiers of certificates' credentials look for the signing keys: outside the API prefix.
  await app.register(certificateKeysModule, { signer: shared.signer });
  await app.register(featureModules, { prefix: API_PREFIX, deps, shared });
  // Registered last, so that closing stops it first.
  if (config.jobs.workerEnabled) runWorkerWithApp(app, deps, shared);

  return app;
}
