import type pg from 'pg';

/** Row count and content checksum of every table of the public schema. */
export type DatabaseFingerprint = Record<string, { rows: number; checksum: string }>;

const quoteIdentifier = (name: string) => `"${name.replace(/"/g, '""')}"`;

export async function fingerprintDatabase(pool: Pick<pg.Pool, 'query'>): Promise<DatabaseFingerprint> {
  const { rows: tables } = await pool.query<{ tablename: string }>(
    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
  );
  const fingerprint: DatabaseFingerprint = {};
  for (const { tablename } of tables) {
    const { rows } = await pool.query<{ rows: number; checksum: string }>(
      `SELECT count(*)::int AS rows, coalesce(md5(string_agg(t::text, '' ORDER BY t::text)), '') AS checksum
       FROM public.${quoteIdentifier(tablename)} t`,
    );
    fingerprint[tablename] = rows[0] ?? { rows: 0, checksum: '' };
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
