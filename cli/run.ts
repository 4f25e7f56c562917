/**
 * `connectors run`: the daemon. Serves the connectors of config.yml until SIGINT or SIGTERM,
 * then suspends running jobs (a later run resumes them) and exits 0. Exits 2 when it cannot
 * start (config, Elasticsearch unreachable), 1 when too many errors stopped it.
 * @module
 */
import { Command } from "@commander-js/extra-typings";
import { CONNECTOR_TYPES } from "../connectors/registry.ts";
import { ConfigError, formatProblem, requireConnectors } from "../lib/config/mod.ts";
import { log } from "../lib/log/mod.ts";
import {
  PreflightError,
  runService,
  stopOnSignals,
  TooManyServiceErrors,
} from "../lib/service/mod.ts";
import type { ConnectorType } from "../lib/source/types.ts";
import { commandContext, CommandError, EXIT } from "./context.ts";

/** The `run` command; `types` is the connector registry (tests add their own types). */
export function runCommand(
  options: { types?: ReadonlyMap<string, ConnectorType> } = {},
): Command {
  return new Command("run")
    .description("run the connector service daemon until SIGINT or SIGTERM")
    .option("-c, --config <path>", "config file", "config.yml")
    .action(async (flags) => {
      const types = options.types ?? CONNECTOR_TYPES;
      const context = await commandContext({ ...flags, serviceTypes: [...types.keys()] });
      try {
        requireConnectors(context.config, { source: flags.config });
      } catch (error) {
        if (error instanceof ConfigError) {
          throw new CommandError(error.problems.map(formatProblem).join("\n"), EXIT.couldNotStart);
        }
        throw error;
      }
      const stop = stopOnSignals({ graceSeconds: 10 });
      try {
        await runService({
          ...context,
          types,
          logger: log,
          signal: stop.signal,
        });
      } catch (error) {
        // A stop request during start-up (preflight) is a clean stop, not a failure.
        if (stop.received() && !(error instanceof TooManyServiceErrors)) {
          log.info(`stopped by ${stop.received()} before the service started`);
          return;
        }
        if (error instanceof PreflightError) {
          throw new CommandError(error.message, EXIT.couldNotStart);
        }
        throw error;
      } finally {
        stop.dispose();
        context.es.close();
      }
    });
}
