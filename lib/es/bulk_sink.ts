/**
 * Writes documents to one index with `_bulk`: batches by documents and bytes, keeps up to
 * `maxConcurrency` requests in flight, retries overloads (whole requests and single items
 * answered 429/503), counts results from the responses only, and stops the sync through the
 * {@linkcode ErrorMonitor} when too many documents fail.
 *
 * Memory stays below `chunkMaxBytes × (maxConcurrency + 1)` plus one document: when every slot
 * is busy and the batch being filled is full, the caller's `index`/`update`/`delete` waits.
 * Batches in flight together may apply in any order, so two operations on the same id should
 * not be sent in one sync unless `maxConcurrency` is 1.
 *
 * @example
 * ```ts
 * const sink = new BulkSink({ es, index: "search-books", settings, stats, logger, signal });
 * for await (const doc of docs) await sink.index(doc.id, doc);
 * await sink.delete("gone-1");
 * await sink.close(); // throws if the sink failed
 * ```
 * @module
 */

import { EsError, RETRYABLE_STATUSES } from "./client.ts";
import type { EsClient } from "./client.ts";
import {
  type BatchItem,
  BulkBatch,
  type BulkOperation,
  bulkOperation,
  utf8Length,
} from "./bulk_batch.ts";
import { ErrorMonitor } from "./error_monitor.ts";
import { backoffDelay, sleep } from "../util/retry.ts";
import type { Logger } from "../log/mod.ts";
import type { BulkSettings, FailedDocument, SyncStats } from "../sync/types.ts";

/** How many failed documents are kept for the job document. */
export const FAILED_SAMPLE_SIZE = 20;

/** Item statuses worth sending again: the node was overloaded. */
const RETRYABLE_ITEM_STATUSES: ReadonlySet<number> = new Set([429, 503]);

/** Only what the sink reads from a `_bulk` response. */
const FILTER_PATH = [
  "errors",
  "items.*.status",
  "items.*._id",
  "items.*.result",
  "items.*.error.type",
  "items.*.error.reason",
].join(",");

/** Options for {@linkcode BulkSink}. */
export interface BulkSinkOptions {
  es: EsClient;
  /** Target index (or alias). */
  index: string;
  /** Ingest pipeline sent as `?pipeline=`; only set it when the pipeline exists. */
  pipeline?: string;
  settings: BulkSettings;
  /** Shared counters the sink updates in place. */
  stats: SyncStats;
  logger: Logger;
  signal: AbortSignal;
  /** Called after each `_bulk` response has been counted. */
  onProgress?: () => void;
}

interface BulkItemResult {
  _id?: string;
  status: number;
  result?: string;
  error?: { type?: string; reason?: string };
}

interface BulkResponse {
  errors?: boolean;
  items?: Array<Record<string, BulkItemResult>>;
}

/** Sends documents to Elasticsearch in `_bulk` batches; see the module docs. */
export class BulkSink {
  /** The first failed documents, with reasons (at most {@linkcode FAILED_SAMPLE_SIZE}). */
  readonly failedSample: FailedDocument[] = [];

  readonly #es: EsClient;
  readonly #index: string;
  readonly #path: string;
  readonly #pipeline?: string;
  readonly #settings: BulkSettings;
  readonly #stats: SyncStats;
  readonly #logger: Logger;
  readonly #signal: AbortSignal;
  readonly #onProgress?: () => void;
  readonly #monitor: ErrorMonitor;
  // Aborted when the sink fails or the job is cancelled; ends backoff sleeps early.
  readonly #stop = new AbortController();
  readonly #onAbort = () => this.#fail(abortError(this.#signal));
  readonly #inFlight = new Set<Promise<void>>();
  #batch: BulkBatch;
  #tail: Promise<void> = Promise.resolve();
  #changed = Promise.withResolvers<void>();
  #error?: Error;
  #closed = false;

