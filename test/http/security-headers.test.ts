import { describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/use-test-app.js';

const FRONT_END = 'https://app.example.com';
const METRICS_TOKEN = 'metrics-token-for-the-test-0123456789';

describe('hardening headers, CORS, metrics token and what the per-client limit counts', () => {
  const suite = useTestApp({
    config: { corsOrigins: [FRONT_END], metricsToken: METRICS_TOKEN },
    rateLimit: { globalPerMinute: 3, authPerMinute: 3, exemptHealthProbes: true },
  });
  const production = useTestApp({ config: { nodeEnv: 'production' } });

  let address = 0;
  const nextAddress = () => `192.0.2.${++address}`;

  /** Every hardening header and its value (helmet's, for the options this API gave it before). */
  const HARDENING = {
    'content-security-policy': "default-src 'none';frame-ancestors 'none';base-uri 'none';form-action 'none'",
    'cross-origin-opener-policy': 'same-origin',
    'origin-agent-cluster': '?1',
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'x-dns-prefetch-control': 'off',
    'x-download-options': 'noopen',
    'x-frame-options': 'DENY',
    'x-permitted-cross-domain-policies': 'none',
    'x-xss-protection': '0',
  };
  const hardeningOf = (headers: Record<string, unknown>) =>
    Object.fromEntries(
      Object.entries(headers).filter(
        ([name]) =>
          name in HARDENING || name.startsWith('cross-origin-') || name === 'strict-transport-security',
      ),
    );

  it('sets nosniff, Referrer-Policy, X-Frame-Options and a CSP with frame-ancestors on every answer; HSTS only in production', async () => {
    for (const url of ['/api/v1/courses', '/health/live', '/api/v1/nowhere']) {
      const response = await suite.app.inject({ method: 'GET', url, remoteAddress: nextAddress() });
      expect(response.headers['x-content-type-options'], url).toBe('nosniff');
      expect(response.headers['referrer-policy'], url).toBe('no-referrer');
      expect(response.headers['x-frame-options'], url).toBe('DENY');
      expect(String(response.headers['content-security-policy']), url).toContain("frame-ancestors 'none'");
      expect(response.headers['strict-transport-security'], url).toBeUndefined();
    }
    const secure = await production.app.inject({ method: 'GET', url: '/health/live' });
    expect(String(secure.headers['strict-transport-security'])).toMatch(/max-age=\d+/);
  });

  it('sends exactly the same hardening headers on answers, errors, unknown routes and wrong methods', async () => {
    const requests = [
      { method: 'GET', url: '/api/v1/courses' },
      { method: 'GET', url: '/health/live' },
      { method: 'GET', url: '/api/v1/nowhere' },
      { method: 'PATCH', url: '/health/live' },
      { method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'text/plain' }, payload: 'x' },
      { method: 'GET', url: '/openapi.json' },
    ] as const;
    for (const request of requests) {
      const label = `${request.method} ${request.url}`;
      const answer = await suite.app.inject({ ...request, remoteAddress: nextAddress() });
      // CORS_ORIGINS lists a front end: the resource policy lets it read responses.
      expect(hardeningOf(answer.headers), label).toEqual({
        ...HARDENING,
        'cross-origin-resource-policy': 'cross-origin',
      });
      const secure = await production.app.inject({ ...request, remoteAddress: nextAddress() });
      expect(hardeningOf(secure.headers), label).toEqual({
        ...HARDENING,
        'cross-origin-resource-policy': 'same-origin',
        'strict-transport-security': 'max-age=31536000; includeSubDomains',
      });
      expect(secure.headers['x-powered-by'], label).toBeUndefined();
    }
  });

  it('gives /docs a CSP that lets the reference run (its script, inline configuration) and nothing frame it', async () => {
    const page = await suite.app.inject({ method: 'GET', url: '/docs/', remoteAddress: nextAddress() });
    expect(page.statusCode).toBe(200);
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self' 'unsafe-inline'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    const api = await suite.app.inject({
      method: 'GET',
      url: '/api/v1/courses',
      remoteAddress: nextAddress(),
    });
    expect(String(api.headers['content-security-policy'])).toContain("default-src 'none'");
  });

  it('answers a CORS preflight from an allowed origin, without credentials; other origins get no CORS headers', async () => {
    const preflight = (origin: string) =>
      suite.app.inject({
        method: 'OPTIONS',
        url: '/api/v1/courses',
        remoteAddress: nextAddress(),
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization, content-type',
        },
      });
    const allowed = await preflight(FRONT_END);
    expect(allowed.statusCode).toBe(204);
    expect(allowed.headers['access-control-allow-origin']).toBe(FRONT_END);
    expect(String(allowed.headers['access-control-allow-headers'])).toContain('authorization');
    expect(allowed.headers['access-control-allow-credentials']).toBeUndefined();
    const other = await preflight('https://evil.example.net');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('needs the metrics token on /metrics: 401 problem without it or with a wrong one', async () => {
    const metrics = (authorization?: string) =>
      suite.app.inject({
        method: 'GET',
        url: '/metrics',
        remoteAddress: nextAddress(),
        headers: authorization === undefined ? {} : { authorization },
      });
    for (const authorization of [undefined, 'Bearer wrong-token-of-some-length', METRICS_TOKEN]) {
      const refused = await metrics(authorization);
      expect(refused.statusCode, String(authorization)).toBe(401);
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(refused.body).not.toContain('process_cpu');
    }
    const allowed = await metrics(`Bearer ${METRICS_TOKEN}`);
    expect(allowed.statusCode).toBe(200);
    expect(allowed.body).toContain('process_cpu');
  });

  it('leaves health probes out of the per-client limit, and counts unknown routes like the rest', async () => {
    const probe = nextAddress();
    for (let i = 0; i < 6; i++) {
      expect(
        (await suite.app.inject({ method: 'GET', url: '/health/live', remoteAddress: probe })).statusCode,
      ).toBe(200);
    }
    const scanner = nextAddress();
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      statuses.push(
        (await suite.app.inject({ method: 'GET', url: `/api/v1/guess-${i}`, remoteAddress: scanner }))
          .statusCode,
      );
    }
    expect(statuses).toEqual([404, 404, 404, 429, 429]);
  });
});
