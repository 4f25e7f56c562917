/**
 * The sync engine's public contract: what a job runner hands in and what it gets back.
 * @module
 */
import type { EsClient } from "../es/client.ts";
import type { BulkObserver } from "../es/bulk_sink.ts";
import type { Logger } from "../log/mod.ts";
import type { Source, SourceFeatures, SyncCursor } from "../source/types.ts";
import type { SyncProgress } from "./progress.ts";

/** Every job type, in the protocol's names. */
export const JOB_TYPES = ["full", "incremental", "access_control"] as const;
/** A job type in the protocol's names. */
export type JobType = typeof JOB_TYPES[number];

/** A basic sync rule as stored in the connector's `filtering[].active.rules`. */
export interface BasicRule {
  id: string;
  policy: "include" | "exclude";
  field: string;
  rule: string;
  value: string;
  order: number;
  created_at?: string;
  updated_at?: string;
}

/** The job's ingest pipeline snapshot (`connector.pipeline`). */
export interface PipelineSettings {
  name: string;
  extract_binary_content: boolean;
  reduce_whitespace: boolean;
  run_ml_inference: boolean;
}

/** Bulk tuning, from `elasticsearch.bulk.*` in config.yml. */
export interface BulkSettings {
  /** Documents per `_bulk` request. */
  chunkSize: number;
  /** Serialized bytes per `_bulk` request. */
  chunkMaxBytes: number;
  /** Concurrent `_bulk` requests. */
  maxConcurrency: number;
  /** Documents whose JSON is larger are dropped; 0 disables. */
  maxTextDocumentBytes: number;
  concurrentDownloads: number;
  /** Retries of a whole `_bulk` request and of items answered 429/503. */
  maxRetries: number;
  /** First backoff in ms (doubles with jitter). */
  retryIntervalMs: number;
  /** Log every item's id at DEBUG. */
  enableOperationsLogging: boolean;
  errorMonitor: ErrorMonitorSettings;
}

/** Thresholds after which a sync stops with an error (reference defaults). */
export interface ErrorMonitorSettings {
  enabled: boolean;
  maxTotalErrors: number;
  maxConsecutiveErrors: number;
  maxErrorRate: number;
  errorWindowSize: number;
  errorQueueSize: number;
}

/** Counters of one sync. Persisted names match the job document's fields. */
export interface SyncStats {
  /** Successful index/update items (created + updated). */
  indexed_document_count: number;
  /** Successful delete items. */
  deleted_document_count: number;
  /** Serialized bytes of successful index/update items (the job doc stores MiB). */
  indexed_document_volume_bytes: number;
  created: number;
  updated: number;
  deleted: number;
  noop: number;
  failed: number;
  docs_extracted: number;
  docs_filtered: number;
  docs_skipped_unchanged: number;
  docs_dropped_too_large: number;
  /** `_bulk` requests and items that were retried. */
  retries: number;
}

/** A failed document kept as a sample for the job document. */
export interface FailedDocument {
  id: string;
  reason: string;
}

/** Everything one sync needs. */
export interface SyncOptions {
  /** Client for the content index (the connector's own API key when configured). */
  es: EsClient;
  /** Content index, or `.search-acl-filter-<index>` for access-control syncs. */
  indexName: string;
  /** Connector `language`, for the analyzers of a newly created content index. */
  language: string | null;
  jobType: JobType;
  source: Source;
  features: SourceFeatures;
  /** Active basic rules (the DEFAULT rule may be included; it is ignored). */
  basicRules: BasicRule[];
  /** Active advanced rules (`advanced_snippet.value`), or undefined. */
  advancedRules?: unknown;
  pipeline: PipelineSettings;
  /** Stored `sync_cursor` for incremental syncs. */
  cursor: SyncCursor | null;
  bulk: BulkSettings;
  /** `service.max_file_download_size`. */
  maxFileSize: number;
  /** Share of the index a full sync may delete before the guard refuses (0..1). */
  maxDeletionRatio: number;
  /** Bypass the mass-delete guard (`--allow-mass-delete`). */
  allowMassDelete: boolean;
  /** Directory for spill files (deletion sweep); defaults to the OS temp dir. */
  tempDir?: string;
  signal: AbortSignal;
  logger: Logger;
  /** Called whenever counters change; the job runner throttles what it persists. */
  onProgress?(stats: Readonly<SyncStats>): void;
  /** Phase, rates and estimated total for displays and the job document; one is made if absent. */
  progress?: SyncProgress;
  /** Told about `_bulk` latency, retries and buffered bytes (the daemon's metrics). */
  bulkObserver?: BulkObserver;
}

/** What a sync produced. */
export interface SyncResult {
  stats: SyncStats;
  /** Cursor to store when the job completes (true incremental sources), else null. */
  cursor: SyncCursor | null;
  /** Warnings for the job document and the log. */
  warnings: string[];
  /** Up to a few dozen failed documents with reasons. */
  failedSample: FailedDocument[];
}

/** Signature of the engine entry point (lib/sync/mod.ts `runSync`); throws {@linkcode SyncFailed}. */
export type RunSync = (options: SyncOptions) => Promise<SyncResult>;

/**
 * A sync that stopped before the end: fatal error, mass-delete guard, error monitor, or
 * cancellation (`cancelled` true). Counters up to that point are in `result`.
 */
export class SyncFailed extends Error {
  readonly result: SyncResult;
  readonly cancelled: boolean;
  constructor(
    message: string,
    options: { result: SyncResult; cancelled?: boolean; cause?: unknown },
  ) {
    super(message, { cause: options.cause });
    this.name = "SyncFailed";
    this.result = options.result;
    this.cancelled = options.cancelled ?? false;
  }
}
