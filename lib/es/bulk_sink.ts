/**
 * Writes documents to one index with `_bulk`: batches by documents and bytes, keeps up to
 * `maxConcurrency` requests in flight, retries overloads (whole requests and single items
 * answered 429/503), counts results from the responses only, and stops the sync through the
 * {@linkcode ErrorMonitor} when too many documents fail.
 *
 * A batch is given up after `maxRetries` failed sends in a row with no document of the sink
 * accepted in between: documents accepted meanwhile restart its count, so a cluster that
 * throttles part of the writes slows the sync down, and one that accepts nothing fails it.
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

/**
 * How many times a batch may be sent per allowed retry (`maxRetries + 1`) while other documents
 * get through: the bound for a batch that is always refused (say, by a circuit breaker).
 */
const MAX_SENDS_PER_RETRY = 10;

/** Failures of one batch, for {@linkcode BulkSink}'s retry decisions. */
interface RetryBudget {
  /** Failed sends so far. */
  failures: number;
  /** Failed sends since documents were last accepted. */
  strikes: number;
  /** The sink's accepted count at the previous failure. */
  accepted: number;
}

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
  /** Told about request latency, retries and buffered bytes (for metrics). */
  observer?: BulkObserver;
}

/** What a sink reports for metrics; each call is cheap and must not throw. */
export interface BulkObserver {
  /** A `_bulk` request got an HTTP answer (any status) after `seconds`. */
  requestAnswered(seconds: number): void;
  /** Whole requests, or documents answered 429/503, are sent again. */
  retried(kind: "request" | "document", count: number): void;
  /** Serialized bytes held (the batch being filled plus requests in flight) changed by `delta`. */
  bufferedChanged(delta: number): void;
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
  readonly #observer?: BulkObserver;
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
  // Documents Elasticsearch accepted so far: retries of overloads are patient while it grows.
  #accepted = 0;
  #splitWarned = false;
  #buffered = 0;

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
    this.#observer = options.observer;
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
    // A batch left unsent by a failure is dropped: the sink holds nothing any more.
    this.#buffer(-this.#buffered);
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
    this.#buffer(operation.bytes);
    if (this.#batch.full) await this.#flush();
  }

