/**
 * `connectors sync`: one job of one connector, now, in this process. Everything that would make
 * the job pointless or harmful is checked before a job document exists, so a refused start
 * leaves no trace: a missing or unconfigured connector, invalid configuration or rules, and
 * another running job of the same kind (overlapping cron runs).
 * @module
 */
import type { Config } from "../config/mod.ts";
import type { EsClient } from "../es/client.ts";
import { esClientFromConfig } from "../es/from_config.ts";
import type { Logger } from "../log/mod.ts";
import {
  ACTIVE_JOB_STATUSES,
  activeFilter,
  type ConnectorDoc,
  ConnectorIndex,
  ensureProtocolIndices,
  kindJobTypes,
  mirrorFields,
  pipelineOf,
  type Stored,
  type SyncJobDoc,
  SyncJobIndex,
  syncKind,
  WAITING_JOB_STATUSES,
} from "../protocol/mod.ts";
import type { ConnectorType } from "../source/types.ts";
import type { SyncProgress } from "../sync/progress.ts";
import type { JobType } from "../sync/types.ts";
import { sleep } from "../util/retry.ts";
import { failIdleJob, repairStaleMarker, STALE_MARKER_RECHECK_MS } from "./cleanup.ts";
import { prepareConnector } from "./connector_prepare.ts";
import { JobSetupError, planJob } from "./job_plan.ts";
import { type JobOutcome, runJob } from "./job_runner.ts";
import { errorText } from "./loop.ts";
import { checkVersion, PreflightError, waitForElasticsearch } from "./preflight.ts";
import { jobIntervals } from "./service_settings.ts";

/** The job could not start; `connectors sync` exits 2 with this message. */
export class SyncNotStarted extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "SyncNotStarted";
  }
}

/** Options of {@linkcode syncNow}. */
export interface SyncNowOptions {
  config: Config;
  /** Client with the global credentials (protocol indices). */
  es: EsClient;
  caCerts?: string;
  types: ReadonlyMap<string, ConnectorType>;
  connectorId: string;
  jobType: JobType;
  allowMassDelete?: boolean;
  logger: Logger;
  /** SIGINT/SIGTERM: the job ends `suspended`. */
  signal: AbortSignal;
  /** The job's progress, for a live display; one is made if absent. */
  progress?: SyncProgress;
}

/**
 * Runs one job and returns how it ended; throws {@linkcode SyncNotStarted} when it could not
 * start.
 *
 * @example
 * ```ts
 * const outcome = await syncNow({ config, es, types, connectorId: "abc", jobType: "full", logger, signal });
 * console.log(outcome.summary); // job ... (full) completed in 3.2 s: 10 created, ...
 * ```
 */
