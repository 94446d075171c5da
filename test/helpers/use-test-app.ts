import { afterAll, beforeAll } from 'vitest';
import type { App } from '../../src/app.js';
import type { Config } from '../../src/config.js';
import type { Database } from '../../src/infrastructure/database/client/client.js';
import type { Role } from '../../src/infrastructure/database/schema/index.js';
import { insertSignedInUser, type SignedInUser } from './factories/users.js';
import { buildTestApp, type TestApp, type TestAppOptions } from './test-app.js';

/** The people a test file can ask for, each signed in with a minted token. */
export const CAST_ROLES = {
  student: 'student',
  otherStudent: 'student',
  instructor: 'instructor',
  otherInstructor: 'instructor',
  admin: 'admin',
} as const satisfies Record<string, Role>;
export type CastName = keyof typeof CAST_ROLES;

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
  config?: Partial<Config>;
  app?: TestAppOptions;
}

/**
 * The shared setup of a test file (or describe block): a test app on a fresh database, built in
 * beforeAll with the users of `cast`, and closed in afterAll.
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

  beforeAll(async () => {
    testApp = await buildTestApp(options.config, options.app);
    const app = testApp;
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