  #prepare(
    action: "index" | "update",
    id: string,
    doc: Record<string, unknown>,
  ): BulkOperation | undefined {
    let json: string;
    try {
      json = JSON.stringify(doc);
    } catch (error) {
      // Too deeply nested, cyclic or holding a BigInt: this document fails, not the sync.
      this.#stats.failed += 1;
      const reason = `cannot be serialized as JSON (${(error as Error).message}); skipped`;
      this.#logger.warn(`dropped document ${id}: ${reason}`);
      this.#sample(id, reason);
      return undefined;
    }
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
      this.#buffer(-batch.bytes);
      this.#notify();
    });
  }

  async #send(batch: BulkBatch, items: readonly BatchItem[] = batch.items): Promise<void> {
    let pending = items;
    const budget: RetryBudget = { failures: 0, strikes: 0, accepted: this.#accepted };
    for (;;) {
      let response: BulkResponse;
      try {
        response = await this.#post(batch.bodyOf(pending), budget);
      } catch (error) {
        if (!tooLarge(error) || this.#error) throw error;
        await this.#sendInHalves(batch, pending);
        return;
      }
      const retry = this.#count(pending, response);
      this.#onProgress?.();
      if (retry.length === 0 || this.#error) return;
      const wait = this.#nextWait(budget);
      if (wait === undefined) {
        for (const [item, result] of retry) this.#itemFailed(item, result);
        return;
      }
      this.#stats.retries += retry.length;
      this.#observer?.retried("document", retry.length);
      this.#logger.info(
        `${retry.length} documents answered 429/503 by Elasticsearch (overloaded); ` +
          `sending them again in ${wait} ms`,
      );
      await sleep(wait, this.#stop.signal);
      pending = retry.map(([item]) => item);
    }
  }

  /**
   * Counts one more failure of a batch; returns the wait before sending it again, or undefined
   * to give up. A batch gets `maxRetries` failures in a row, but documents of this sink accepted
   * since its previous failure restart the count: a throttled cluster slows the sync down
   * instead of failing it. {@linkcode MAX_SENDS_PER_RETRY} bounds a batch that never passes.
   */
  #nextWait(budget: RetryBudget): number | undefined {
    const { maxRetries, retryIntervalMs } = this.#settings;
    budget.failures += 1;
    if (this.#accepted > budget.accepted) budget.strikes = 0;
    budget.accepted = this.#accepted;
    budget.strikes += 1;
    if (budget.strikes > maxRetries || budget.failures >= MAX_SENDS_PER_RETRY * (maxRetries + 1)) {
      return undefined;
    }
    return backoffDelay(budget.strikes - 1, retryIntervalMs);
  }

  // Answered 413: the body is over Elasticsearch's http.max_content_length (or a proxy's
  // limit). Halves go on their own; a single document still refused fails alone.
  async #sendInHalves(batch: BulkBatch, items: readonly BatchItem[]): Promise<void> {
    if (items.length === 1) {
      const reason = `document is ${items[0].docBytes} bytes and the request carrying it alone ` +
        `was refused as too large (HTTP 413): raise Elasticsearch's http.max_content_length ` +
        `(or the proxy's body limit) or lower elasticsearch.bulk.max_text_document_size`;
      this.#itemFailed(items[0], { status: 413, error: { type: "request_too_large", reason } });
      return;
    }
    const message = `_bulk request of ${items.length} documents to ${this.#index} was refused ` +
      `as too large (HTTP 413); sending it in halves. Lower ` +
      `elasticsearch.bulk.chunk_max_mem_size below the cluster's (or proxy's) body limit.`;
    if (this.#splitWarned) this.#logger.debug(message);
    else this.#logger.warn(message);
    this.#splitWarned = true;
    const half = Math.ceil(items.length / 2);
    await this.#send(batch, items.slice(0, half));
    await this.#send(batch, items.slice(half));
  }

  // One `_bulk` request, retried as a whole on overloads and connection errors.
  async #post(body: string, budget: RetryBudget): Promise<BulkResponse> {
    for (;;) {
      const started = performance.now();
      try {
        const response = await this.#es.request<BulkResponse>("POST", this.#path, {
          ndjson: body,
          query: { pipeline: this.#pipeline, filter_path: FILTER_PATH },
          retry: false,
          signal: this.#signal,
        });
        this.#observer?.requestAnswered((performance.now() - started) / 1000);
        return response.body;
      } catch (error) {
        if (error instanceof EsError && error.status > 0) {
          this.#observer?.requestAnswered((performance.now() - started) / 1000);
        }
        const again = retryable(error, this.#es) && !this.#error;
        const wait = again ? this.#nextWait(budget) : undefined;
        if (wait === undefined) throw error;
        this.#stats.retries += 1;
        this.#observer?.retried("request", 1);
        this.#logger.warn(
          `_bulk request to ${this.#index} failed (${(error as Error).message}); ` +
            `retry ${budget.strikes} of ${this.#settings.maxRetries} in ${wait} ms`,
        );
        await sleep(wait, this.#stop.signal);
      }
    }
  }

  // Counts one response; returns the items answered 429/503, with their results.
  #count(
    sent: readonly BatchItem[],
    response: BulkResponse,
  ): Array<[BatchItem, BulkItemResult]> {
    const results = response.items ?? [];
    if (results.length !== sent.length) {
      throw new Error(
        `_bulk to ${this.#index} answered ${results.length} items for ${sent.length} sent`,
      );
    }
    const retry: Array<[BatchItem, BulkItemResult]> = [];
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
        this.#accepted += 1;
        this.#monitor.trackSuccess();
      } else if (item.action === "delete" && status === 404) {
        this.#logger.debug(`delete ${item.id}: not found`);
        this.#accepted += 1;
        this.#monitor.trackSuccess();
      } else if (RETRYABLE_ITEM_STATUSES.has(status)) {
        retry.push([item, result]);
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

  #buffer(delta: number): void {
    if (delta === 0) return;
    this.#buffered += delta;
    this.#observer?.bufferedChanged(delta);
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

function retryable(error: unknown, es: EsClient): boolean {
  if (!(error instanceof EsError) || error.type === "aborted") return false;
  // A 401 once the credentials have worked: a restarted node whose security index recovers.
  if (error.status === 401) return es.authenticated;
  return error.status === 0 || RETRYABLE_STATUSES.has(error.status);
}

function tooLarge(error: unknown): boolean {
  return error instanceof EsError && error.status === 413;
}

function abortError(signal: AbortSignal): Error {
  const reason = signal.reason;
  return reason instanceof Error ? reason : new Error(`sync cancelled: ${String(reason)}`);
}

function noop(): void {}