export async function syncNow(options: SyncNowOptions): Promise<JobOutcome> {
  const { config, es, connectorId, jobType, signal } = options;
  const logger = options.logger.child({ connector_id: connectorId });
  await preflight(options);
  const connectors = new ConnectorIndex(es);
  const jobs = new SyncJobIndex(es);

  let connector = await beforeStart(connectors.get(connectorId, { signal }), signal);
  if (!connector || connector.doc.deleted) {
    const listed = config.connectors.some((entry) => entry.connector_id === connectorId);
    throw new SyncNotStarted(
      `connector "${connectorId}" does not exist in .elastic-connectors` +
        (listed ? " (config.yml lists it)" : "") +
        `; create it in Kibana or with \`connectors connector create\`, or fix the id`,
    );
  }
  const type = connectorType(connector, options);
  connector = await beforeStart(
    prepareConnector({ connectors, connector, type, logger, signal }),
    signal,
  );
  const status = connector.doc.status;
  if (status === "created" || status === "needs_configuration") {
    throw new SyncNotStarted(
      `connector "${connectorId}" is not configured yet (status ${status}); set its ` +
        `configuration in Kibana or with \`connectors connector configure\``,
    );
  }
  try {
    planJob({ snapshot: wouldBeSnapshot(connector), jobType, types: options.types });
  } catch (error) {
    if (error instanceof JobSetupError) {
      throw new SyncNotStarted(`connector "${connectorId}": ${error.message}`, { cause: error });
    }
    throw error;
  }
  await beforeStart(
    ensureIdle({
      es,
      connectors,
      jobs,
      connectorId,
      jobType,
      idleJobThreshold: config.service.idle_job_threshold,
      signal,
      logger,
    }),
    signal,
  );

  // Not cancellable: a job created by a cancelled request would be left pending, unknown.
  const job = await jobs.create({ connector, jobType, triggerMethod: "on_demand" });
  if (signal.aborted) {
    await jobs.terminate(job.id, { status: "canceled" }).catch(() => {});
    throw stoppedBeforeStart(signal);
  }
  const entry = config.connectors.find((item) => item.connector_id === connectorId);
  const contentEs = entry?.api_key
    ? esClientFromConfig(config, { connector: entry, caCerts: options.caCerts })
    : es;
  try {
    const outcome = await runJob(job, {
      connectors,
      jobs,
      contentEs,
      config,
      types: options.types,
      logger: options.logger,
      stopSignal: signal,
      allowMassDelete: options.allowMassDelete,
      intervals: jobIntervals(config),
      progress: options.progress,
    });
    if (outcome.status === "not_started") {
      // Our own on-demand job must not run later behind the user's back; one a running
      // service claimed meanwhile is left to it.
      await jobs.terminate(job.id, {
        status: "canceled",
        onlyIf: (doc) => WAITING_JOB_STATUSES.includes(doc.status),
      }).catch(() => {});
      throw new SyncNotStarted(`connector "${connectorId}": ${outcome.error}`);
    }
    if (outcome.status === "completed") {
      await supersedeWaiting({ jobs, job, logger, signal }).catch((error) => {
        logger.warn(`could not cancel older waiting jobs: ${errorText(error)}`);
      });
    }
    return outcome;
  } finally {
    if (contentEs !== es) contentEs.close();
  }
}

/** Why the job did not start when the user stopped the command before it did. */
function stoppedBeforeStart(signal: AbortSignal): SyncNotStarted {
  const why = signal.reason instanceof Error ? signal.reason.message : "stopped";
  return new SyncNotStarted(`${why} before the job started`);
}

/** `work`, whose failure after a stop request becomes {@linkcode stoppedBeforeStart}. */
async function beforeStart<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (signal.aborted && !(error instanceof SyncNotStarted)) throw stoppedBeforeStart(signal);
    throw error;
  }
}

async function preflight(options: SyncNowOptions): Promise<void> {
  const { es, config, signal } = options;
  try {
    const info = await waitForElasticsearch({ es, config, logger: options.logger, signal });
    for (const warning of checkVersion(info).warnings) options.logger.warn(warning);
    await ensureProtocolIndices(es, { signal });
  } catch (error) {
    if (error instanceof PreflightError) throw new SyncNotStarted(error.message, { cause: error });
    if (signal.aborted) throw stoppedBeforeStart(signal);
    throw new SyncNotStarted(
      `cannot prepare the connector indices in Elasticsearch: ${errorText(error)}`,
      { cause: error },
    );
  }
}

function connectorType(
  connector: Stored<ConnectorDoc>,
  options: SyncNowOptions,
): ConnectorType {
  const entry = options.config.connectors.find((item) => item.connector_id === connector.id);
  const serviceType = connector.doc.service_type || entry?.service_type || "";
  const type = options.types.get(serviceType);
  if (!type) {
    const known = [...options.types.keys()].sort().join(", ");
    throw new SyncNotStarted(
      `connector "${connector.id}" has service_type "${serviceType}", which this build does ` +
        `not serve (known: ${known}); fix the connector's service_type`,
    );
  }
  return type;
}

/** The snapshot `SyncJobIndex.create` will copy, to check it before creating the job. */
function wouldBeSnapshot(connector: Stored<ConnectorDoc>) {
  return {
    id: connector.id,
    service_type: connector.doc.service_type,
    index_name: connector.doc.index_name,
    language: connector.doc.language ?? null,
    configuration: connector.doc.configuration,
    filtering: activeFilter(connector.doc),
    pipeline: pipelineOf(connector.doc),
  };
}

