/**
 * `connectors job start|list|view|cancel`: on-demand sync jobs without Kibana. Unlike the
 * reference CLI, a failed start exits 1, and cancel records `cancelation_requested_at` the way
 * Elasticsearch's `_cancel` does (brief §8.21). `view --follow` watches a job until it ends.
 * @module
 */
import { Command, Option } from "@commander-js/extra-typings";
import {
  ConnectorIndex,
  ensureProtocolIndices,
  type JobStatus,
  type JobType,
  readFeatures,
  type Stored,
  type SyncJobDoc,
  SyncJobIndex,
} from "../lib/protocol/mod.ts";
import { confirm } from "./confirm.ts";
import { findConnector, findJob, knownConnectorType } from "./connector_lookup.ts";
import { log } from "../lib/log/mod.ts";
import { describeProgress, JOB_TYPES } from "../lib/sync/mod.ts";
import { commandContext, CommandError, EXIT } from "./context.ts";
import { cell, jsonOption, outputOption, printFields, printJson, short, when } from "./output.ts";
import { LiveLine, stderrIsLive } from "./progress.ts";
import { followJob, jobProgress } from "./progress_follow.ts";
import { redactConfiguration } from "./redact.ts";
import { printTable } from "./table.ts";

const JOB_STATUSES: readonly JobStatus[] = [
  "pending",
  "in_progress",
  "canceling",
  "canceled",
  "suspended",
  "completed",
  "error",
];

/** The `job` command group. */
export function jobCommand(): Command {
  const group = new Command("job").description("start, list, view and cancel sync jobs");

  group.command("start")
    .description("queue an on-demand sync job for a connector")
    .requiredOption("-i, --connector-id <id>", "connector id")
    .addOption(
      new Option("-t, --type <type>", "job type").choices(JOB_TYPES).makeOptionMandatory(),
    )
    .option("-c, --config <path>", "config file", "config.yml")
    .addOption(outputOption())
    .addOption(jsonOption())
    .action(async (options) => {
      const { es } = await commandContext(options);
      const connector = await findConnector(new ConnectorIndex(es), options.connectorId);
      const jobType: JobType = options.type;
      const features = readFeatures(connector.doc.features);
      const supported = jobType === "full" ||
        (jobType === "incremental" && features.incrementalSync) ||
        (jobType === "access_control" && features.documentLevelSecurity);
      if (!supported) {
        const what = jobType === "incremental" ? "incremental sync" : "document level security";
        throw new CommandError(
          `connector ${connector.id} (${connector.doc.service_type}) does not have ${what} ` +
            `enabled in its features; start a full sync instead`,
        );
      }
      await ensureProtocolIndices(es);
      const job = await new SyncJobIndex(es).create({
        connector,
        jobType,
        triggerMethod: "on_demand",
      });
      const status = connector.doc.status;
      if (status === "created" || status === "needs_configuration") {
        console.error(
          `connectors: connector ${connector.id} is ${status}; the service runs the job once ` +
            `the connector is configured (connectors connector set-config)`,
        );
      }
      if (options.output === "json") {
        printJson({
          id: job.id,
          connector_id: connector.id,
          job_type: jobType,
          status: job.doc.status,
        });
      } else {
        console.log(`Started ${jobType} sync job ${job.id} for connector ${connector.id}.`);
      }
    });

  group.command("list")
    .description("a connector's sync jobs, oldest first")
    .argument("<connector_id>", "connector id")
    .addOption(new Option("--status <status>", "only jobs with this status").choices(JOB_STATUSES))
    .option("-c, --config <path>", "config file", "config.yml")
    .addOption(outputOption())
    .addOption(jsonOption())
    .action(async (connectorId, options) => {
      const { es } = await commandContext(options);
      await findConnector(new ConnectorIndex(es), connectorId, { deleted: true });
      const filter = options.status ? { statuses: [options.status] } : {};
      const jobs = await Array.fromAsync(new SyncJobIndex(es).byConnector(connectorId, filter));
      if (options.output === "json") {
        printJson(jobs.map(jobJson));
        return;
      }
      printTable(
        ["JOB ID", "TYPE", "STATUS", "INDEXED", "DELETED", "VOLUME (MiB)", "CREATED", "ERROR"],
        jobs.map(({ id, doc }) => [
          id,
          doc.job_type,
          doc.status,
          cell(doc.indexed_document_count ?? 0),
          cell(doc.deleted_document_count ?? 0),
          cell(doc.indexed_document_volume ?? 0),
          when(doc.created_at),
          short(doc.error, 40),
        ]),
      );
    });

  group.command("view")
    .description("one sync job: status, counters, progress, timing and error")
    .argument("<job_id>", "sync job id")
    .option(
      "-f, --follow",
      "follow the job live until it ends, then print it; exit 0 only if it completed",
    )
    .option("-c, --config <path>", "config file", "config.yml")
    .addOption(outputOption())
    .addOption(jsonOption())
    .action(async (jobId, options) => {
      const { es } = await commandContext(options);
      const jobs = new SyncJobIndex(es);
      let job = await findJob(jobs, jobId);
      const json = options.output === "json";
      if (options.follow) {
        job = await follow(jobs, { jobId, json });
        if (job.doc.status !== "completed") Deno.exitCode = EXIT.failed;
      }
      if (json) {
        printJson(jobJson(job));
        return;
      }
      const { doc } = job;
      const { progress, ...metadata } = doc.metadata ?? {};
      printFields([
        ["job_id", job.id],
        ["connector_id", doc.connector?.id],
        ["index_name", doc.connector?.index_name],
        ["status", doc.status],
        ["job_type", doc.job_type],
        ["trigger_method", doc.trigger_method],
        ["indexed_document_count", doc.indexed_document_count],
        ["indexed_document_volume (MiB)", doc.indexed_document_volume],
        ["deleted_document_count", doc.deleted_document_count],
        ["total_document_count", doc.total_document_count],
        ["created_at", doc.created_at],
        ["started_at", doc.started_at],
        ["last_seen", doc.last_seen],
        ["completed_at", doc.completed_at],
        ["cancelation_requested_at", doc.cancelation_requested_at],
        ["canceled_at", doc.canceled_at],
        ["error", doc.error],
        ["worker_hostname", doc.worker_hostname],
        ["progress", progress ? describeProgress(jobProgress(doc)) : null],
        ["metadata", Object.keys(metadata).length > 0 ? metadata : null],
      ]);
    });

  group.command("cancel")
    .description("cancel a sync job: a waiting one at once, a running one via its worker")
    .argument("<job_id>", "sync job id")
    .option("-c, --config <path>", "config file", "config.yml")
    .option("-y, --yes", "do not ask for confirmation")
    .action(async (jobId, options) => {
      const { es } = await commandContext(options);
      const jobs = new SyncJobIndex(es);
      const job = await findJob(jobs, jobId);
      confirm(
        `Cancel ${job.doc.job_type} sync job ${jobId} of connector ${job.doc.connector?.id} ` +
          `(status ${job.doc.status})?`,
        options,
      );
      const outcome = await jobs.requestCancel(jobId);
      if (outcome === "canceled") {
        console.log(`Canceled job ${jobId} (it had not started).`);
      } else if (outcome === "canceling") {
        console.log(
          `Requested cancellation of job ${jobId}: status canceling; the worker running it ` +
            `stops it and marks it canceled.`,
        );
      } else {
        const after = await jobs.get(jobId);
        throw new CommandError(
          `job ${jobId} already ended with status ${after?.doc.status ?? job.doc.status}; ` +
            `nothing to cancel`,
        );
      }
    });

  return group;
}

