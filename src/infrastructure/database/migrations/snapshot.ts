import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DatabaseCommandError } from '../client/database-errors.js';

/** The parts of drizzle-kit's PostgreSQL snapshot (migrations/meta/NNNN_snapshot.json) that we read. */
export interface SnapshotColumn {
  name: string;
  type: string;
  typeSchema?: string;
  primaryKey: boolean;
  notNull: boolean;
  default?: string | number | boolean;
  generated?: { as: string; type: string };
}

export interface SnapshotIndexColumn {
  expression: string;
  isExpression: boolean;
}

export interface SnapshotIndex {
  name: string;
  columns: SnapshotIndexColumn[];
  isUnique: boolean;
  method?: string;
}

export interface SnapshotForeignKey {
  name: string;
  tableTo: string;
  columnsFrom: string[];
  columnsTo: string[];
  onDelete?: string;
}

export interface SnapshotTable {
  name: string;
  schema: string;
  columns: Record<string, SnapshotColumn>;
  indexes: Record<string, SnapshotIndex>;
  foreignKeys: Record<string, SnapshotForeignKey>;
  compositePrimaryKeys: Record<string, { name: string; columns: string[] }>;
  uniqueConstraints: Record<string, { name: string; columns: string[] }>;
  checkConstraints: Record<string, { name: string; value: string }>;
}

export interface Snapshot {
  id: string;
  tables: Record<string, SnapshotTable>;
  enums: Record<string, { name: string; schema: string; values: string[] }>;
}

/** The newest snapshot: drizzle-kit writes one per migration, describing the schema after it. */
export function readLatestSnapshot(migrationsDir: string): Snapshot {
  const metaDir = path.join(migrationsDir, 'meta');
  const snapshots = existsSync(metaDir)
    ? readdirSync(metaDir)
        .filter((name) => /^\d{4}_snapshot\.json$/.test(name))
        .sort()
    : [];
  const latest = snapshots.at(-1);
  if (!latest) {
    throw new DatabaseCommandError(
      `No schema snapshot in ${metaDir}. Run \`npm run db:generate\` to create the migrations and their snapshots.`,
    );
  }
  return JSON.parse(readFileSync(path.join(metaDir, latest), 'utf8')) as Snapshot;
}
