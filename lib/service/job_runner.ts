/**
 * One sync job from claim to connector mirror (brief §2.4, with §8.2's fix): claim the job
 * atomically, mark the connector, build the source from the job's own configuration snapshot,
 * run the sync with a per-job AbortController while counters are written every 10 s and the
 * job is checked for cancellation every 5 s, then end the job and mirror it on the connector.
 * @module
 */
import type { Config } from "../config/mod.ts";
import type { EsClient } from "../es/client.ts";
import { bulkSettingsFromConfig } from "../es/from_config.ts";
import type { Logger } from "../log/mod.ts";
import {
  ACTIVE_JOB_STATUSES,
  type ConnectorIndex,
  type JobEnd,
  type JobStatus,
  type Stored,
  type SyncJobDoc,
  type SyncJobIndex,
} from "../protocol/mod.ts";
import type { ConnectorType, Source } from "../source/types.ts";
import { SyncProgress } from "../sync/progress.ts";
import { documentsNotWritten, emptyStats } from "../sync/stats.ts";
import { runSync } from "../sync/mod.ts";
import { SyncFailed, type SyncResult, type SyncStats } from "../sync/types.ts";
import { indexDocumentCount } from "./index_count.ts";
import { type JobCheck, JobMonitor } from "./job_monitor.ts";
import { type JobPlan, planJob } from "./job_plan.ts";
import { errorText } from "./loop.ts";
import { jobSummary } from "./summary.ts";
import type { JobObserver, ObserveJob } from "./job_observer.ts";

/** Why a running job was stopped from outside. */
type StopReason =
  | { kind: "canceled" }
  | { kind: "suspended" }
  | { kind: "lost"; message: string };

/** Options of {@linkcode runJob}. */
export interface RunJobOptions {
  connectors: ConnectorIndex;
  jobs: SyncJobIndex;
  /** Client for the content index: the connector's own API key when config.yml has one. */
  contentEs: EsClient;
  config: Config;
  types: ReadonlyMap<string, ConnectorType>;
  logger: Logger;
  /** Aborted when the service stops: the job ends `suspended` and runs again later. */
  stopSignal: AbortSignal;
  /** `connectors sync --allow-mass-delete`. */
  allowMassDelete?: boolean;
  /** Watches each job that starts (the daemon's metrics). */
  observeJob?: ObserveJob;
  /** Test hook for the cancel check and stats intervals (ms). */
  intervals?: { checkMs?: number; statsMs?: number };
  /** The job's progress, for a live display (`connectors sync`); one is made if absent. */
  progress?: SyncProgress;
}

/** How a job run ended. */
export interface JobOutcome {
  jobId: string;
  jobType: string;
  /**
   * `not_started`: another worker claimed the job first, or another job of the connector is
   * running (the job stays waiting).
   */
  status: JobEnd | "not_started";
  stats: SyncStats;
  durationMs: number;
  error: string | null;
  /** One line for the log and `connectors sync`'s output. */
  summary: string;
}

/** Failed documents stored in the job's metadata at most. */
export const METADATA_FAILED_SAMPLE = 20;
/** Seconds the final writes may take when the service is stopping (it must exit within 10 s). */
const STOPPING_WRITE_TIMEOUT_MS = 4_000;

/**
 * Claims and runs `job` (a `pending` or `suspended` job as listed). Never throws for job
 * failures: they end the job in `error`. Throws only when Elasticsearch fails the claim itself.
 */
export async function runJob(job: Stored<SyncJobDoc>, options: RunJobOptions): Promise<JobOutcome> {
  const { connectors, jobs } = options;
  const snapshot = job.doc.connector;
  const connectorId = snapshot.id;
  const jobType = job.doc.job_type;
  const logger = options.logger.child({
    connector_id: connectorId,
    sync_job_id: job.id,
    index_name: snapshot.index_name,
    service_type: snapshot.service_type ?? undefined,
  });
  const started = performance.now();
  const notStarted = (why: string): JobOutcome => {
    logger.info(`job not started: ${why}`);
    return outcome({ job, status: "not_started", stats: emptyStats(), started, error: why });
  };

  const connector = await connectors.get(connectorId);
  if (!connector || connector.doc.deleted) return notStarted("its connector no longer exists");
  const cursor = jobType === "incremental" ? connector.doc.sync_cursor ?? null : null;
  const claimed = await jobs.claim(job.id, { syncCursor: cursor });
  if (!claimed) return notStarted("another worker claimed it first");
  let marked: boolean;
  try {
    marked = await connectors.markSyncStarted(connectorId, jobType);
  } catch (error) {
    await jobs.release(job.id, job.doc.status).catch(() => {});
    throw error;
  }
  if (!marked) {
    await jobs.release(job.id, job.doc.status);
    return notStarted(`another ${jobType} job of this connector is running`);
  }
  logger.info(`${jobType} sync started (trigger: ${job.doc.trigger_method})`);
  return await new JobRun({ ...options, logger }, claimed, started).run();
}