  constructor(options: BulkSinkOptions) {
    this.#es = options.es;
    this.#index = options.index;
    this.#path = `/${encodeURIComponent(options.index)}/_bulk`;
    this.#pipeline = options.pipeline || undefined;
    this.#settings = options.settings;
    this.#stats = options.stats;
    this.#logger = options.logger;
    this.#signal = options.signal;
    this.#onProgress = options.onProgress;
    this.#monitor = new ErrorMonitor(options.settings.errorMonitor);
    this.#batch = this.#newBatch();
    if (this.#signal.aborted) this.#onAbort();
    else this.#signal.addEventListener("abort", this.#onAbort, { once: true });
  }

  /** Why the sink stopped (error monitor, failed request, cancellation), if it did. */
  get error(): Error | undefined {
    return this.#error;
  }

  /** Indexes (creates or replaces) `doc` under `id`; waits only when the sink is saturated. */
  index(id: string, doc: Record<string, unknown>): Promise<void> {
    return this.#enqueue(() => this.#prepare("index", id, doc));
  }

  /** Partially updates `doc` under `id`, creating it when missing (`doc_as_upsert`). */
  update(id: string, doc: Record<string, unknown>): Promise<void> {
    return this.#enqueue(() => this.#prepare("update", id, doc));
  }

  /** Deletes the document `id`; a missing document is not an error. */
  delete(id: string): Promise<void> {
    return this.#enqueue(() => bulkOperation("delete", id));
  }

  /** Sends the last batch, waits for every request, then throws if the sink failed. */
  async close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      await this.#tail;
      if (!this.#error && this.#batch.size > 0) {
        try {
          await this.#flush();
        } catch {
          // The failure is in #error; still wait for the requests in flight below.
        }
      }
    }
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
    this.#signal.removeEventListener("abort", this.#onAbort);
    if (this.#error) throw this.#error;
  }

