import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions, Level, Logger } from 'pino';

type LevelMethod = (...args: unknown[]) => void;

/**
 * A request's logger that becomes a pino child only when something is logged at an enabled level.
 *
 * Fastify gives every request `logger.child({ requestId })`, and pino serialises a child's bindings
 * when the child is made — through the redaction paths' wildcard stringifier — which cost 5–6% of a
 * cached catalog read's CPU even when nothing was logged (LOG_LEVEL=warn and above, or routes with a
 * quiet `logLevel`). Lines that are written carry the same bindings and options as before.
 */
export class DeferredChildLogger implements FastifyBaseLogger {
  #child: FastifyBaseLogger | undefined;
  readonly #parent: Logger;
  readonly #bindings: Bindings;
  readonly #options: ChildLoggerOptions;

  constructor(parent: Logger, bindings: Bindings, options: ChildLoggerOptions) {
    this.#parent = parent;
    this.#bindings = bindings;
    this.#options = options;
  }

  get level(): string {
    return this.#child?.level ?? this.#options.level ?? this.#parent.level;
  }

  set level(level: string) {
    this.#materialised().level = level;
  }

  isLevelEnabled(level: string): boolean {
    const values = this.#parent.levels.values;
    const threshold = values[this.level];
    return threshold !== undefined && values[level] !== undefined && values[level] >= threshold;
  }

  fatal(...args: unknown[]): void {
    this.#write('fatal', args);
  }

  error(...args: unknown[]): void {
    this.#write('error', args);
  }

  warn(...args: unknown[]): void {
    this.#write('warn', args);
  }

  info(...args: unknown[]): void {
    this.#write('info', args);
  }

  debug(...args: unknown[]): void {
    this.#write('debug', args);
  }

  trace(...args: unknown[]): void {
    this.#write('trace', args);
  }

  silent(): void {}

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.#materialised().child(bindings, options);
  }

  /** The bindings a written line carries (pino's `bindings()`, without making the child). */
  bindings(): Bindings {
    return this.#child
      ? (this.#child as Logger).bindings()
      : { ...this.#parent.bindings(), ...this.#bindings };
  }

  #write(level: Level, args: unknown[]): void {
    if (this.#child === undefined && !this.isLevelEnabled(level)) return;
    const logger = this.#materialised();
    (logger[level] as LevelMethod).apply(logger, args);
  }

  #materialised(): FastifyBaseLogger {
    this.#child ??= this.#parent.child(this.#bindings, this.#options);
    return this.#child;
  }
}

/** Fastify's `childLoggerFactory`: see DeferredChildLogger. */
export function deferredChildLoggerFactory(
  logger: FastifyBaseLogger,
  bindings: Bindings,
  options: ChildLoggerOptions,
): FastifyBaseLogger {
  return new DeferredChildLogger(logger as Logger, bindings, options);
}
