/**
 * The ceilings of `npm run bench`, in a process of their own next to the application's: a bare
 * Fastify route, and one small query through a pool the size of the application's. Prints
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
await ceiling.listen({ host: '127.0.0.1', port: 0 });

process.stdout.write(`${JSON.stringify({ ceilingPort: (ceiling.server.address() as AddressInfo).port })}\n`);

process.on('SIGTERM', async () => {
  await ceiling.close();
  await ceilingPool.end();
  process.exit(0);
});
