import { generateDrizzleJson, generateMigration } from 'drizzle-kit/api';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MIGRATIONS_DIR,
  readMigrationFiles,
} from '../../src/infrastructure/database/migrations/migration-files.js';
import { readLatestSnapshot } from '../../src/infrastructure/database/migrations/snapshot.js';
import * as schema from '../../src/infrastructure/database/schema/index.js';

describe('the TypeScript schema and the migrations agree', () => {
  it('the newest snapshot (what db:verify expects) equals the TypeScript schema: no migration is missing', async () => {
    const snapshot = readLatestSnapshot(DEFAULT_MIGRATIONS_DIR);
    const current = generateDrizzleJson(schema, snapshot.id);
    const pending = await generateMigration(snapshot as never, current);
    // Non-empty means someone edited a *.schema.ts without running `npm run db:generate`.
    expect(pending).toEqual([]);
  });

  it('every enum in migration 0000 is created behind the duplicate_object guard the guide promises', () => {
    const initial = readMigrationFiles()[0]!;
    const creates = initial.sql.match(/CREATE TYPE/g) ?? [];
    const guarded =
      initial.sql.match(
        /DO \$\$ BEGIN\n CREATE TYPE [^;]+;\nEXCEPTION\n WHEN duplicate_object THEN null;\nEND \$\$;/g,
      ) ?? [];
    expect(creates).toHaveLength(16);
    expect(guarded).toHaveLength(16);
  });
});
