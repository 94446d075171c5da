import { describe, expect, it } from 'vitest';
import { spawnServer } from '../helpers/processes.js';

describe('start-up without a certificate signing key', () => {
  it('a production server refuses to start, with the one paragraph that says what to set', async () => {
    // Empty counts as unset; the database is never reached (configuration comes first).
    const server = await spawnServer({
      CERTIFICATE_SIGNING_KEYS: '',
      DATABASE_URL: 'postgresql://nobody@127.0.0.1:1/none',
    });
    const status = await server.exited;
    expect(status.code).toBe(1);
    expect(server.output()).toContain('CERTIFICATE_SIGNING_KEYS must be set in production');
    expect(server.output()).not.toMatch(/\n\s+at /);
  });
});
