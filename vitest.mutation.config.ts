import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * The test setup of `npm run test:mutation` (stryker.config.json): the same tests, global setup and
 * timeouts as `npm test`, in one thread whose module cache is kept between Stryker's runs (isolate:
 * false), so that a mutant costs its tests, not a fresh import of the application. Stryker switches
 * mutants at run time (no re-import needed), and static mutants are not tested (ignoreStatic).
 */
export default mergeConfig(
  base,
  defineConfig({
    test: {
      isolate: false,
      fileParallelism: false,
    },
  }),
);
