import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { hashPassword, passwordWork, verifyPassword } from '../../src/infrastructure/security/password.js';

describe('password hashing', () => {
  it('stores argon2id hashes that verify the password and nothing else', async () => {
    const stored = await hashPassword('correct horse battery staple');
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(stored, 'correct horse battery staple')).toBe(true);
    expect(await verifyPassword(stored, 'correct horse battery stapler')).toBe(false);
    expect(await verifyPassword('not-a-hash', 'anything')).toBe(false);
  });

  it('runs at most one hash per core at a time and queues the rest of a burst', async () => {
    const cores = availableParallelism();
    const burst = Array.from({ length: cores + 3 }, (_, i) =>
      i % 2 === 0 ? hashPassword(`burst password ${i}`) : verifyPassword('not-a-hash', 'x'),
    );
    expect(passwordWork()).toEqual({ running: Math.min(cores, burst.length), waiting: 3 });
    await Promise.all(burst);
    expect(passwordWork()).toEqual({ running: 0, waiting: 0 });
  });
});