/** A claimed job while it runs. */
class JobRun {
  readonly #options: RunJobOptions;
  readonly #job: Stored<SyncJobDoc>;
  readonly #started: number;
  readonly #logger: Logger;
  readonly #controller = new AbortController();
  #stats: Readonly<SyncStats> = emptyStats();
  readonly #progress: SyncProgress;

  readonly #observer?: JobObserver;

  constructor(options: RunJobOptions, job: Stored<SyncJobDoc>, started: number) {
    this.#options = options;
    this.#observer = options.observeJob?.({
      connectorId: job.doc.connector.id,
      serviceType: job.doc.connector.service_type ?? "",
      jobType: job.doc.job_type,
    });
    this.#progress = options.progress ?? new SyncProgress();
    this.#job = job;
    this.#started = started;
    this.#logger = options.logger;
  }

  async run(): Promise<JobOutcome> {
    const { stopSignal } = this.#options;
    const suspend = () => this.#stop({ kind: "suspended" });
    stopSignal.addEventListener("abort", suspend, { once: true });
    if (stopSignal.aborted) suspend();
    const monitor = new JobMonitor({
      logger: this.#logger,
      check: () => this.#check(),
      writeStats: () => this.#writeStats(),
      onStop: (found) => {
        if (found === "canceling") {
          this.#logger.info("cancel requested; stopping the sync");
          this.#stop({ kind: "canceled" });
        } else {
          this.#stop({ kind: "lost", message: found.lost });
        }
      },
      checkIntervalMs: this.#options.intervals?.checkMs,
      statsIntervalMs: this.#options.intervals?.statsMs,
    });
    let plan: JobPlan | undefined;
    let source: Source | undefined;
    let result: SyncResult | undefined;
    let failure: unknown;
    monitor.start();
    try {
      plan = planJob({
        snapshot: this.#job.doc.connector,
        jobType: this.#job.doc.job_type,
        types: this.#options.types,
      });
      source = plan.type.create({ config: plan.values, logger: this.#logger });
      this.#progress.setPhase("connecting");
      await this.#untilStopped(source.validateConfig());
      await this.#untilStopped(source.ping());
      result = await runSync(this.#syncOptions(plan, source));
      this.#stats = result.stats;
    } catch (error) {
      failure = error;
      if (error instanceof SyncFailed) {
        result = error.result;
        this.#stats = error.result.stats;
      }
    } finally {
      await monitor.stop();
      stopSignal.removeEventListener("abort", suspend);
      await source?.close().catch((error) => {
        this.#logger.warn(`closing the source failed: ${errorText(error)}`);
      });
    }
    return await this.#finish({ plan, result, failure });
  }

  #stop(reason: StopReason): void {
    if (!this.#controller.signal.aborted) this.#controller.abort(reason);
  }

  /** Waits for `work`, but gives up as soon as the job is stopped (pings may ignore signals). */
  async #untilStopped<T>(work: Promise<T>): Promise<T> {
    const signal = this.#controller.signal;
    signal.throwIfAborted();
    let onAbort!: () => void;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
    });
    try {
      return await Promise.race([work, aborted]);
    } finally {
      signal.removeEventListener("abort", onAbort);
    }
  }

  #syncOptions(plan: JobPlan, source: Source): Parameters<typeof runSync>[0] {
    const { config } = this.#options;
    return {
      es: this.#options.contentEs,
      indexName: plan.indexName,
      language: plan.language,
      jobType: this.#job.doc.job_type,
      source,
      features: plan.type.features,
      basicRules: plan.basicRules,
      advancedRules: plan.advancedRules,
      pipeline: plan.pipeline,
      cursor: (this.#job.doc.connector.sync_cursor ?? null) as SyncResult["cursor"],
      bulk: bulkSettingsFromConfig(config),
      maxFileSize: config.service.max_file_download_size,
      maxDeletionRatio: config.service.max_deletion_ratio,
      allowMassDelete: this.#options.allowMassDelete ?? false,
      signal: this.#controller.signal,
      logger: this.#logger,
      onProgress: (stats) => {
        this.#stats = stats;
        this.#observer?.progress(stats);
      },
      bulkObserver: this.#observer?.bulk,
      progress: this.#progress,
    };
  }

  async #check(): Promise<JobCheck> {
    const current = await this.#options.jobs.get(this.#job.id);
    if (!current) return { lost: "the job document was deleted while the job ran" };
    const status: JobStatus = current.doc.status;
    if (status === "canceling") return "canceling";
    if (status !== "in_progress") {
      return { lost: `the job was set to ${status} by another process while it ran` };
    }
    const connector = await this.#options.connectors.get(this.#job.doc.connector.id);
    if (!connector || connector.doc.deleted) {
      return { lost: "the connector was deleted while the job ran" };
    }
    return "running";
  }

  async #writeStats(): Promise<void> {
    const status = await this.#options.jobs.updateStats(this.#job.id, {
      counters: this.#stats,
      metadata: { progress: this.#progress.snapshot() },
    });
    if (status === "canceling") this.#stop({ kind: "canceled" });
  }

  async #finish(
    ran: { plan?: JobPlan; result?: SyncResult; failure?: unknown },
  ): Promise<JobOutcome> {
    const reason = this.#controller.signal.aborted
      ? this.#controller.signal.reason as StopReason
      : undefined;
    let status: JobEnd;
    let error: string | null = null;
    if (ran.failure === undefined) {
      status = "completed";
    } else if (reason?.kind === "canceled" || reason?.kind === "suspended") {
      status = reason.kind;
    } else {
      status = "error";
      error = reason?.kind === "lost" ? reason.message : errorText(ran.failure);
    }
    this.#observer?.ended(status, this.#stats);
    const logger = this.#logger;
    if (reason?.kind === "lost") {
      // Someone else (cleanup, a user) owns the job document now: leave it and the connector.
      logger.error(`job stopped: ${reason.message}`);
      return this.#outcome(status, error);
    }
    const stopping = this.#options.stopSignal.aborted;
    const signal = stopping ? AbortSignal.timeout(STOPPING_WRITE_TIMEOUT_MS) : undefined;
    const { jobs, connectors } = this.#options;
    const total = await this.#totalCount(ran.plan, signal);
    const terminated = await jobs.terminate(this.#job.id, {
      status,
      error,
      counters: { ...this.#stats, ...(total === undefined ? {} : { total_document_count: total }) },
      metadata: { ...metadata(ran.result), progress: this.#finalProgress(status) },
      onlyIf: (doc) => ACTIVE_JOB_STATUSES.includes(doc.status),
      signal,
    });
    if (terminated === null) {
      logger.warn("the job was ended by another process meanwhile; its status was left as is");
      return this.#outcome(status, error);
    }
    const content = this.#job.doc.job_type !== "access_control";
    await connectors.markSyncDone(this.#job.doc.connector.id, {
      job: terminated.doc,
      cursor: content && status === "completed" ? ran.result?.cursor ?? null : undefined,
    }, { signal });
    const done = this.#outcome(status, error);
    if (status === "error") logger.error(done.summary);
    else logger.info(done.summary);
    return done;
  }

  /** The progress to store on the ended job: phase `done` when it completed. */
  #finalProgress(status: JobEnd) {
    if (status === "completed") this.#progress.setPhase("done");
    return this.#progress.snapshot();
  }

  async #totalCount(plan: JobPlan | undefined, signal?: AbortSignal): Promise<number | undefined> {
    const index = plan?.indexName ?? this.#job.doc.connector.index_name;
    if (!index) return undefined;
    try {
      return await indexDocumentCount({ es: this.#options.contentEs, index, signal });
    } catch (error) {
      this.#logger.warn(`could not count the documents of ${index}: ${errorText(error)}`);
      return undefined;
    }
  }

  #outcome(status: JobEnd, error: string | null): JobOutcome {
    return outcome({ job: this.#job, status, stats: this.#stats, started: this.#started, error });
  }
}

function outcome(
  options: {
    job: Stored<SyncJobDoc>;
    status: JobOutcome["status"];
    stats: Readonly<SyncStats>;
    started: number;
    error: string | null;
  },
): JobOutcome {
  const durationMs = performance.now() - options.started;
  const base = {
    jobId: options.job.id,
    jobType: options.job.doc.job_type,
    status: options.status,
    stats: { ...options.stats },
    durationMs,
    error: options.error,
  };
  return { ...base, summary: jobSummary(base) };
}

/** Warnings and a sample of failed documents for the job document, when there are any. */
function metadata(result: SyncResult | undefined): Record<string, unknown> | undefined {
  if (!result) return undefined;
  const fields: Record<string, unknown> = {};
  if (result.warnings.length > 0) fields.warnings = result.warnings;
  if (result.failedSample.length > 0) {
    fields.failed_documents = result.failedSample.slice(0, METADATA_FAILED_SAMPLE);
    // Documents too large to send are not in `failed`; both were not written.
    fields.failed_document_count = documentsNotWritten(result.stats);
  }
  return Object.keys(fields).length > 0 ? fields : undefined;
}
