import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  DEFAULT_MIGRATIONS_DIR,
  type Journal,
} from '../../src/infrastructure/database/migrations/migration-files.js';

export interface MigrationsCopy {
  dir: string;
  /** Appends a migration to the copy's journal; `when` defaults to after the newest entry. */
  add(
    name: string,
    sql: string,
    options?: { when?: number; rollbackSql?: string },
  ): { tag: string; when: number };
  /** Rewrites an existing migration file (to simulate tampering). */
  edit(tag: string, sql: string): void;
  remove(): void;
}

/** A throwaway copy of migrations/ that a test can extend without touching the real one. */
export function copyMigrations(): MigrationsCopy {
  const dir = mkdtempSync(path.join(tmpdir(), 'lp-migrations-'));
  cpSync(DEFAULT_MIGRATIONS_DIR, dir, { recursive: true });
  const journalPath = path.join(dir, 'meta', '_journal.json');
  return {
    dir,
    add(name, sql, options = {}) {
      const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as Journal;
      const idx = journal.entries.length;
      const tag = `${String(idx).padStart(4, '0')}_${name}`;
      const newest = Math.max(...journal.entries.map((e) => e.when));
      const when = options.when ?? newest + 1000;
      journal.entries.push({ idx, version: '7', when, tag, breakpoints: true });
      writeFileSync(journalPath, JSON.stringify(journal, null, 2));
      writeFileSync(path.join(dir, `${tag}.sql`), sql);
      if (options.rollbackSql !== undefined) {
        writeFileSync(path.join(dir, 'rollback', `${tag.slice(0, 4)}_rollback.sql`), options.rollbackSql);
      }
      return { tag, when };
    },
    edit(tag, sql) {
      writeFileSync(path.join(dir, `${tag}.sql`), sql);
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
