import { createDatabaseClient } from '../infrastructure/database/client/client.js';
import {
  DatabaseCommandError,
  describeDatabaseError,
} from '../infrastructure/database/client/database-errors.js';
import { readMigrationStatus } from '../infrastructure/database/migrations/migrator.js';
import {
  isDatabaseEmpty,
  SEEDED_TABLES,
  type SeedSummary,
  seedDemoData,
  UNIT,
  UNITS_PER_TRANSACTION,
} from '../seed/seed-demo-data.js';
import { runCommand } from './run-command.js';

const MAX_SCALE = 100_000;

const HELP = `Usage: npm run db:seed [-- --scale N] [--force] [--allow-production]

Fills the database with demo data: one admin, then per unit of scale ${UNIT.instructors} instructors,
${UNIT.students} students and ${UNIT.courses} courses (${UNIT.courses - UNIT.drafts - UNIT.archived} published, ${UNIT.drafts} drafts, ${UNIT.archived} archived) with modules,
lessons, quizzes, assignments, enrollments and lesson progress. Every demo account's
password is "learning-platform-demo". The same scale always produces the same content.

  --scale N            multiply users and courses by N (default 1). Users and courses grow
                       together: --scale 100 = 4,000 students and 3,600 courses (~0.36M rows),
                       --scale 2800 = 112,000 students and 100,800 courses (~10M rows, minutes).
                       Scales up to ${UNITS_PER_TRANSACTION} run in one transaction; larger ones commit every
                       ${UNITS_PER_TRANSACTION} units, each commit a consistent slice of the data.
  --force              seed even though the users table already has rows. The run adds another
                       batch next to the existing data: its accounts carry a batch suffix
                       (admin.b2@demo.learningplatform.dev, student1.b2@...), its course slugs
                       avoid the existing ones. Nothing existing is changed or deleted.
  --allow-production   needed when NODE_ENV=production: demo accounts have a published password.
  -h, --help           show this help.`;

function parseScale(raw: string): number {
  const scale = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(scale) || scale < 1 || scale > MAX_SCALE) {
    throw new DatabaseCommandError(
      `Error: --scale must be a whole number from 1 to ${MAX_SCALE}, got "${raw}". Scale 1 is ${UNIT.students} students and ${UNIT.courses} courses; --scale N multiplies both.`,
    );
  }
  return scale;
}

/** A redrawn bar on a terminal; a line every few seconds when stderr is a file or a pipe. */
function progressReporter(): {
  update: (done: number, total: number, phase: string) => void;
  end: () => void;
} {
  const tty = process.stderr.isTTY === true;
  let lastDraw = 0;
  let lastLine = '';
  let drawn = false;
  return {
    update(done, total, phase) {
      const fraction = total === 0 ? 1 : Math.min(1, done / total);
      const percent = Math.floor(fraction * 100);
      const now = Date.now();
      if (tty) {
        if (now - lastDraw < 100 && done < total) return;
        const width = 30;
        const filled = Math.round(fraction * width);
        const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(percent).padStart(3)}% ${phase}`;
        process.stderr.write(`\r${line.padEnd(lastLine.length)}`);
        lastLine = line;
        drawn = true;
      } else {
        const line = `seeding: ${percent}% (${phase})`;
        if (line === lastLine || (now - lastDraw < 2_000 && phase !== 'analyzing')) return;
        process.stderr.write(`${line}\n`);
        lastLine = line;
      }
      lastDraw = now;
    },
    end() {
      if (tty && drawn) process.stderr.write('\n');
    },
  };
}

function printSummary(summary: SeedSummary): void {
  const seconds = (summary.durationMs / 1000).toFixed(1);
  console.log(`Seeded demo data in ${seconds} s (scale ${summary.scale}, batch ${summary.batch}).`);
  console.log('');
  const rows = SEEDED_TABLES.map((table) => [table, summary.counts[table]] as const);
  const total = rows.reduce((sum, [, count]) => sum + count, 0);
  const width = Math.max(...rows.map(([table]) => table.length), 'total'.length);
  const countWidth = total.toLocaleString('en-US').length;
  console.log(`  ${'table'.padEnd(width)}  ${'rows'.padStart(countWidth)}`);
  for (const [table, count] of [...rows, ['total', total] as const]) {
    console.log(`  ${table.padEnd(width)}  ${count.toLocaleString('en-US').padStart(countWidth)}`);
  }
  const perSecond = Math.round(total / Math.max(summary.durationMs / 1000, 0.001));
  console.log(`  (${perSecond.toLocaleString('en-US')} rows/s)`);
  console.log('');
  const { credentials } = summary;
  console.log(`Demo accounts (password for all: ${credentials.password})`);
  console.log(`  admin       ${credentials.admin}`);
  console.log(
    `  instructor  ${credentials.instructor}  (instructor1 .. instructor${summary.scale * UNIT.instructors})`,
  );
  console.log(`  student     ${credentials.student}  (student1 .. student${summary.scale * UNIT.students})`);
}

await runCommand(
  {
    scale: { type: 'string', default: '1' },
    force: { type: 'boolean', default: false },
    'allow-production': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
  async ({ config, databaseUrl, args }) => {
    if (args.help) {
      console.log(HELP);
      return 0;
    }
    const scale = parseScale(args.scale);
    if (config.nodeEnv === 'production' && !args['allow-production']) {
      throw new DatabaseCommandError(
        'Error: NODE_ENV is production, so db:seed did nothing: demo data creates an admin account whose password ("learning-platform-demo") is published. Seed a development or staging database instead, or pass --allow-production if this really is a throwaway environment.',
      );
    }
    const { pending } = await readMigrationStatus({ databaseUrl });
    if (pending.length > 0) {
      throw new DatabaseCommandError(
        `Error: ${pending.length} migration(s) are not applied yet (first: ${pending[0]?.fileName}), so db:seed did nothing. Run \`npm run db:migrate\` first, then \`npm run db:seed\` again.`,
      );
    }

    const client = createDatabaseClient(databaseUrl, { max: 3, applicationName: 'learning-platform:seed' });
    const progress = progressReporter();
    try {
      if (!args.force && !(await isDatabaseEmpty(client.pool))) {
        const { rows } = await client.pool.query<{ count: string }>('SELECT count(*) FROM users');
        throw new DatabaseCommandError(
          `Error: the database already has ${rows[0]?.count ?? 'some'} user(s), so db:seed did nothing: demo data is meant for an empty database. Run \`npm run db:seed -- --force\` to add another batch of demo data next to the existing rows (its accounts get a batch suffix such as admin.b2@demo.learningplatform.dev; nothing existing is changed), or point DATABASE_URL at an empty database.`,
        );
      }
      let summary: SeedSummary;
      try {
        summary = await seedDemoData(client.pool, {
          scale,
          onProgress: progress.update,
          concurrency: 2,
          certificates: { signingKeys: config.certificateSigningKeys, publicApiUrl: config.publicApiUrl },
        });
      } catch (error) {
        progress.end();
        const described = describeDatabaseError(error, databaseUrl);
        if (described.code !== 'sql_error') throw described;
        const kept =
          scale <= UNITS_PER_TRANSACTION
            ? 'Nothing was written (the seed runs in one transaction).'
            : `Chunks of ${UNITS_PER_TRANSACTION} units committed before the failure were kept; empty the database or run again with --force.`;
        throw new DatabaseCommandError(
          `${described.message.replace(/\. Nothing of the failing step.*$/, '')} while seeding demo data. ${kept}`,
        );
      }
      progress.end();
      printSummary(summary);
      return 0;
    } finally {
      await client.close();
    }
  },
);
