/**
 * The job queue's scenarios of `npm run bench` (`--only jobs` runs just these): enqueueing 10,000 jobs
 * in one transaction, and a worker draining 10,000 no-op jobs, with the worker settings `npm start`
 * ships (WORKER_CONCURRENCY, WORKER_FETCH_BATCH defaults, or those variables when set). Not HTTP: they run in this process against
 * a fresh migrated database of their own; each is measured `rounds` times and the median reported.
 * The third, bulk enrolment of 5,000 students (bench/bulk-enrol.bench.ts, `--only bulk`), runs the
 * whole application in this process, its worker included.
 */
import { sql } from 'drizzle-orm';
import { createDatabaseClient } from '../src/infrastructure/database/client/client.js';
import { createJobQueue, type JobSpec } from '../src/infrastructure/jobs/job-queue.js';
import { startJobRunner } from '../src/infrastructure/jobs/job-runner.js';
import { BULK_STUDENTS, BULK_TARGET_MS, measureBulkEnrolment } from './bulk-enrol.bench.js';
import { benchProductionConfig, createBenchDatabase } from './harness.js';

interface BenchTasks {
  'bench.noop': { n: number };
}

export const JOB_COUNT = 10_000;
/** The targets. */
export const ENQUEUE_TARGET_MS = 1_000;
export const DRAIN_TARGET_PER_SECOND = 2_000;

export interface JobScenarioResult {
  name: string;
  /** The median round. */
  value: number;
  unit: 'ms' | 'jobs/s';
  rounds: number[];
  target: string;
  met: boolean;
  note: string;
}

export const JOB_SCENARIO_NAMES = [
  'jobs: enqueue 10,000 in one transaction',
  'jobs: drain 10,000 no-op jobs',
  'jobs: bulk enrolment of 5,000 students, request to completed',
];

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const silent = { error() {}, warn() {}, info() {}, debug() {} };

export async function runJobScenarios(
  serverUrl: string,
  options: { rounds: number; only?: string },
): Promise<JobScenarioResult[]> {
  const wanted = JOB_SCENARIO_NAMES.filter((name) => !options.only || name.includes(options.only));
  if (wanted.length === 0) return [];
  const defaults = benchProductionConfig().jobs;
  const database = await createBenchDatabase(serverUrl);
  const client = createDatabaseClient(database.url, { max: 4, applicationName: 'bench:jobs' });
  const queue = createJobQueue<BenchTasks>(client.db);
  let handled = 0;
  let onHandled = () => {};
  queue.define({
    'bench.noop': {
      handler: async () => {
        handled++;
        onHandled();
      },
    },
  });
  const jobs: JobSpec<BenchTasks>[] = Array.from({ length: JOB_COUNT }, (_, n) => ({
    task: 'bench.noop',
    payload: { n },
  }));
  const clear = () => client.db.execute(sql`DELETE FROM graphile_worker._private_jobs`);
  const remaining = async () =>
    (
      await client.db.execute<{ count: number }>(
        sql`SELECT count(*)::int AS count FROM graphile_worker._private_jobs`,
      )
    ).rows[0]?.count ?? 0;
  const results: JobScenarioResult[] = [];

  try {
    if (wanted.includes(JOB_SCENARIO_NAMES[0]!)) {
      const rounds: number[] = [];
      for (let round = 0; round < options.rounds + 1; round++) {
        await clear();
        const started = performance.now();
        await client.db.transaction((tx) => queue.enqueueMany(tx, jobs));
        const elapsed = Math.round(performance.now() - started);
        // The first round warms the connection and the planner up.
        if (round > 0) rounds.push(elapsed);
      }
      const value = median(rounds);
      results.push({
        name: JOB_SCENARIO_NAMES[0]!,
        value,
        unit: 'ms',
        rounds,
        target: `< ${ENQUEUE_TARGET_MS} ms`,
        met: value < ENQUEUE_TARGET_MS,
        note: 'one `add_jobs` statement through enqueueMany, committed',
      });
      console.log(`${JOB_SCENARIO_NAMES[0]}: ${value} ms (rounds ${rounds.join(', ')} ms)`);
    }

    if (wanted.includes(JOB_SCENARIO_NAMES[1]!)) {
      const rounds: number[] = [];
      for (let round = 0; round < options.rounds; round++) {
        await clear();
        await client.db.transaction((tx) => queue.enqueueMany(tx, jobs));
        handled = 0;
        const allHandled = new Promise<void>((resolve) => {
          onHandled = () => {
            if (handled === JOB_COUNT) resolve();
          };
        });
        const started = performance.now();
        const runner = await startJobRunner({
          databaseUrl: database.url,
          queue,
          concurrency: defaults.concurrency,
          fetchBatchSize: defaults.fetchBatchSize,
          log: silent,
        });
        await allHandled;
        // Drained means completed too: every job row deleted.
        while ((await remaining()) > 0) await new Promise((resolve) => setTimeout(resolve, 5));
        const seconds = (performance.now() - started) / 1000;
        await runner.stop();
        rounds.push(Math.round(JOB_COUNT / seconds));
      }
      const value = median(rounds);
      results.push({
        name: JOB_SCENARIO_NAMES[1]!,
        value,
        unit: 'jobs/s',
        rounds,
        target: `>= ${DRAIN_TARGET_PER_SECOND} jobs/s`,
        met: value >= DRAIN_TARGET_PER_SECOND,
        note: `one worker, concurrency ${defaults.concurrency}, fetch batch ${defaults.fetchBatchSize}, from start-up to the last job deleted`,
      });
      console.log(`${JOB_SCENARIO_NAMES[1]}: ${value} jobs/s (rounds ${rounds.join(', ')})`);
    }

    if (wanted.includes(JOB_SCENARIO_NAMES[2]!)) {
      const measured = await measureBulkEnrolment(serverUrl, options.rounds);
      const rounds = measured.map((round) => round.ms);
      const value = median(rounds);
      const enrolled = measured.every((round) => round.counts.enrolled === BULK_STUDENTS);
      const concurrent = measured.flatMap((round) => round.concurrentEnrolMs).sort((a, b) => a - b);
      const singleP50 = Math.round(concurrent[Math.floor(concurrent.length / 2)] ?? 0);
      const singleMax = Math.round(concurrent.at(-1) ?? 0);
      results.push({
        name: JOB_SCENARIO_NAMES[2]!,
        value,
        unit: 'ms',
        rounds,
        target: `< ${BULK_TARGET_MS} ms`,
        met: value < BULK_TARGET_MS && enrolled,
        note: `POST of ${BULK_STUDENTS} addresses to \`completed\` (in-process worker, chunks of 1,000)${enrolled ? '' : '; NOT every row enrolled'}; meanwhile ${concurrent.length} single enrolments in the same course took p50 ${singleP50} ms, max ${singleMax} ms`,
      });
      console.log(
        `${JOB_SCENARIO_NAMES[2]}: ${value} ms (rounds ${rounds.join(', ')} ms; target < ${BULK_TARGET_MS} ms); ${concurrent.length} single enrolments in the same course meanwhile: p50 ${singleP50} ms, max ${singleMax} ms`,
      );
    }
  } finally {
    await client.close();
    await database.drop();
  }
  return results;
}
