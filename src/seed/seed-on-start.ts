import type pg from 'pg';
import type { Config } from '../config.js';
import { isDatabaseEmpty, seedDemoData } from './seed-demo-data.js';

/**
 * SEED_DEMO_ON_START: `npm start` on a database without users loads the demo data (scale 1, as
 * `npm run db:seed` would), so that a fresh clone has a catalog to browse and accounts to sign in
 * with. Returns the line for the operator, or undefined when the database already had users.
 */
export async function seedEmptyDatabaseOnStart(
  pool: pg.Pool,
  config: Pick<Config, 'certificateSigningKeys' | 'publicApiUrl'>,
): Promise<string | undefined> {
  if (!(await isDatabaseEmpty(pool))) return undefined;
  const { credentials } = await seedDemoData(pool, {
    scale: 1,
    certificates: { signingKeys: config.certificateSigningKeys, publicApiUrl: config.publicApiUrl },
  });
  return `Demo data loaded (empty database). Sign in with password "${credentials.password}" as ${credentials.admin}, ${credentials.instructor} or ${credentials.student}`;
}
