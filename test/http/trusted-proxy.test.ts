import { describe, expect, it } from 'vitest';
import { type Config, ConfigError, parseConfig } from '../../src/config.js';
import { useTestApp } from '../helpers/use-test-app.js';

/**
 * Behind a proxy that appends to X-Forwarded-For, the left-most entries are whatever the client sent:
 * keying the limiter on them let a client rotate them for unlimited password-reset requests and logins.
 */
const AUTH_PER_MINUTE = 3;
const trustProxy = (value: string): Config['trustProxy'] =>
  parseConfig({ NODE_ENV: 'test', TRUST_PROXY: value }).trustProxy;

describe.each([
  { hops: 1, setting: '1', proxies: ['10.9.0.1'] },
  { hops: 2, setting: '2', proxies: ['203.0.113.7', '10.9.0.1'] },
  { hops: 2, setting: '10.9.0.0/16, 203.0.113.0/24', proxies: ['203.0.113.7', '10.9.0.1'] },
])('TRUST_PROXY=$setting: the client address through $hops proxies', ({ setting, proxies }) => {
  const suite = useTestApp({
    config: { trustProxy: trustProxy(setting) },
    rateLimit: { globalPerMinute: 10_000, authPerMinute: AUTH_PER_MINUTE },
  });

  /** A request from `client`, through the proxies: each appends the address it received from. */
  const resetFrom = (client: string, spoofed: string) => {
    // The first proxy appends the client's address to what the client sent; each later one the previous proxy's.
    const chain = [spoofed, client, ...proxies.slice(0, -1)];
    return suite.app.inject({
      method: 'POST',
      url: '/api/v1/auth/password-reset',
      remoteAddress: proxies.at(-1)!,
      headers: { 'x-forwarded-for': chain.join(', ') },
      payload: { email: 'someone@example.com' },
    });
  };

  it('ignores entries the client wrote: rotating them does not reset its limit', async () => {
    const statuses: number[] = [];
    for (let i = 0; i <= AUTH_PER_MINUTE + 2; i++) {
      statuses.push((await resetFrom('198.51.100.10', `192.0.2.${i + 1}`)).statusCode);
    }
    expect(statuses).toEqual([...Array(AUTH_PER_MINUTE).fill(202), 429, 429, 429]);
    // Another real client behind the same proxies has its own allowance.
    expect((await resetFrom('198.51.100.11', '192.0.2.1')).statusCode).toBe(202);
  });
});

describe('TRUST_PROXY settings', () => {
  it('accepts false, a hop count, and addresses/CIDRs; refuses true and nonsense', () => {
    expect(trustProxy('false')).toBe(false);
    expect(trustProxy('2')).toBe(2);
    expect(trustProxy('10.0.0.0/8,::1, loopback')).toEqual(['10.0.0.0/8', '::1', 'loopback']);
    expect(() => trustProxy('true')).toThrow(ConfigError);
    expect(() => trustProxy('10.0.0.0/33')).toThrow(ConfigError);
    expect(() => trustProxy('proxy.example.com')).toThrow(ConfigError);
  });
});
