import type { SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { QueryResult, QueryResultRow } from 'pg';
import type { Database } from './client.js';

const dialect = new PgDialect();
/** A name per statement text: the text is the same on every call, only its parameters change. */
const statementNames = new Map<string, string>();

/**
 * Runs `statement` on the pool as a named prepared statement, outside any transaction: PostgreSQL
 * parses and plans it once per connection instead of on every call, which matters for the hot
 * CTE statements (planning one can cost more than running it). drizzle's `execute` cannot name a
 * statement, hence the pool. Rows come back as node-postgres parses them (snake_case columns).
 */
export function runNamedStatement<Row extends QueryResultRow>(
  db: Database,
  prefix: string,
  statement: SQL,
): Promise<QueryResult<Row>> {
  const { sql: text, params } = dialect.sqlToQuery(statement);
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `${prefix}-${statementNames.size + 1}`;
    statementNames.set(text, name);
  }
  return db.$client.query<Row>({ name, text, values: params });
}
