import type { ExtractTablesWithRelations } from 'drizzle-orm';
import type { NodePgQueryResultHKT, NodePgTransaction } from 'drizzle-orm/node-postgres';
import type { PgDatabase } from 'drizzle-orm/pg-core';
// Types only: the kernel may know the schema's shape, never the client that connects to it.
import type * as schema from '../infrastructure/database/schema/index.js';

type Schema = typeof schema;

/** The `tx` of `db.transaction(async (tx) => ...)`. */
export type Transaction = NodePgTransaction<Schema, ExtractTablesWithRelations<Schema>>;

/** Anything that runs queries: the application's database or a transaction on it. */
export type Executor = PgDatabase<NodePgQueryResultHKT, Schema>;
