/**
 * What every command that talks to Elasticsearch starts with: the loaded config, logging set
 * up from it, and a client with the global credentials. Errors become one line and an exit
 * code, never a stack trace.
 * @module
 */
import { type Config, ConfigError, formatProblem, loadConfig } from "../lib/config/mod.ts";
import { EsError } from "../lib/es/client.ts";
import { esClientFromConfig, readCaCerts } from "../lib/es/from_config.ts";
import type { EsClient } from "../lib/es/client.ts";
import { configureLogging } from "../lib/log/mod.ts";

/** Exit codes shared by all commands. */
export const EXIT = { ok: 0, failed: 1, couldNotStart: 2 } as const;

/** A failure the user must act on; `main.ts` prints its message alone and exits with `code`. */
export class CommandError extends Error {
  readonly code: number;
  constructor(message: string, code: number = EXIT.failed) {
    super(message);
    this.name = "CommandError";
    this.code = code;
  }
}

/** Config plus a client with the global credentials. */
export interface CommandContext {
  config: Config;
  es: EsClient;
  caCerts?: string;
}

/**
 * Loads the config, sets up logging and builds the global client. With `serviceTypes`, the
 * config's service types must be among them.
 */
export async function commandContext(
  options: { config: string; serviceTypes?: readonly string[] },
): Promise<CommandContext> {
  let config: Config;
  try {
    ({ config } = await loadConfig(options.config, { serviceTypes: options.serviceTypes }));
  } catch (error) {
    if (error instanceof ConfigError) {
      throw new CommandError(error.problems.map(formatProblem).join("\n"), EXIT.couldNotStart);
    }
    throw error;
  }
  configureLogging({ level: config.service.log_level, format: config.service.log_format });
  const caCerts = await readCaCerts(config);
  return { config, es: esClientFromConfig(config, { caCerts }), caCerts };
}

/** Turns any error into the line a user sees. */
export function describeError(error: unknown): string {
  if (error instanceof CommandError || error instanceof EsError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}
