/**
 * `connectors sync --id <connector> --full|--incremental|--access-control`: one job, now, in
 * this process. The exit code tells cron what happened: 0 completed, 1 the job ended in error
 * (or was canceled or interrupted), 2 it could not start. Overlapping runs are safe: the second
 * exits 2 and leaves the first alone. On a terminal a live line shows the progress on stderr;
 * the summary (or `--json`) is the only thing on stdout.
 * @module
 */
import { Command, Option } from "@commander-js/extra-typings";
import { CONNECTOR_TYPES } from "../connectors/registry.ts";
import { log } from "../lib/log/mod.ts";
import { type JobOutcome, stopOnSignals, SyncNotStarted, syncNow } from "../lib/service/mod.ts";
import type { ConnectorType } from "../lib/source/types.ts";
import { SyncProgress } from "../lib/sync/mod.ts";
import type { JobType } from "../lib/sync/types.ts";
import { commandContext, CommandError, EXIT } from "./context.ts";
import { reportProgress, stderrIsLive } from "./progress.ts";

const PROGRESS_MODES = ["auto", "json"] as const;

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
    .addOption(
      new Option(
        "--progress <mode>",
        "auto: a live line on a terminal, else a log line every 10 s; json: a JSON line per " +
          "second on stderr",
      ).choices(PROGRESS_MODES).default("auto" as const),
    )
    .option("--json", "print the outcome as one JSON object on stdout")
    .action(async (flags) => {
      const jobType = chosenJobType(flags);
      const types = options.types ?? CONNECTOR_TYPES;
      const context = await commandContext({ ...flags, serviceTypes: [...types.keys()] });
      const stop = stopOnSignals({ graceSeconds: 10 });
      const progress = new SyncProgress({ shownLive: flags.progress === "auto" && stderrIsLive() });
      const report = reportProgress(progress, { mode: flags.progress });
      let outcome: JobOutcome;
      try {
        outcome = await syncNow({
          ...context,
          types,
          connectorId: flags.id,
          jobType,
          allowMassDelete: flags.allowMassDelete ?? false,
          logger: log,
          signal: stop.signal,
          progress,
        });
      } catch (error) {
        if (error instanceof SyncNotStarted) {
          throw new CommandError(error.message, EXIT.couldNotStart);
        }
        throw error;
      } finally {
        report.stop();
        stop.dispose();
        context.es.close();
      }
      console.log(flags.json ? JSON.stringify(outcomeJson(outcome)) : outcome.summary);
      if (outcome.status !== "completed") Deno.exitCode = EXIT.failed;
    });
}

/** `--json`: the job's outcome with its counters under their job-document names. */
function outcomeJson(outcome: JobOutcome): Record<string, unknown> {
  const seconds = outcome.durationMs / 1000;
  const { stats } = outcome;
  return {
    job_id: outcome.jobId,
    job_type: outcome.jobType,
    status: outcome.status,
    error: outcome.error,
    duration_seconds: Math.round(seconds * 10) / 10,
    docs_per_sec: seconds > 0
      ? Math.round((stats.created + stats.updated + stats.deleted) / seconds * 10) / 10
      : 0,
    counters: stats,
  };
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
