/**
 * The ceilings of `npm run bench`, in a process of their own next to the application's: a bare
 * Fastify route, one small query through a pool the size of the application's, and the raw upsert
 * the progress write is compared with. Prints
 * `{"ceilingPort":…}` once listening; stops on SIGTERM.
 */
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import pg from 'pg';

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) throw new Error('bench-server needs DATABASE_URL');

const POOL_MAX = 20; // the application's default DATABASE_POOL_MAX

// Ceilings: the least a Fastify route costs here, and one small query through a pool of the same size.
const ceilingPool = new pg.Pool({ connectionString: databaseUrl, max: POOL_MAX });
const ceiling = Fastify({ logger: false });
ceiling.get('/bare', async () => ({ ok: true }));
ceiling.get('/sql', async () => {
  const { rows } = await ceilingPool.query('SELECT id, title FROM courses ORDER BY id LIMIT 1');
  return { rows };
});
// The progress write's ceiling: the same lesson_progress row upserted with one statement, no rules,
// no enrollment update, no authentication (what `PUT /me/lessons/:id/progress` adds all that to).
ceiling.put<{
  Body: {
    userId: string;
    lessonId: string;
    enrollmentId: string;
    positionSeconds: number;
    timeSpentSeconds: number;
  };
}>('/sql/lesson-progress', async (request) => {
  const { userId, lessonId, enrollmentId, positionSeconds, timeSpentSeconds } = request.body;
  const { rows } = await ceilingPool.query(
    `INSERT INTO lesson_progress (id, user_id, lesson_id, enrollment_id, status, time_spent_seconds,
       last_position_seconds, started_at)
     SELECT gen_random_uuid(), $1, $2, $3, 'in_progress', $5, $4, now()
       -- Committed asynchronously, as the route's heartbeat is: the same durability, the same wait.
       FROM (SELECT set_config('synchronous_commit', 'off', true)) AS asynchronous_commit
     ON CONFLICT (user_id, lesson_id) DO UPDATE
       SET time_spent_seconds = lesson_progress.time_spent_seconds + excluded.time_spent_seconds,
           last_position_seconds = excluded.last_position_seconds, updated_at = now()
     RETURNING status, time_spent_seconds, last_position_seconds`,
    [userId, lessonId, enrollmentId, positionSeconds, timeSpentSeconds],
  );
  return rows[0];
});
await ceiling.listen({ host: '127.0.0.1', port: 0 });

process.stdout.write(`${JSON.stringify({ ceilingPort: (ceiling.server.address() as AddressInfo).port })}\n`);

process.on('SIGTERM', async () => {
  await ceiling.close();
  await ceilingPool.end();
  process.exit(0);
});
