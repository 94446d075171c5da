import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/use-test-app.js';

/**
 * Regression test for what database-outage.test.ts found when PostgreSQL stopped under load: a
 * transaction whose connection is terminated between two of its queries. Before the fixes the
 * terminated client emitted an 'error' event nobody listened to (the pool listens only on idle
 * clients), which crashed the whole API process; and once that was caught, the transaction's
 * ROLLBACK failed with "Client has encountered a connection error and is not queryable", which
 * answered 500 instead of 503.
 */

const suite = useTestApp({
  prepare: ({ app, db, database }) => {
    app.post('/terminated-transaction-for-test', async () => {
      await db.transaction(async (tx) => {
        const result = await tx.execute<{ pid: number }>(sql`select pg_backend_pid() as pid`);
        const pid = result.rows[0]?.pid;
        // From another connection, as PostgreSQL's shutdown does to every session.
        await database.pool.query('select pg_terminate_backend($1)', [pid]);
        // Let the FATAL message arrive while this transaction has no query running.
        await new Promise((resolve) => setTimeout(resolve, 200));
        await tx.execute(sql`select 1`);
      });
      return { committed: true };
    });
  },
});

describe('a transaction whose connection is terminated between two queries', () => {
  it('answers 503 problem+json, the process survives, and the pool serves the next request', async () => {
    const response = await suite.app.inject({ method: 'POST', url: '/terminated-transaction-for-test' });
    expect(response.statusCode, response.body).toBe(503);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ code: 'service_unavailable', status: 503 });
    expect(response.headers['retry-after']).toBe('5');

    // The broken client left the pool: the next requests get healthy connections.
    for (let attempt = 0; attempt < 5; attempt++) {
      const ready = await suite.app.inject({ method: 'GET', url: '/health/ready' });
      expect(ready.statusCode).toBe(200);
    }
  });
});
