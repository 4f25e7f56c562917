/**
 * `connectors sync --id <connector> --full|--incremental|--access-control`: one job, now, in
 * this process. The exit code tells cron what happened: 0 completed, 1 the job ended in error
 * (or was canceled or interrupted), 2 it could not start. Overlapping runs are safe: the second
 * exits 2 and leaves the first alone.
 * @module
 */
import { Command } from "@commander-js/extra-typings";
import { CONNECTOR_TYPES } from "../connectors/registry.ts";
import { log } from "../lib/log/mod.ts";
import { stopOnSignals, SyncNotStarted, syncNow } from "../lib/service/mod.ts";
import type { ConnectorType } from "../lib/source/types.ts";
import type { JobType } from "../lib/sync/types.ts";
import { commandContext, CommandError, EXIT } from "./context.ts";

/** The `sync` command; `types` is the connector registry (tests add their own types). */
export function syncCommand(
  options: { types?: ReadonlyMap<string, ConnectorType> } = {},
): Command {
  return new Command("sync")
    .description(
      "run one sync job now, in this process, and exit (0 completed, 1 error, 2 not started)",
    )
    .requiredOption("--id <connector_id>", "the connector to sync")
    .option("--full", "full sync: everything, deleting what the source no longer has")
    .option("--incremental", "incremental sync (connectors that support it)")
    .option("--access-control", "access-control sync (document level security)")
    .option("--allow-mass-delete", "let a full sync delete more than service.max_deletion_ratio")
    .option("-c, --config <path>", "config file", "config.yml")
    .action(async (flags) => {
      const jobType = chosenJobType(flags);
      const context = await commandContext(flags);
      const stop = stopOnSignals({ graceSeconds: 10 });
      try {
        const outcome = await syncNow({
          ...context,
          types: options.types ?? CONNECTOR_TYPES,
          connectorId: flags.id,
          jobType,
          allowMassDelete: flags.allowMassDelete ?? false,
          logger: log,
          signal: stop.signal,
        });
        console.log(outcome.summary);
        if (outcome.status !== "completed") Deno.exitCode = EXIT.failed;
      } catch (error) {
        if (error instanceof SyncNotStarted) {
          throw new CommandError(error.message, EXIT.couldNotStart);
        }
        throw error;
      } finally {
        stop.dispose();
        context.es.close();
      }
    });
}

function chosenJobType(
  flags: { full?: boolean; incremental?: boolean; accessControl?: boolean },
): JobType {
  const chosen: JobType[] = [];
  if (flags.full) chosen.push("full");
  if (flags.incremental) chosen.push("incremental");
  if (flags.accessControl) chosen.push("access_control");
  if (chosen.length !== 1) {
    throw new CommandError(
      `choose exactly one of --full, --incremental or --access-control` +
        (chosen.length ? ` (got ${chosen.length})` : ""),
      EXIT.couldNotStart,
    );
  }
  return chosen[0];
}
