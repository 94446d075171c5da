import path from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { copyMigrations, type MigrationsCopy } from '../helpers/migration-copies.js';
import { spawnScript, waitFor } from '../helpers/processes.js';
import { createEmptyDatabase, type TestDatabase } from '../helpers/test-database.js';

/**
 * The migrator in real processes: killed with SIGKILL in the middle of a run, and five of them
 * started at once. The project's migrations plus a few slow fixture migrations (each creates a
 * table, then sleeps), run by support/run-migrator.ts (the CLI always reads migrations/).
 */

const MIGRATOR = path.join('test', 'reliability', 'support', 'run-migrator.ts');
const SLOW_MIGRATIONS = 4;
const SLEEP_SECONDS = 0.5;

let fixture: MigrationsCopy | undefined;
let database: TestDatabase | undefined;
afterEach(async () => {
  fixture?.remove();
  fixture = undefined;
  await database?.drop();
  database = undefined;
});

/** Fixture migrations after the real ones: `probe_N` tables, each migration slow and not re-runnable. */
function slowFixture(): { fixture: MigrationsCopy; tags: string[]; tables: Map<string, string> } {
  const copy = copyMigrations();
  const tables = new Map<string, string>();
  for (let n = 1; n <= SLOW_MIGRATIONS; n++) {
    const table = `reliability_probe_${n}`;
    const { tag } = copy.add(
      `slow_probe_${n}`,
      `CREATE TABLE ${table} (id int);\n--> statement-breakpoint\nSELECT pg_sleep(${SLEEP_SECONDS});`,
    );
    tables.set(tag, table);
  }
  return { fixture: copy, tags: [...tables.keys()], tables };
}

async function inspect(url: string, tables: Iterable<string>) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ tag: string }>(
      'SELECT tag FROM drizzle.__drizzle_migrations ORDER BY id',
    );
    const present = new Set<string>();
    for (const table of tables) {
      const result = await client.query<{ present: boolean }>(
        'SELECT to_regclass($1) IS NOT NULL AS present',
        [table],
      );
      if (result.rows[0]?.present) present.add(table);
    }
    return { trackedTags: rows.map((row) => row.tag), presentTables: present };
  } finally {
    await client.end();
  }
}

/** The end state both faults must leave: every slow migration recorded exactly once, each table made. */
async function expectEachSlowMigrationOnce(url: string, slow: ReturnType<typeof slowFixture>) {
  const final = await inspect(url, slow.tables.values());
  expect(new Set(final.trackedTags).size).toBe(final.trackedTags.length);
  for (const tag of slow.tags) expect(final.trackedTags).toContain(tag);
  expect(final.presentTables.size).toBe(SLOW_MIGRATIONS);
  return final;
}

function runMigrator(url: string, dir: string) {
  return spawnScript(MIGRATOR, [dir], { MIGRATE_DATABASE_URL: url });
}

const announced = (output: string) => [...output.matchAll(/applied (\d{4}_\w+)/g)].map((match) => match[1]);

describe('migrations under faults', () => {
  it('kill -9 in the middle of a run: exactly the committed migrations remain, and a re-run finishes', async () => {
    database = await createEmptyDatabase();
    const slow = slowFixture();
    fixture = slow.fixture;
    const [firstSlow] = slow.tags;

    const victim = runMigrator(database.url, fixture.dir);
    // Kill as soon as the first slow migration has committed: the next one is then mid-transaction.
    await waitFor(
      `${firstSlow} to be applied`,
      async () => {
        if (victim.child.exitCode !== null) throw new Error(`migrator exited early:\n${victim.output()}`);
        return victim.output().includes(`applied ${firstSlow}`) ? true : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 5 },
    );
    const killedAt = performance.now();
    victim.child.kill('SIGKILL');
    expect((await victim.exited).signal).toBe('SIGKILL');

    const committed = announced(victim.output());
    const after = await inspect(database.url, slow.tables.values());
    // Everything the killed run reported as applied is recorded, and nothing else.
    expect(after.trackedTags.slice(-committed.length)).toEqual(committed);
    expect(after.trackedTags).not.toContain(slow.tags.at(-1));
    // A slow migration's table exists exactly when its tracking row does: no half-applied migration.
    for (const [tag, table] of slow.tables) {
      expect(after.presentTables.has(table), `${tag}: table present iff recorded`).toBe(
        after.trackedTags.includes(tag),
      );
    }

    // The killed session's advisory lock and open transaction go with its connection: a re-run
    // applies the rest and finishes.
    const rerun = runMigrator(database.url, fixture.dir);
    const rerunStatus = await rerun.exited;
    expect(rerunStatus.code, rerun.output()).toBe(0);
    const recovered = Math.round(rerunStatus.at - killedAt);
    const rerunApplied = announced(rerun.output());
    expect(rerunApplied).toEqual(slow.tags.filter((tag) => !after.trackedTags.includes(tag)));

    await expectEachSlowMigrationOnce(database.url, slow);

    console.info(
      '[reliability] migration kill -9:',
      JSON.stringify({
        committedBeforeKill: committed.length,
        slowMigrationsCommittedBeforeKill: slow.tags.filter((tag) => after.trackedTags.includes(tag)).length,
        appliedByRerun: rerunApplied.length,
        killToRerunDoneMs: recovered,
      }),
    );
  }, 60_000);

  it('five migrator processes at once: each migration is applied exactly once', async () => {
    database = await createEmptyDatabase();
    const slow = slowFixture();
    fixture = slow.fixture;
    const started = performance.now();
    const runs = Array.from({ length: 5 }, () => runMigrator(database!.url, fixture!.dir));
    const statuses = await Promise.all(runs.map((run) => run.exited));
    const elapsed = Math.round(performance.now() - started);

    statuses.forEach((status, index) => {
      expect(status.code, runs[index]?.output()).toBe(0);
    });
    const appliedPerRun = runs.map((run) => announced(run.output()));
    const allApplied = appliedPerRun.flat();
    const final = await expectEachSlowMigrationOnce(database.url, slow);
    expect(new Set(allApplied).size).toBe(allApplied.length);
    expect(allApplied.sort()).toEqual([...final.trackedTags].sort());

    console.info(
      '[reliability] concurrent migrators:',
      JSON.stringify({
        processes: runs.length,
        appliedPerProcess: appliedPerRun.map((tags) => tags.length),
        migrations: final.trackedTags.length,
        elapsedMs: elapsed,
      }),
    );
  }, 60_000);
});
