import type pg from 'pg';
import { GUIDE_ENUMS, GUIDE_TABLES } from './guide-schema.js';
import type { Snapshot, SnapshotColumn } from './snapshot.js';

export interface Drift {
  object: string;
  problem: string;
}

export interface VerificationReport {
  drift: Drift[];
  /** The job queue schema's revision (verify-database.ts); undefined when not checked. */
  jobQueueRevision?: number | null;
  counts: {
    /** How many of the guide's 24 tables and 16 enums are present. */
    guideTables: number;
    guideEnums: number;
    tables: number;
    enums: number;
    columns: number;
    primaryKeys: number;
    foreignKeys: number;
    indexes: number;
    uniqueConstraints: number;
    checkConstraints: number;
  };
}

interface LiveColumn {
  table: string;
  name: string;
  type: string;
  notNull: boolean;
  default: string | null;
  generated: boolean;
}

interface LiveConstraint {
  table: string;
  name: string;
  type: 'p' | 'f' | 'u' | 'c';
  columns: string[];
  refTable: string | null;
  refColumns: string[];
  onDelete: string;
}

interface LiveIndex {
  table: string;
  name: string;
  unique: boolean;
  method: string;
  columns: string[];
}

const ON_DELETE: Record<string, string> = {
  a: 'no action',
  r: 'restrict',
  c: 'cascade',
  n: 'set null',
  d: 'set default',
};

