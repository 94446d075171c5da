import { afterAll, beforeAll } from 'vitest';
import type { App } from '../../src/app.js';
import { type Config, parseConfig } from '../../src/config.js';
import type { Database } from '../../src/infrastructure/database/client/client.js';
import type { Role } from '../../src/infrastructure/database/schema/index.js';
import { insertSignedInUser, type SignedInUser } from './factories/users.js';
import { buildTestApp, redisReady, type TestApp, type TestAppOptions } from './test-app.js';

/** The people a test file can ask for, each signed in with a minted token. */
export const CAST_ROLES = {
  student: 'student',
  otherStudent: 'student',
  instructor: 'instructor',
  otherInstructor: 'instructor',
  admin: 'admin',
} as const satisfies Record<string, Role>;
export type CastName = keyof typeof CAST_ROLES;

/**
 * Per-client limits far above what a test file sends (the defaults, 1,000 per minute and 10 on the
 * auth routes, would refuse a file that signs in more than ten times from one address).
 */
export const ROOMY_RATE_LIMITS = { globalPerMinute: 10_000, authPerMinute: 10_000 } as const;

/** The limits a test configuration has unless a file sets its own. */
const DEFAULT_RATE_LIMITS = parseConfig({ NODE_ENV: 'test' }).rateLimit;

export interface TestAppSuite<C extends CastName> {
  readonly testApp: TestApp;
  readonly app: App;
  readonly db: Database;
  /**
   * The cast, one signed-in user per name. The objects exist at once and are filled in by the
   * suite's beforeAll, so a describe block may destructure them where it declares the suite.
   */
  readonly cast: Readonly<Record<C, SignedInUser>>;
}

export interface UseTestAppOptions<C extends CastName> {
  cast?: readonly C[];
  /** Settings over the test configuration. */
  config?: Partial<Config>;
  /**
   * Per-client limits over the test configuration's (`{ authPerMinute: 3 }` keeps the global
   * default); ROOMY_RATE_LIMITS for a file that sends many requests from one address.
   */
  rateLimit?: Partial<Config['rateLimit']>;
  /**
   * Logger, mailer, Redis use. A function when what it names exists only once an earlier beforeAll
   * of the file ran (an SMTP server the mailer sends to).
   */
  app?: TestAppOptions | (() => TestAppOptions);
  /** Runs on the built app before it is made ready: test routes, a second mount of a module. */
  prepare?: (testApp: TestApp) => void | Promise<void>;
}

/**
 * The shared setup of a test file (or describe block): a test app on a fresh database, built in
 * beforeAll (then `prepare`, then ready, with its Redis connected: the limiter fails open until
 * Redis answers) with the users of `cast`, and closed in afterAll. Call it once per app a file needs.
 */
export function useTestApp<C extends CastName = never>(options: UseTestAppOptions<C> = {}): TestAppSuite<C> {
  let testApp: TestApp | undefined;
  const cast = Object.fromEntries((options.cast ?? []).map((name) => [name, {} as SignedInUser])) as Record<
    C,
    SignedInUser
  >;
  const built = (): TestApp => {
    if (!testApp) throw new Error('useTestApp: the test app exists only once beforeAll ran');
    return testApp;
  };
  const config: Partial<Config> = {
    ...options.config,
    ...(options.rateLimit === undefined
      ? {}
      : { rateLimit: { ...DEFAULT_RATE_LIMITS, ...options.config?.rateLimit, ...options.rateLimit } }),
  };

  beforeAll(async () => {
    testApp = await buildTestApp(config, typeof options.app === 'function' ? options.app() : options.app);
    const app = testApp;
    await options.prepare?.(app);
    await app.app.ready();
    await redisReady(app.redis);
    await Promise.all(
      (options.cast ?? []).map(async (name) => {
        Object.assign(cast[name], await insertSignedInUser(app, { role: CAST_ROLES[name] }));
      }),
    );
  });

  afterAll(async () => {
    await testApp?.close();
  });

  return {
    get testApp() {
      return built();
    },
    get app() {
      return built().app;
    },
    get db() {
      return built().db;
    },
    cast,
  };
}
