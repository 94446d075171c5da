import { buildApp } from '../src/app.js';
import { parseConfig } from '../src/config.js';
import { createDatabaseClient } from '../src/infrastructure/database/client/client.js';
import type { Mailer } from '../src/infrastructure/mail/mailer.js';

/**
 * The OpenAPI document exactly as `GET /openapi.json` serves it, built in-process without a database,
 * Redis or a listening socket: building the app only creates a pool (it connects on the first query,
 * and documenting the routes runs none), so the lint needs no running services.
 */
export async function buildOpenApiDocument(): Promise<unknown> {
  // Never dialled: nothing queries while the document is generated.
  const config = parseConfig({ NODE_ENV: 'test', DATABASE_URL: 'postgresql://openapi@127.0.0.1:9/unused' });
  const database = createDatabaseClient(config.databaseUrl!, { max: 1 });
  const mailer: Mailer = {
    send: async () => {
      throw new Error('generating the OpenAPI document sends no email');
    },
    close: () => {},
  };
  const app = await buildApp({ config, database, logger: false, mailer, ownsDatabase: true });
  try {
    const response = await app.inject({ method: 'GET', url: '/openapi.json' });
    if (response.statusCode !== 200) throw new Error(`/openapi.json answered ${response.statusCode}`);
    return response.json();
  } finally {
    await app.close();
  }
}
