import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../../config.js';
import { DatabaseCommandError } from '../client/database-errors.js';

export const DEFAULT_MIGRATIONS_DIR = path.join(projectRoot, 'migrations');

/** drizzle-kit's separator between statements in a generated migration. */
export const STATEMENT_BREAKPOINT = '--> statement-breakpoint';

/** First-line directive for SQL that PostgreSQL refuses inside a transaction (CREATE INDEX CONCURRENTLY). */
export const NO_TRANSACTION_DIRECTIVE = '-- migrate:no-transaction';

export interface JournalEntry {
  idx: number;
  version: string;
  when: number;
  tag: string;
  breakpoints: boolean;
}

export interface Journal {
  version: string;
  dialect: string;
  entries: JournalEntry[];
}

export interface MigrationFile {
  /** Position in the journal, 0-based; also the NNNN prefix of the tag. */
  index: number;
  tag: string;
  /** Journal `when`; drizzle stores it as `created_at` in the tracking table and orders by it. */
  createdAt: number;
  /** sha256 of the file content, exactly as drizzle computes it. */
  hash: string;
  sql: string;
  statements: string[];
  transactional: boolean;
  fileName: string;
  rollbackFile: string;
}

export function readJournal(migrationsDir: string): Journal {
  const journalPath = path.join(migrationsDir, 'meta', '_journal.json');
  if (!existsSync(journalPath)) {
    throw new DatabaseCommandError(
      `No migration journal at ${journalPath}. Run the command from the project folder, or run \`npm run db:generate\` to create the first migration.`,
    );
  }
  return JSON.parse(readFileSync(journalPath, 'utf8')) as Journal;
}

export function splitStatements(sql: string): string[] {
  return sql
    .split(STATEMENT_BREAKPOINT)
    .map((statement) => statement.trim())
    .filter((statement) => statement.replace(/^\s*--.*$/gm, '').trim() !== '');
}

/** Reads every migration the journal lists, in journal order. */
export function readMigrationFiles(migrationsDir = DEFAULT_MIGRATIONS_DIR): MigrationFile[] {
  const journal = readJournal(migrationsDir);
  return journal.entries.map((entry) => {
    const fileName = `${entry.tag}.sql`;
    const filePath = path.join(migrationsDir, fileName);
    if (!existsSync(filePath)) {
      throw new DatabaseCommandError(
        `The journal lists migration ${entry.tag}, but ${path.relative(projectRoot, filePath)} is missing. Restore the file from version control; never delete a migration that may have been applied.`,
      );
    }
    const sql = readFileSync(filePath, 'utf8');
    return {
      index: entry.idx,
      tag: entry.tag,
      createdAt: entry.when,
      hash: createHash('sha256').update(sql).digest('hex'),
      sql,
      statements: splitStatements(sql),
      transactional: !sql.trimStart().startsWith(NO_TRANSACTION_DIRECTIVE),
      fileName,
      rollbackFile: path.join(migrationsDir, 'rollback', `${entry.tag.slice(0, 4)}_rollback.sql`),
    };
  });
}
