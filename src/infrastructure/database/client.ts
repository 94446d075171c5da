import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import * as schema from './schema/index.js';

export type Schema = typeof schema;
export type Database = NodePgDatabase<Schema>;

export interface DatabaseClient {
  pool: pg.Pool;
  db: Database;
  close(): Promise<void>;
}

export interface DatabaseClientOptions {
  max?: number;
  applicationName?: string;
  /** Bound on how long a request may wait for a connection before failing (ms). */
  connectionTimeoutMillis?: number;
  statementTimeoutMillis?: number;
}

export function createDatabaseClient(url: string, options: DatabaseClientOptions = {}): DatabaseClient {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 20,
    application_name: options.applicationName ?? 'learning-platform',
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? 5_000,
    statement_timeout: options.statementTimeoutMillis,
    idleTimeoutMillis: 30_000,
  });
  // An idle client losing its connection (database restart) must not crash the process;
  // the pool drops it and the next checkout reconnects.
  pool.on('error', () => {});
  const db = drizzle(pool, { schema, casing: 'snake_case' });
  return {
    pool,
    db,
    async close() {
      await pool.end();
    },
  };
}
