import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import * as schema from '../schema/index.js';
import { enforceQueryDeadline } from './query-deadline.js';

export type Schema = typeof schema;
/** The application's database; `$client` is its pool, for the rare statement drizzle cannot name. */
export type Database = NodePgDatabase<Schema> & { $client: pg.Pool };

export interface DatabaseClient {
  /** The connection string the pool uses (a worker opens its own pool on it). */
  url: string;
  pool: pg.Pool;
  db: Database;
  close(): Promise<void>;
}

export interface DatabaseClientOptions {
  max?: number;
  applicationName?: string;
  /** Bound on how long a request may wait for a connection before failing (ms). */
  connectionTimeoutMillis?: number;
  /**
   * Longest one query may take. PostgreSQL cancels a statement past it (`statement_timeout`, the
   * connection stays usable); if the server does not answer at all, the connection is destroyed
   * `QUERY_DEADLINE_GRACE_MS` later (query-deadline.ts). Unset: no limit (CLIs with long statements).
   */
  queryTimeoutMillis?: number;
}

/** Time for the server's own cancellation (and its error) to arrive before the connection is cut. */
export const QUERY_DEADLINE_GRACE_MS = 1_000;

export function createDatabaseClient(url: string, options: DatabaseClientOptions = {}): DatabaseClient {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 20,
    application_name: options.applicationName ?? 'learning-platform',
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? 5_000,
    statement_timeout: options.queryTimeoutMillis,
    idleTimeoutMillis: 30_000,
  });
  // An idle client losing its connection (database restart) must not crash the process;
  // the pool drops it and the next checkout reconnects.
  pool.on('error', () => {});
  // The pool listens for errors only on idle clients. A checked-out client between two queries of a
  // transaction (the server shuts down, the connection drops) emits 'error' with no listener, which
  // would crash the process; its next query fails instead and the request answers 503.
  const { queryTimeoutMillis } = options;
  pool.on('connect', (client) => {
    client.on('error', () => {});
    if (queryTimeoutMillis !== undefined) {
      enforceQueryDeadline(client, queryTimeoutMillis + QUERY_DEADLINE_GRACE_MS);
    }
  });
  const db = drizzle(pool, { schema, casing: 'snake_case' });
  return {
    url,
    pool,
    db,
    async close() {
      await pool.end();
    },
  };
}