/**
 * Follows a job until it ends: a live line on stderr when it is a terminal, else a line per
 * change (on stderr with `--json`, whose stdout holds only the final document). Ctrl-C stops
 * following, not the job.
 */
async function follow(
  jobs: SyncJobIndex,
  options: { jobId: string; json: boolean },
): Promise<Stored<SyncJobDoc>> {
  const { jobId } = options;
  const stop = new AbortController();
  const onInterrupt = () => stop.abort();
  Deno.addSignalListener("SIGINT", onInterrupt);
  try {
    return await followJob({
      jobs,
      jobId,
      line: stderrIsLive() ? new LiveLine() : undefined,
      print: options.json ? (line) => console.error(line) : (line) => console.log(line),
      warn: (message) => log.warn(message),
      signal: stop.signal,
    });
  } catch (error) {
    if (stop.signal.aborted) {
      throw new CommandError(`stopped following job ${jobId}; the job itself goes on`, 130);
    }
    throw error;
  } finally {
    Deno.removeSignalListener("SIGINT", onInterrupt);
  }
}

/** The job as printed by `-o json`: its document with the id, secrets hidden. */
function jobJson({ id, doc }: Stored<SyncJobDoc>): Record<string, unknown> {
  const connector = doc.connector
    ? {
      ...doc.connector,
      configuration: redactConfiguration(
        doc.connector.configuration,
        knownConnectorType(doc.connector.service_type)?.configSchema,
      ),
    }
    : doc.connector;
  return { id, ...doc, connector };
}