  // Operations run one after the other even when callers do not await each call.
  #enqueue(build: () => BulkOperation | undefined): Promise<void> {
    const run = this.#tail.then(() => this.#add(build));
    this.#tail = run.then(noop, noop);
    return run;
  }

  async #add(build: () => BulkOperation | undefined): Promise<void> {
    if (this.#error) throw this.#error;
    if (this.#closed) throw new Error(`the bulk sink for index ${this.#index} is already closed`);
    const operation = build();
    if (!operation) return;
    if (this.#batch.wouldOverflow(operation.bytes)) await this.#flush();
    this.#batch.add(operation);
    if (this.#batch.full) await this.#flush();
  }

  #prepare(
    action: "index" | "update",
    id: string,
    doc: Record<string, unknown>,
  ): BulkOperation | undefined {
    const json = JSON.stringify(doc);
    const bytes = utf8Length(json);
    const cap = this.#settings.maxTextDocumentBytes;
    if (cap > 0 && bytes > cap && doc._attachment == null) {
      this.#stats.docs_dropped_too_large += 1;
      const reason = `document is ${bytes} bytes, more than ` +
        `elasticsearch.bulk.max_text_document_size (${cap} bytes)`;
      this.#logger.warn(`dropped document ${id}: ${reason}`);
      this.#sample(id, reason);
      return undefined;
    }
    return bulkOperation(action, id, json, bytes);
  }

  // Hands the current batch to a free request slot, waiting for one if needed.
  async #flush(): Promise<void> {
    while (this.#inFlight.size >= Math.max(1, this.#settings.maxConcurrency)) {
      if (this.#error) throw this.#error;
      await this.#changed.promise;
    }
    if (this.#error) throw this.#error;
    const batch = this.#batch;
    this.#batch = this.#newBatch();
    const request = this.#send(batch).catch((error) => this.#fail(this.#requestError(error)));
    this.#inFlight.add(request);
    request.finally(() => {
      this.#inFlight.delete(request);
      this.#notify();
    });
  }

  async #send(batch: BulkBatch): Promise<void> {
    let pending: readonly BatchItem[] = batch.items;
    for (let attempt = 0;; attempt++) {
      const response = await this.#post(batch.bodyOf(pending));
      const retry = this.#count(pending, response, attempt < this.#settings.maxRetries);
      this.#onProgress?.();
      if (retry.length === 0 || this.#error) return;
      this.#stats.retries += retry.length;
      this.#logger.debug(`retrying ${retry.length} documents answered 429/503 by Elasticsearch`);
      await sleep(backoffDelay(attempt, this.#settings.retryIntervalMs), this.#stop.signal);
      pending = retry;
    }
  }

  // One `_bulk` request, retried as a whole on overloads and connection errors.
  async #post(body: string): Promise<BulkResponse> {
    for (let attempt = 0;; attempt++) {
      try {
        const response = await this.#es.request<BulkResponse>("POST", this.#path, {
          ndjson: body,
          query: { pipeline: this.#pipeline, filter_path: FILTER_PATH },
          retry: false,
          signal: this.#signal,
        });
        return response.body;
      } catch (error) {
        if (!retryable(error) || attempt >= this.#settings.maxRetries || this.#error) throw error;
        this.#stats.retries += 1;
        this.#logger.warn(
          `_bulk request to ${this.#index} failed (${(error as Error).message}); ` +
            `retry ${attempt + 1} of ${this.#settings.maxRetries}`,
        );
        await sleep(backoffDelay(attempt, this.#settings.retryIntervalMs), this.#stop.signal);
      }
    }
  }

  // Counts one response; returns the items to send again.
  #count(sent: readonly BatchItem[], response: BulkResponse, canRetry: boolean): BatchItem[] {
    const results = response.items ?? [];
    if (results.length !== sent.length) {
      throw new Error(
        `_bulk to ${this.#index} answered ${results.length} items for ${sent.length} sent`,
      );
    }
    const retry: BatchItem[] = [];
    const stats = this.#stats;
    const logOperations = this.#settings.enableOperationsLogging;
    for (let i = 0; i < sent.length; i++) {
      const item = sent[i];
      const result = Object.values(results[i])[0] ?? { status: 0 };
      const status = result.status;
      if (status >= 200 && status < 300) {
        switch (result.result) {
          case "created":
            stats.created += 1;
            stats.indexed_document_count += 1;
            stats.indexed_document_volume_bytes += item.docBytes;
            break;
          case "updated":
            stats.updated += 1;
            stats.indexed_document_count += 1;
            stats.indexed_document_volume_bytes += item.docBytes;
            break;
          case "deleted":
            stats.deleted += 1;
            stats.deleted_document_count += 1;
            break;
          default:
            stats.noop += 1;
        }
        if (logOperations) this.#logger.debug(`${item.action} ${item.id}: ${result.result}`);
        this.#monitor.trackSuccess();
      } else if (item.action === "delete" && status === 404) {
        this.#logger.debug(`delete ${item.id}: not found`);
        this.#monitor.trackSuccess();
      } else if (canRetry && RETRYABLE_ITEM_STATUSES.has(status)) {
        retry.push(item);
      } else {
        this.#itemFailed(item, result);
      }
    }
    return retry;
  }

  #itemFailed(item: BatchItem, result: BulkItemResult): void {
    const error = result.error;
    const reason = error
      ? `${error.type ?? "error"}: ${error.reason ?? ""}`.trim()
      : `status ${result.status}`;
    this.#stats.failed += 1;
    this.#logger.warn(`could not ${item.action} document ${item.id}: ${reason}`);
    this.#sample(item.id, reason);
    try {
      this.#monitor.trackError(`${item.id}: ${reason}`);
    } catch (tooMany) {
      // Keep counting the rest of the response; the sink is stopped.
      this.#fail(tooMany as Error);
    }
  }

  #sample(id: string, reason: string): void {
    if (this.failedSample.length >= FAILED_SAMPLE_SIZE) return;
    if (this.failedSample.some((failed) => failed.id === id)) return;
    this.failedSample.push({ id, reason });
  }

  #requestError(error: unknown): Error {
    if (this.#signal.aborted) return abortError(this.#signal);
    if (error instanceof EsError) {
      return new Error(`cannot write to index ${this.#index}: ${error.message}`, { cause: error });
    }
    return error instanceof Error ? error : new Error(String(error));
  }

  #fail(error: Error): void {
    if (this.#error) return;
    this.#error = error;
    this.#stop.abort(error);
    this.#notify();
  }

  #notify(): void {
    this.#changed.resolve();
    this.#changed = Promise.withResolvers<void>();
  }

  #newBatch(): BulkBatch {
    const { chunkSize, chunkMaxBytes } = this.#settings;
    return new BulkBatch({ chunkSize: Math.max(1, chunkSize), chunkMaxBytes });
  }
}

function retryable(error: unknown): boolean {
  if (!(error instanceof EsError)) return false;
  if (error.type === "aborted") return false;
  return error.status === 0 || RETRYABLE_STATUSES.has(error.status);
}

function abortError(signal: AbortSignal): Error {
  const reason = signal.reason;
  return reason instanceof Error ? reason : new Error(`sync cancelled: ${String(reason)}`);
}

function noop(): void {}