/**
 * Refuses when a job of the same kind runs for this connector. A running job that has not
 * reported for `service.idle_job_threshold` seconds (its process was killed) is failed instead,
 * as the daemon's cleanup does. A sync-status mirror left `in_progress` by a process that died
 * is repaired, but only after a second look {@linkcode STALE_MARKER_RECHECK_MS} later (searches
 * lag writes by up to a second).
 */
async function ensureIdle(
  options: {
    es: EsClient;
    connectors: ConnectorIndex;
    jobs: SyncJobIndex;
    connectorId: string;
    jobType: JobType;
    idleJobThreshold: number;
    signal: AbortSignal;
    logger: Logger;
  },
): Promise<void> {
  const { connectors, jobs, jobType, signal } = options;
  const id = options.connectorId;
  const kind = syncKind(jobType);
  const statusField = mirrorFields(jobType).status;
  const refuseIfRunning = async () => {
    for await (
      const running of jobs.byConnector(id, {
        statuses: ACTIVE_JOB_STATUSES,
        jobTypes: kindJobTypes(kind),
      }, { signal })
    ) {
      // Searches lag writes by up to a second: trust only the realtime document.
      const current = await jobs.get(running.id, { signal });
      if (!current || !ACTIVE_JOB_STATUSES.includes(current.doc.status)) continue;
      // A killed run's job would block cron-only setups forever: fail it as cleanup would.
      const thresholdSeconds = options.idleJobThreshold;
      if (await failIdleJob(current, { ...options, thresholdSeconds })) continue;
      throw new SyncNotStarted(
        `connector "${id}" already runs ${running.doc.job_type} job ${running.id} ` +
          `(status ${current.doc.status}); try again when it has ended`,
      );
    }
  };
  await refuseIfRunning();
  // Read again: failing an idle job above rewrote the connector's sync status.
  const connector = await connectors.get(id, { signal });
  if (connector?.doc[statusField] !== "in_progress") return;
  await sleep(STALE_MARKER_RECHECK_MS, signal);
  const again = await connectors.get(id, { signal });
  await refuseIfRunning();
  if (again?.doc[statusField] !== "in_progress" || again.seqNo !== connector.seqNo) return;
  const repaired = await repairStaleMarker({
    ...options,
    connectorId: id,
    kind,
    message: "The previous sync was interrupted (its process stopped); marked as failed.",
  });
  if (repaired) {
    options.logger.warn(`the connector said a ${kind} sync was running, but none was; ${repaired}`);
  }
}

/**
 * After a completed job, cancels the connector's older waiting jobs it made pointless (a full
 * job covers full and incremental ones), marking them `superseded_by` it. Without a daemon
 * nobody would ever run them: a run stopped by a signal leaves its job `suspended`, a run
 * killed between creating and claiming its job leaves it `pending`.
 */
async function supersedeWaiting(
  options: { jobs: SyncJobIndex; job: Stored<SyncJobDoc>; logger: Logger; signal: AbortSignal },
): Promise<void> {
  const { jobs, job, signal } = options;
  const jobType = job.doc.job_type;
  const covered: JobType[] = jobType === "full" ? ["full", "incremental"] : [jobType];
  const waiting = jobs.byConnector(job.doc.connector.id, {
    statuses: WAITING_JOB_STATUSES,
    jobTypes: covered,
  }, { signal });
  for await (const older of waiting) {
    if (older.id === job.id || older.doc.created_at >= job.doc.created_at) continue;
    const canceled = await jobs.terminate(older.id, {
      status: "canceled",
      metadata: { ...older.doc.metadata, superseded_by: job.id },
      onlyIf: (doc) => WAITING_JOB_STATUSES.includes(doc.status),
      signal,
    });
    if (canceled) {
      options.logger.info(
        `canceled ${older.doc.status} ${older.doc.job_type} job ${older.id}: job ${job.id} ` +
          `completed after it`,
      );
    }
  }
}
