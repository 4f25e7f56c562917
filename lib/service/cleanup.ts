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
  staleSyncMarkers,
  type SyncJobIndex,
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

/** The `error` of a job cleanup failed for not reporting. */
export function idleJobError(thresholdSeconds: number): string {
  return `The job has not seen any update for ${thresholdSeconds} s; its worker may have died.`;
}

/** See the module docs. */
export class JobCleanup {
  readonly #options: JobCleanupOptions;
  /** `<connector id>/<kind>@<seq_no>` of stale markers seen by the previous pass. */
  #staleSeen = new Set<string>();

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
    const { jobs, connectors, config, logger, signal } = this.#options;
    if (connectorIds.length === 0) return;
    const threshold = config.service.idle_job_threshold;
    const thresholdMs = threshold * 1000;
    const error = idleJobError(threshold);
    for await (const job of jobs.idle({ connectorIds, thresholdMs }, { signal })) {
      if (this.#options.runsHere(job.id)) continue;
      const jobLog = logger.child({
        connector_id: job.doc.connector.id,
        sync_job_id: job.id,
        index_name: job.doc.connector.index_name,
      });
      const failed = await jobs.terminate(job.id, {
        status: "error",
        error,
        // Re-checked on the fresh document: a job that reported meanwhile is left alone.
        onlyIf: (doc) =>
          ACTIVE_JOB_STATUSES.includes(doc.status) &&
          (!doc.last_seen || Date.now() - Date.parse(doc.last_seen) >= thresholdMs),
        signal,
      });
      if (!failed) continue;
      jobLog.warn(`failed the job: ${error}`);
      await connectors.markSyncDone(job.doc.connector.id, { job: failed.doc }, { signal })
        .catch((reason) => jobLog.warn(`could not update the connector: ${reason}`));
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
    const { es, connectors, logger, signal } = this.#options;
    const seen = new Set<string>();
    for await (const stale of staleSyncMarkers(es, { connectorIds, signal })) {
      for (const kind of stale.kinds) {
        const key = `${stale.connector.id}/${kind}@${stale.connector.seqNo}`;
        seen.add(key);
        if (!this.#staleSeen.has(key)) continue;
        const repaired = await connectors.clearStaleSyncStatus(stale.connector.id, {
          kind,
          message: "The sync was interrupted (its process stopped); marked as failed.",
        }, { signal });
        if (repaired) {
          logger.child({ connector_id: stale.connector.id })
            .warn(`the connector said a ${kind} sync was running, but none was; repaired`);
        }
      }
    }
    this.#staleSeen = seen;
  }
}
