import { type ParseArgsConfig, parseArgs } from 'node:util';
import { type Config, ConfigError, loadConfig } from '../config.js';
import {
  DatabaseCommandError,
  describeDatabaseError,
} from '../infrastructure/database/client/database-errors.js';
import { resolveDatabase } from '../infrastructure/database/client/resolve-database.js';

export interface CommandContext<Values> {
  config: Config;
  /** DATABASE_URL, or the embedded server's URL (started for the command and stopped after it). */
  databaseUrl: string;
  embedded: boolean;
  args: Values;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Shared frame of every db:* command: parse flags, load config, find the database, run, and turn
 * any failure into one paragraph on stderr with exit code 1 (never a stack trace).
 */
export async function runCommand<O extends Options>(
  options: O,
  main: (
    context: CommandContext<ReturnType<typeof parseArgs<{ options: O }>>['values']>,
  ) => Promise<number | undefined>,
): Promise<void> {
  let release = async () => {};
  let databaseUrl = '';
  let exitCode = 1;
  try {
    const { values } = parseArgs({ options, allowPositionals: false, strict: true });
    const config = loadConfig();
    const database = await resolveDatabase(config);
    release = database.release;
    databaseUrl = database.url;
    exitCode = (await main({ config, databaseUrl, embedded: database.embedded, args: values })) ?? 0;
  } catch (error) {
    const message =
      error instanceof ConfigError || error instanceof DatabaseCommandError
        ? error.message
        : error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')
          ? `${error.message}. See the README's "Database commands" section for the flags each command takes.`
          : describeDatabaseError(error, databaseUrl).message;
    process.stderr.write(`${message}\n`);
    exitCode = 1;
  } finally {
    await release().catch(() => {});
  }
  process.exit(exitCode);
}