/** Brings drizzle's type spelling and format_type()'s to one form. */
export function normaliseType(type: string): string {
  let t = type.toLowerCase().replace(/"/g, '').replace(/\s+/g, ' ').trim();
  t = t.replace(/^public\./, '');
  const array = t.endsWith('[]') ? '[]' : '';
  t = t.replace(/\[\]$/, '').replace(/\(\s*(\d+)\s*,\s*(\d+)\s*\)/, '($1,$2)');
  const aliases: Record<string, string> = {
    int: 'integer',
    int4: 'integer',
    serial: 'integer',
    int8: 'bigint',
    bigserial: 'bigint',
    int2: 'smallint',
    smallserial: 'smallint',
    bool: 'boolean',
    float8: 'double precision',
    float4: 'real',
    timestamptz: 'timestamp with time zone',
    timestamp: 'timestamp without time zone',
    time: 'time without time zone',
  };
  t = aliases[t] ?? t;
  t = t
    .replace(/^varchar/, 'character varying')
    .replace(/^char\b/, 'character')
    .replace(/^timestamp(\(\d\))? with time zone/, 'timestamp$1 with time zone');
  return t + array;
}

/** Compares defaults without the casts PostgreSQL adds (`'USD'::text`) or parentheses. */
export function normaliseDefault(value: string | number | boolean | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return String(value)
    .replace(/::[a-z_][\w ."]*(\(\d+(,\s*\d+)?\))?(\[\])?/gi, '')
    .replace(/[()\s]/g, '')
    .toLowerCase();
}

async function readLiveCatalog(client: pg.ClientBase, schema: string) {
  const tables = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')`,
    [schema],
  );
  const columns = await client.query<LiveColumn>(
    `SELECT c.relname AS "table", a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type,
            a.attnotnull AS "notNull", pg_get_expr(d.adbin, d.adrelid) AS "default", a.attgenerated <> '' AS generated
       FROM pg_attribute a
       JOIN pg_class c ON c.oid = a.attrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped`,
    [schema],
  );
  const enums = await client.query<{ name: string; values: string[] }>(
    `SELECT t.typname AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS values
       FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname = $1 GROUP BY t.typname`,
    [schema],
  );
  const constraints = await client.query<LiveConstraint>(
    `SELECT c.relname AS "table", con.conname AS name, con.contype AS type,
            ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(attnum, ord)
                   JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum ORDER BY k.ord) AS columns,
            rc.relname AS "refTable",
            ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(attnum, ord)
                   JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum ORDER BY k.ord) AS "refColumns",
            con.confdeltype AS "onDelete"
       FROM pg_constraint con
       JOIN pg_class c ON c.oid = con.conrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_class rc ON rc.oid = con.confrelid
      WHERE n.nspname = $1 AND con.contype IN ('p', 'f', 'u', 'c')`,
    [schema],
  );
  // Indexes that back a PK or unique constraint are checked as constraints, not here.
  const indexes = await client.query<LiveIndex>(
    `SELECT t.relname AS "table", i.relname AS name, ix.indisunique AS unique, am.amname AS method,
            ARRAY(SELECT pg_get_indexdef(ix.indexrelid, k, true) FROM generate_series(1, ix.indnkeyatts) k) AS columns
       FROM pg_index ix
       JOIN pg_class i ON i.oid = ix.indexrelid
       JOIN pg_class t ON t.oid = ix.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
       JOIN pg_am am ON am.oid = i.relam
      WHERE n.nspname = $1 AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = ix.indexrelid AND con.contype IN ('p', 'u'))`,
    [schema],
  );
  return {
    tables: tables.rows,
    columns: columns.rows,
    enums: enums.rows,
    constraints: constraints.rows,
    indexes: indexes.rows,
  };
}

const sameList = (a: string[], b: string[]) => a.length === b.length && a.every((value, i) => value === b[i]);
const list = (values: string[]) => `(${values.join(', ')})`;

function expectedType(column: SnapshotColumn): string {
  return normaliseType(column.type);
}

function expectedDefault(column: SnapshotColumn): string | null {
  if (/^(small|big)?serial$/i.test(column.type)) return 'nextval';
  return normaliseDefault(column.default);
}

/**
 * Compares the live catalog of `schema` with the schema snapshot drizzle-kit generated from the
 * TypeScript schema, object by object, in both directions (missing and unexpected).
 */
export async function verifySchema(
  client: pg.ClientBase,
  snapshot: Snapshot,
  schema = 'public',
): Promise<VerificationReport> {
  const live = await readLiveCatalog(client, schema);
  const drift: Drift[] = [];
  const report = (object: string, problem: string) => drift.push({ object, problem });
  const counts: VerificationReport['counts'] = {
    guideTables: 0,
    guideEnums: 0,
    tables: 0,
    enums: 0,
    columns: 0,
    primaryKeys: 0,
    foreignKeys: 0,
    indexes: 0,
    uniqueConstraints: 0,
    checkConstraints: 0,
  };

  // Enums: existence and values in order (order matters to comparisons and to ALTER TYPE ... ADD VALUE).
  const liveEnums = new Map(live.enums.map((e) => [e.name, e.values]));
  const expectedEnums = Object.values(snapshot.enums).filter((e) => e.schema === schema);
  for (const expected of expectedEnums) {
    const values = liveEnums.get(expected.name);
    if (!values) report(`enum ${expected.name}`, 'is missing');
    else if (!sameList(values, expected.values)) {
      report(`enum ${expected.name}`, `has values ${list(values)}, expected ${list(expected.values)}`);
    } else counts.enums++;
  }
  for (const name of liveEnums.keys()) {
    if (!expectedEnums.some((e) => e.name === name))
      report(`enum ${name}`, 'exists but is not in the schema');
  }

  const expectedTables = Object.values(snapshot.tables).filter((t) => t.schema === schema || t.schema === '');
  const liveTables = new Set(live.tables.map((t) => t.name));
  for (const name of liveTables) {
    if (!expectedTables.some((t) => t.name === name))
      report(`table ${name}`, 'exists but is not in the schema');
  }

  for (const table of expectedTables) {
    if (!liveTables.has(table.name)) {
      report(`table ${table.name}`, 'is missing');
      continue;
    }
    counts.tables++;

    const liveColumns = new Map(live.columns.filter((c) => c.table === table.name).map((c) => [c.name, c]));
    for (const column of Object.values(table.columns)) {
      const found = liveColumns.get(column.name);
      const where = `column ${table.name}.${column.name}`;
      if (!found) {
        report(where, 'is missing');
        continue;
      }
      const before = drift.length;
      if (normaliseType(found.type) !== expectedType(column)) {
        report(where, `has type ${found.type}, expected ${column.type}`);
      }
      if (found.notNull !== (column.notNull || column.primaryKey)) {
        report(where, found.notNull ? 'is NOT NULL, expected nullable' : 'is nullable, expected NOT NULL');
      }
      if (column.generated) {
        if (!found.generated)
          report(where, `is not a generated column, expected GENERATED ALWAYS AS (${column.generated.as})`);
      } else if (found.generated) {
        report(where, 'is a generated column, expected a plain column');
      } else {
        const want = expectedDefault(column);
        const have = normaliseDefault(found.default);
        const matches = want === 'nextval' ? have?.startsWith('nextval') : want === have;
        if (!matches)
          report(where, `has default ${found.default ?? 'none'}, expected ${column.default ?? 'none'}`);
      }
      if (drift.length === before) counts.columns++;
    }
    for (const name of liveColumns.keys()) {
      if (!table.columns[name]) report(`column ${table.name}.${name}`, 'exists but is not in the schema');
    }

    const constraints = live.constraints.filter((c) => c.table === table.name);
    const byName = (type: LiveConstraint['type']) =>
      new Map(constraints.filter((c) => c.type === type).map((c) => [c.name, c]));

    const expectedPk =
      Object.values(table.compositePrimaryKeys)[0]?.columns ??
      Object.values(table.columns)
        .filter((c) => c.primaryKey)
        .map((c) => c.name);
    const livePk = constraints.find((c) => c.type === 'p');
    if (expectedPk.length > 0 && !livePk)
      report(`table ${table.name}`, `has no primary key, expected ${list(expectedPk)}`);
    else if (livePk && !sameList(livePk.columns, expectedPk)) {
      report(`table ${table.name}`, `has primary key ${list(livePk.columns)}, expected ${list(expectedPk)}`);
    } else if (livePk) counts.primaryKeys++;

    const liveFks = byName('f');
    for (const fk of Object.values(table.foreignKeys)) {
      const found = liveFks.get(fk.name);
      const where = `foreign key ${fk.name} on ${table.name}`;
      const onDelete = fk.onDelete ?? 'no action';
      if (!found)
        report(where, `is missing, expected ${list(fk.columnsFrom)} → ${fk.tableTo}${list(fk.columnsTo)}`);
      else if (
        found.refTable !== fk.tableTo ||
        !sameList(found.columns, fk.columnsFrom) ||
        !sameList(found.refColumns, fk.columnsTo)
      ) {
        report(
          where,
          `references ${found.refTable}${list(found.refColumns)} from ${list(found.columns)}, expected ${fk.tableTo}${list(fk.columnsTo)} from ${list(fk.columnsFrom)}`,
        );
      } else if (ON_DELETE[found.onDelete] !== onDelete) {
        report(
          where,
          `has ON DELETE ${ON_DELETE[found.onDelete]?.toUpperCase()}, expected ${onDelete.toUpperCase()}`,
        );
      } else counts.foreignKeys++;
    }
    for (const name of liveFks.keys()) {
      if (!table.foreignKeys[name])
        report(`foreign key ${name} on ${table.name}`, 'exists but is not in the schema');
    }

    const liveUniques = byName('u');
    for (const unique of Object.values(table.uniqueConstraints)) {
      const found = liveUniques.get(unique.name);
      const where = `unique constraint ${unique.name} on ${table.name}`;
      if (!found) report(where, `is missing, expected on ${list(unique.columns)}`);
      else if (!sameList(found.columns, unique.columns)) {
        report(where, `is on ${list(found.columns)}, expected ${list(unique.columns)}`);
      } else counts.uniqueConstraints++;
    }
    for (const name of liveUniques.keys()) {
      if (!table.uniqueConstraints[name]) {
        report(`unique constraint ${name} on ${table.name}`, 'exists but is not in the schema');
      }
    }

    const liveChecks = byName('c');
    for (const check of Object.values(table.checkConstraints)) {
      if (!liveChecks.has(check.name))
        report(`check constraint ${check.name} on ${table.name}`, `is missing (${check.value})`);
      else counts.checkConstraints++;
    }
    for (const name of liveChecks.keys()) {
      if (!table.checkConstraints[name]) {
        report(`check constraint ${name} on ${table.name}`, 'exists but is not in the schema');
      }
    }

    const liveIndexes = new Map(live.indexes.filter((i) => i.table === table.name).map((i) => [i.name, i]));
    for (const index of Object.values(table.indexes)) {
      const found = liveIndexes.get(index.name);
      const where = `index ${index.name} on ${table.name}`;
      const columns = index.columns.map((c) => c.expression);
      if (!found) {
        report(where, `is missing, expected on ${list(columns)}`);
        continue;
      }
      const method = index.method ?? 'btree';
      const plainColumnsMatch = index.columns.every(
        (c, i) => c.isExpression || found.columns[i]?.replace(/"/g, '') === c.expression,
      );
      if (found.unique !== index.isUnique)
        report(where, found.unique ? 'is UNIQUE, expected not unique' : 'is not UNIQUE, expected UNIQUE');
      else if (found.method !== method) report(where, `uses ${found.method}, expected ${method}`);
      else if (found.columns.length !== columns.length || !plainColumnsMatch) {
        report(where, `is on ${list(found.columns)}, expected ${list(columns)}`);
      } else counts.indexes++;
    }
    for (const name of liveIndexes.keys()) {
      if (!table.indexes[name]) report(`index ${name} on ${table.name}`, 'exists but is not in the schema');
    }
  }

  // The guide's promise, by name, whatever the snapshot says (a schema edit cannot quietly drop one).
  const liveTableNames = new Set(live.tables.map((t) => t.name));
  for (const name of GUIDE_TABLES) {
    if (liveTableNames.has(name)) counts.guideTables++;
    else if (!drift.some((d) => d.object === `table ${name}`))
      report(`table ${name}`, 'is missing (the migration guide lists it)');
  }
  for (const name of GUIDE_ENUMS) {
    if (liveEnums.has(name)) counts.guideEnums++;
    else if (!drift.some((d) => d.object === `enum ${name}`))
      report(`enum ${name}`, 'is missing (the migration guide lists it)');
  }

  return { drift, counts };
}
