/**
 * The daemon's job execution (brief §2.3, `sync_content` and `sync_access_control`): waiting
 * jobs of served connectors, oldest first, are claimed and run in two bounded pools. A full
 * pool leaves jobs waiting for the next tick or another instance.
 * @module
 */
import type { Config } from "../config/mod.ts";
import type { EsClient } from "../es/client.ts";
import type { Logger } from "../log/mod.ts";
import {
  type ConnectorIndex,
  kindJobTypes,
  mirrorFields,
  readFeatures,
  type Stored,
  type SyncJobDoc,
  type SyncJobIndex,
} from "../protocol/mod.ts";
import type { ConnectorType } from "../source/types.ts";
import type { JobType } from "../sync/types.ts";
import type { ObserveJob } from "./job_observer.ts";
import { JobPool } from "./job_pool.ts";
import { runJob } from "./job_runner.ts";
import { errorText } from "./loop.ts";
import { jobIntervals } from "./service_settings.ts";

/** Options of {@linkcode JobExecutor}. */
export interface JobExecutorOptions {
  connectors: ConnectorIndex;
  jobs: SyncJobIndex;
  config: Config;
  types: ReadonlyMap<string, ConnectorType>;
  logger: Logger;
  /** Aborted when the service stops: running jobs end `suspended`. */
  stopSignal: AbortSignal;
  /** The content-index client of a connector (its own API key, or the global client). */
  contentEs(connectorId: string): EsClient;
  /** Watches each job that starts (the daemon's metrics). */
  observeJob?: ObserveJob;
}

/** See the module docs. */
export class JobExecutor {
  readonly #options: JobExecutorOptions;
  readonly #content: JobPool;
  readonly #accessControl: JobPool;

  constructor(options: JobExecutorOptions) {
    this.#options = options;
    this.#content = new JobPool(options.config.service.max_concurrent_content_syncs);
    this.#accessControl = new JobPool(options.config.service.max_concurrent_access_control_syncs);
  }

  /** Whether this process runs job `id` now. */
  runs(id: string): boolean {
    return this.#content.has(id) || this.#accessControl.has(id);
  }

  /** Starts waiting jobs of `connectorIds` while the pools have room. */
  async tick(connectorIds: readonly string[]): Promise<void> {
    await this.#fill(this.#content, connectorIds, kindJobTypes("content"));
    await this.#fill(this.#accessControl, connectorIds, kindJobTypes("access_control"));
  }

  /** Waits for running jobs to end (after the stop signal, they end `suspended`). */
  async drain(): Promise<void> {
    await Promise.all([this.#content.drain(), this.#accessControl.drain()]);
  }

  async #fill(pool: JobPool, connectorIds: readonly string[], jobTypes: readonly JobType[]) {
    const { jobs, stopSignal } = this.#options;
    if (!pool.hasRoom || connectorIds.length === 0 || stopSignal.aborted) return;
    const busy = new Set<string>();
    for await (const job of jobs.pending({ connectorIds, jobTypes }, { signal: stopSignal })) {
      if (!pool.hasRoom || stopSignal.aborted) break;
      const connectorId = job.doc.connector?.id;
      if (pool.has(job.id) || busy.has(connectorId)) continue;
      // One job per connector and kind at a time; the next waits for a later tick.
      busy.add(connectorId);
      if (await this.#shouldRun(job)) pool.tryStart(job.id, () => this.#run(job));
    }
  }

  /** The reference's `should_execute`: skip while the connector runs a job of this kind. */
  async #shouldRun(job: Stored<SyncJobDoc>): Promise<boolean> {
    const connector = await this.#options.connectors.get(job.doc.connector.id);
    if (!connector || connector.doc.deleted) return false;
    if (connector.doc[mirrorFields(job.doc.job_type).status] === "in_progress") return false;
    if (job.doc.job_type === "access_control") {
      return readFeatures(connector.doc.features).documentLevelSecurity;
    }
    return true;
  }

  async #run(job: Stored<SyncJobDoc>): Promise<void> {
    const options = this.#options;
    try {
      await runJob(job, {
        connectors: options.connectors,
        jobs: options.jobs,
        contentEs: options.contentEs(job.doc.connector.id),
        config: options.config,
        types: options.types,
        logger: options.logger,
        stopSignal: options.stopSignal,
        intervals: jobIntervals(options.config),
        observeJob: options.observeJob,
      });
    } catch (error) {
      options.logger.child({ connector_id: job.doc.connector.id, sync_job_id: job.id })
        .error(`job could not run: ${errorText(error)}`);
    }
  }
}
