import { is, Placeholder, type SQL, sql } from 'drizzle-orm';
import { PgDialect, PgTransaction } from 'drizzle-orm/pg-core';
import type { QueryResult, QueryResultRow } from 'pg';
import type { Executor } from '../../../shared/transaction.js';
import type { Database } from './client.js';

const dialect = new PgDialect();

/** Each parameter of a statement built once: a slot's name, or the constant it was built with. */
type ParameterSource<Values> = { slot: keyof Values } | { constant: unknown };

/**
 * A hot statement built once and run on the pool as a named prepared statement, outside any
 * transaction. drizzle walks a statement's parts on every build (~0.2 ms for a select with joins,
 * more for a large CTE), and PostgreSQL parses and plans an unnamed statement on every call; this
 * does both once (PostgreSQL once per connection). `build` composes the statement from the usual
 * drizzle parts with `slot(name)` wherever a value goes; each run then only fills the slots.
 * Rows come back as node-postgres parses them (snake_case columns, its type parsers).
 *
 * Given a transaction (a PgTransaction), `run` runs the statement in it instead, where drizzle holds
 * the connection: built with the values in place on each call, not prepared, and parsed as drizzle's
 * `execute` parses rows, which keeps timestamps as text. A statement run both ways returns its times
 * as numbers (epoch milliseconds), which both parse alike.
 */
export function namedStatement<Values extends Record<string, unknown>>(
  name: string,
  build: (slot: <T>(key: keyof Values & string) => T) => SQL,
) {
  let built: { text: string; parameters: ParameterSource<Values>[] } | undefined;
  const slot = <T>(key: keyof Values & string) => sql.placeholder(key) as unknown as T;
  return {
    async run<Row extends QueryResultRow>(db: Executor, values: Values): Promise<QueryResult<Row>> {
      if (db instanceof PgTransaction) {
        const withValues = build(<T>(key: keyof Values & string) => sql.param(values[key]) as unknown as T);
        return (await db.execute(withValues)) as QueryResult<Row>;
      }
      if (built === undefined) {
        const { sql: text, params } = dialect.sqlToQuery(build(slot));
        const parameters = params.map(
          (param): ParameterSource<Values> =>
            is(param, Placeholder) ? { slot: param.name as keyof Values } : { constant: param },
        );
        built = { text, parameters };
      }
      const { text, parameters } = built;
      return (db as Database).$client.query<Row>({
        name,
        text,
        values: parameters.map((parameter) =>
          'slot' in parameter ? values[parameter.slot] : parameter.constant,
        ),
      });
    },
  };
}
