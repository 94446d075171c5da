import type pg from 'pg';

/** Row count and content checksum of every table of the public schema and of the job queue's. */
export type DatabaseFingerprint = Record<string, { rows: number; checksum: string }>;

const quoteIdentifier = (name: string) => `"${name.replace(/"/g, '""')}"`;

export async function fingerprintDatabase(pool: Pick<pg.Pool, 'query'>): Promise<DatabaseFingerprint> {
  const { rows: tables } = await pool.query<{ schemaname: string; tablename: string }>(
    "SELECT schemaname, tablename FROM pg_tables WHERE schemaname IN ('public', 'graphile_worker') ORDER BY 1, 2",
  );
  const fingerprint: DatabaseFingerprint = {};
  for (const { schemaname, tablename } of tables) {
    const { rows } = await pool.query<{ rows: number; checksum: string }>(
      `SELECT count(*)::int AS rows, coalesce(md5(string_agg(t::text, '' ORDER BY t::text)), '') AS checksum
       FROM ${quoteIdentifier(schemaname)}.${quoteIdentifier(tablename)} t`,
    );
    fingerprint[schemaname === 'public' ? tablename : `${schemaname}.${tablename}`] = rows[0] ?? {
      rows: 0,
      checksum: '',
    };
  }
  return fingerprint;
}

/** Tables whose rows differ between two fingerprints, e.g. `courses: 3 → 4 rows, content changed`. */
export function fingerprintChanges(before: DatabaseFingerprint, after: DatabaseFingerprint): string[] {
  const changes: string[] = [];
  for (const table of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const a = before[table];
    const b = after[table];
    if (!a || !b) changes.push(`${table}: table ${a ? 'dropped' : 'created'}`);
    else if (a.checksum !== b.checksum) changes.push(`${table}: ${a.rows} → ${b.rows} rows, content changed`);
  }
  return changes;
}
