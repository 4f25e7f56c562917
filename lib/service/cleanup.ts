/**
 * The daemon's cleanup, every `service.job_cleanup_interval` seconds (brief §2.3, with the gaps
 * of §8.19 and §8.2 closed): running jobs of served connectors that stopped reporting are
 * failed and mirrored on their connector; unfinished jobs whose connector is gone (or
 * soft-deleted) are failed; connectors whose sync status says `in_progress` with no running
 * job are repaired once two passes in a row saw them unchanged.
 * @module
 */
import type { Config } from "../config/mod.ts";
import type { EsClient } from "../es/client.ts";
import type { Logger } from "../log/mod.ts";
import {
  ACTIVE_JOB_STATUSES,
  type ConnectorIndex,
  isTerminal,
  lastStartedJob,
  mirrorFields,
  staleSyncMarkers,
  type Stored,
  type SyncJobDoc,
  type SyncJobIndex,
  type SyncKind,
} from "../protocol/mod.ts";

/** Options of {@linkcode JobCleanup}. */
export interface JobCleanupOptions {
  es: EsClient;
  connectors: ConnectorIndex;
  jobs: SyncJobIndex;
  config: Config;
  logger: Logger;
  signal: AbortSignal;
  /** Jobs this process runs right now; never failed as idle. */
  runsHere(jobId: string): boolean;
}

/**
 * How long a connector's sync status must say `in_progress` with no running job found before it
 * is repaired (searches lag writes by up to a second).
 */
export const STALE_MARKER_RECHECK_MS = 2_000;

/** The `error` of a job cleanup failed for not reporting. */
export function idleJobError(thresholdSeconds: number): string {
  return `The job has not seen any update for ${thresholdSeconds} s; its worker may have died.`;
}

/**
 * Fails a running job whose worker stopped reporting (no `last_seen` for `thresholdSeconds`,
 * re-checked on the fresh document) and mirrors it on its connector. Returns the failed job, or
 * null when the job is alive or has ended. Shared by the daemon's cleanup and `connectors sync`.
 */
export async function failIdleJob(
  job: Stored<SyncJobDoc>,
  options: {
    jobs: SyncJobIndex;
    connectors: ConnectorIndex;
    thresholdSeconds: number;
    logger: Logger;
    signal?: AbortSignal;
  },
): Promise<Stored<SyncJobDoc> | null> {
  const { jobs, connectors, thresholdSeconds, signal } = options;
  const thresholdMs = thresholdSeconds * 1000;
  const error = idleJobError(thresholdSeconds);
  const failed = await jobs.terminate(job.id, {
    status: "error",
    error,
    // A job that reported meanwhile is left alone.
    onlyIf: (doc) =>
      ACTIVE_JOB_STATUSES.includes(doc.status) &&
      (!doc.last_seen || Date.now() - Date.parse(doc.last_seen) >= thresholdMs),
    signal,
  });
  if (!failed) return null;
  const jobLog = options.logger.child({
    connector_id: job.doc.connector.id,
    sync_job_id: job.id,
    index_name: job.doc.connector.index_name,
  });
  jobLog.warn(`failed the job: ${error}`);
  await connectors.markSyncDone(job.doc.connector.id, { job: failed.doc }, { signal })
    .catch((reason) => jobLog.warn(`could not update the connector: ${reason}`));
  return failed;
}

/**
 * Repairs a connector whose `kind` sync status says `in_progress` while no job of that kind
 * runs. When the job that set it has ended (its process died between ending the job and
 * mirroring it), that end is mirrored; otherwise the status becomes `error` with `message`.
 * Returns what was done, or null when nothing was (the status moved on, or the job runs).
 */
export async function repairStaleMarker(
  options: {
    es: EsClient;
    connectors: ConnectorIndex;
    jobs: SyncJobIndex;
    connectorId: string;
    kind: SyncKind;
    message: string;
    signal?: AbortSignal;
  },
): Promise<string | null> {
  const { es, connectors, jobs, connectorId, kind, signal } = options;
  const last = await lastStartedJob(es, { connectorId, kind, signal });
  const job = last && await jobs.get(last.id, { signal });
  if (job && ACTIVE_JOB_STATUSES.includes(job.doc.status)) return null;
  if (job) {
    const field = mirrorFields(job.doc.job_type).status;
    const mirrored = await connectors.markSyncDone(connectorId, {
      job: job.doc,
      onlyIf: (connector) => connector[field] === "in_progress",
    }, { signal });
    return mirrored ? `mirrored job ${job.id}, which had ended ${job.doc.status}` : null;
  }
  const failed = await connectors.clearStaleSyncStatus(connectorId, options, { signal });
  return failed ? "marked it failed" : null;
}

/** See the module docs. */
export class JobCleanup {
  readonly #options: JobCleanupOptions;
  /** `<connector id>/<kind>@<seq_no>` of stale markers seen by the previous pass: when first. */
  #staleSeen = new Map<string, number>();

  constructor(options: JobCleanupOptions) {
    this.#options = options;
  }

  /** One pass over the served connectors' jobs. */
  async tick(connectorIds: readonly string[]): Promise<void> {
    await this.#failIdleJobs(connectorIds);
    await this.#failOrphans();
    await this.#repairStaleMarkers(connectorIds);
  }

  async #failIdleJobs(connectorIds: readonly string[]): Promise<void> {
    const { jobs, config, signal } = this.#options;
    if (connectorIds.length === 0) return;
    const thresholdSeconds = config.service.idle_job_threshold;
    const thresholdMs = thresholdSeconds * 1000;
    for await (const job of jobs.idle({ connectorIds, thresholdMs }, { signal })) {
      if (this.#options.runsHere(job.id)) continue;
      await failIdleJob(job, { ...this.#options, thresholdSeconds });
    }
  }

  async #failOrphans(): Promise<void> {
    const { jobs, logger, signal } = this.#options;
    for await (const job of jobs.orphans({}, { signal })) {
      if (this.#options.runsHere(job.id)) continue;
      const message = `The job's connector ${job.doc.connector?.id} no longer exists.`;
      const failed = await jobs.terminate(job.id, {
        status: "error",
        error: message,
        onlyIf: (doc) => !isTerminal(doc.status),
        signal,
      });
      if (failed) {
        logger.child({ connector_id: job.doc.connector?.id, sync_job_id: job.id })
          .warn(`failed the job: ${message}`);
      }
    }
  }

  async #repairStaleMarkers(connectorIds: readonly string[]): Promise<void> {
    const { es, logger, signal } = this.#options;
    const seen = new Map<string, number>();
    for await (const stale of staleSyncMarkers(es, { connectorIds, signal })) {
      for (const kind of stale.kinds) {
        const key = `${stale.connector.id}/${kind}@${stale.connector.seqNo}`;
        const first = this.#staleSeen.get(key) ?? Date.now();
        seen.set(key, first);
        // Searches lag job claims by about a second: with a short job_cleanup_interval, two
        // passes alone could both miss a job that just started.
        if (Date.now() - first < STALE_MARKER_RECHECK_MS) continue;
        const repaired = await repairStaleMarker({
          ...this.#options,
          connectorId: stale.connector.id,
          kind,
          message: "The sync was interrupted (its process stopped); marked as failed.",
        });
        if (repaired) {
          logger.child({ connector_id: stale.connector.id })
            .warn(`the connector said a ${kind} sync was running, but none was; ${repaired}`);
        }
      }
    }
    this.#staleSeen = seen;
  }
}
