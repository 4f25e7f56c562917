/**
 * What the job runner tells about each job it runs, so the daemon can keep metrics without the
 * runner knowing about them.
 * @module
 */
import type { BulkObserver } from "../es/bulk_sink.ts";
import type { JobEnd } from "../protocol/mod.ts";
import type { JobType, SyncStats } from "../sync/types.ts";

/** The job an observer watches. */
export interface ObservedJob {
  connectorId: string;
  /** The connector's service type ("" when unknown). */
  serviceType: string;
  jobType: JobType;
}

/** Told about one running job; every call is cheap and never throws. */
export interface JobObserver {
  /**
   * The sync's live counters. Called often, usually with the same object: keep the reference,
   * read it when needed.
   */
  progress(stats: Readonly<SyncStats>): void;
  /** Told about the job's `_bulk` requests. */
  readonly bulk: BulkObserver;
  /** The job ended (or another process took it over) with these final counters. */
  ended(status: JobEnd, stats: Readonly<SyncStats>): void;
}

/** Starts watching a job the runner has claimed and is about to run. */
export type ObserveJob = (job: ObservedJob) => JobObserver;
