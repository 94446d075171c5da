import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { RequestDurationHistogram } from '../../src/http/request-duration-histogram.js';

describe('RequestDurationHistogram', () => {
  it('exports exactly what a prom-client histogram with the same buckets exports', async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const histogram = new RequestDurationHistogram(ours);
    const reference = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Duration of HTTP requests in seconds, by method, route pattern and status code.',
      labelNames: ['method', 'route', 'status_code'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [theirs],
    });
    const observations: Array<[string, string, number, number]> = [
      ['GET', '/api/v1/courses', 200, 0.0004],
      ['GET', '/api/v1/courses', 200, 0.001],
      ['GET', '/api/v1/courses', 200, 0.0011],
      ['GET', '/api/v1/courses', 304, 0.3],
      ['POST', '/api/v1/auth/login', 401, 12],
      ['GET', '(unmatched)', 404, 0.002],
      ['GET', '/odd "route" \\ with\nescapes', 200, 10],
    ];
    for (const [method, route, status, seconds] of observations) {
      histogram.observe(method, route, status, seconds);
      reference.observe({ method, route, status_code: String(status) }, seconds);
    }
    const exported = await ours.metrics();
    expect(exported).toBe(await theirs.metrics());
    expect(exported).toContain(
      'http_request_duration_seconds_bucket{le="0.001",method="GET",route="/api/v1/courses",status_code="200"} 2',
    );
    expect(exported).toContain(
      'http_request_duration_seconds_count{method="POST",route="/api/v1/auth/login",status_code="401"} 1',
    );

    histogram.reset();
    expect(await ours.metrics()).not.toContain('_count{');
  });
});
