import Fastify, { LogController } from 'fastify';
import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { DeferredChildLogger, deferredChildLoggerFactory } from '../../src/http/deferred-child-logger.js';
import { REDACT_CENSOR } from '../../src/http/logger.js';

function capturedLogger(level: string) {
  const lines: Record<string, unknown>[] = [];
  const stream = { write: (line: string) => void lines.push(JSON.parse(line)) };
  const logger = pino({ level, redact: { paths: ['*.password'], censor: REDACT_CENSOR } }, stream);
  return { logger, lines };
}

describe('DeferredChildLogger', () => {
  it('makes no pino child while nothing is logged at an enabled level', () => {
    const { logger, lines } = capturedLogger('warn');
    const child = vi.spyOn(logger, 'child');
    const deferred = new DeferredChildLogger(logger, { requestId: 'r-1' }, {});
    deferred.info('below the level');
    deferred.debug({ detail: 1 }, 'below the level');
    expect(child).not.toHaveBeenCalled();
    expect(lines).toEqual([]);
    expect(deferred.isLevelEnabled('info')).toBe(false);
    expect(deferred.isLevelEnabled('error')).toBe(true);
  });

  it('writes enabled lines with its bindings, the parent’s redaction and printf-style arguments', () => {
    const { logger, lines } = capturedLogger('info');
    const deferred = new DeferredChildLogger(logger, { requestId: 'r-2' }, {});
    deferred.warn({ user: { password: 'hunter2' } }, 'attempt %d of %s', 3, 'five');
    deferred.info('second line');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      level: 40,
      requestId: 'r-2',
      user: { password: REDACT_CENSOR },
      msg: 'attempt 3 of five',
    });
    expect(lines[1]).toMatchObject({ level: 30, requestId: 'r-2', msg: 'second line' });
    expect(deferred.bindings()).toEqual({ requestId: 'r-2' });
  });

  it('follows a level given in its options (a route’s logLevel) over the parent’s', () => {
    const { logger, lines } = capturedLogger('info');
    const quiet = new DeferredChildLogger(logger, { requestId: 'r-3' }, { level: 'warn' });
    quiet.info('suppressed');
    quiet.error('kept');
    expect(lines.map((line) => line.msg)).toEqual(['kept']);
    expect(quiet.level).toBe('warn');

    const verbose = new DeferredChildLogger(logger, { requestId: 'r-4' }, { level: 'debug' });
    verbose.debug('kept at debug');
    expect(lines.at(-1)).toMatchObject({ level: 20, requestId: 'r-4', msg: 'kept at debug' });
  });

  it('logs nothing at all at level silent, and a level set on it applies from then on', () => {
    const { logger, lines } = capturedLogger('silent');
    const deferred = new DeferredChildLogger(logger, { requestId: 'r-5' }, {});
    deferred.fatal('not written');
    expect(lines).toEqual([]);
    deferred.level = 'info';
    deferred.info('written after the change');
    expect(lines).toEqual([expect.objectContaining({ requestId: 'r-5', msg: 'written after the change' })]);
  });

  it('gives Fastify requests loggers that carry the request id and honour route log levels', async () => {
    const { logger, lines } = capturedLogger('info');
    const app = Fastify({
      loggerInstance: logger,
      childLoggerFactory: deferredChildLoggerFactory,
      logController: new LogController({ disableRequestLogging: true }),
    });
    app.get('/loud', async (request) => {
      request.log.info('handler line');
      return { ok: true };
    });
    app.get('/quiet', { logLevel: 'warn' }, async (request) => {
      request.log.info('suppressed by the route level');
      request.log.warn('route warning');
      return { ok: true };
    });
    try {
      await app.inject({ method: 'GET', url: '/loud' });
      await app.inject({ method: 'GET', url: '/quiet' });
      expect(lines.map((line) => line.msg)).toEqual(['handler line', 'route warning']);
      expect(typeof lines[0]?.reqId).toBe('string');
      expect(lines[1]?.reqId).not.toBe(lines[0]?.reqId);
    } finally {
      await app.close();
    }
  });
});
