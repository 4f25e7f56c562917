/**
 * One sync, from the source to the index: source -> basic rules -> prepare -> (lazy download)
 * -> bulk sink, then the deletion sweep. Full, incremental (true or skip-unchanged) and
 * access-control syncs share these stages; see {@linkcode runSync}.
 * @module
 */

import { BulkSink } from "../es/bulk_sink.ts";
import {
  ACCESS_CONTROL_INDEX_PREFIX,
  accessControlIndexName,
  ensureAccessControlIndex,
  ensureContentIndex,
  pipelineExists,
} from "../es/content_index.ts";
import { compileBasicRules, type DocumentFilter } from "../rules/mod.ts";
import type {
  Download,
  SourceChange,
  SourceDocument,
  SourceItem,
  SyncContext,
  SyncCursor,
} from "../source/types.ts";
import { sweepDeletions } from "./deletion_sweep.ts";
import { storedTimestamps } from "./index_reads.ts";
import { documentId, DocumentPreparer, idProblem } from "./prepare.ts";
import { SortedIdSet } from "./sorted_id_set.ts";
import { abortReason, SourceReader } from "./source_reader.ts";
import { ProgressLog, SyncProgress } from "./progress.ts";
import { emptyStats } from "./stats.ts";
import { TaskPool } from "./task_pool.ts";
import { createSpillDir } from "./spill_dir.ts";
import {
  type FailedDocument,
  SyncFailed,
  type SyncOptions,
  type SyncResult,
  type SyncStats,
} from "./types.ts";

/** Ids whose stored `_timestamp` one `_mget` looks up in skip-unchanged syncs. */
export const UNCHANGED_LOOKUP_BATCH = 500;
/** Failed documents the result carries at most. */
export const RESULT_FAILED_SAMPLE = 50;
const OWN_FAILED_SAMPLE = 20;
const MAX_WARNINGS = 50;
// Per-document failures logged at WARNING; the rest go to DEBUG so a bad source cannot flood.
const LOGGED_FAILURES = 100;

type Mode = "full" | "skip_unchanged" | "changes" | "access_control";
type Operation = "index" | "update";

/**
 * Runs one sync and returns its counters, cursor, warnings and failed-document sample.
 *
 * - `full`: every source document is indexed; documents the index holds but the source no
 *   longer yields (or basic rules now filter out) are deleted, unless the mass-delete guard
 *   refuses (more than `maxDeletionRatio` of the index).
 * - `incremental`: sources with `changes()` apply their changes (no sweep); other sources with
 *   the incremental feature re-index only documents whose `_timestamp` differs from the stored
 *   one, then sweep deletions like a full sync.
 * - `access_control`: `accessControlDocs()` into `.search-acl-filter-<index>` (`indexName` may
 *   name the content index or the access-control index), with the same sweep.
 *
 * Throws {@linkcode SyncFailed} (with the counters so far) on any error, on the mass-delete
 * guard and on cancellation (`cancelled` true).
 *
 * @example
 * ```ts
 * const result = await runSync({ es, indexName: "search-books", jobType: "full", source, ... });
 * console.log(result.stats.indexed_document_count);
 * ```
 */
export async function runSync(options: SyncOptions): Promise<SyncResult> {
  return await new SyncRun(options).run();
}

class SyncRun {
  readonly #options: SyncOptions;
  readonly #signal: AbortSignal;
  /** The index written: `indexName`, or its access-control index for ACL syncs. */
  readonly #index: string;
  readonly #stats: SyncStats = emptyStats();
  readonly #warnings: string[] = [];
  readonly #failures: FailedDocument[] = [];
  readonly #sinks: BulkSink[] = [];
  readonly #context: SyncContext;
  readonly #downloads: TaskPool;
  readonly #notify: () => void;
  readonly #progress: SyncProgress;
  #sink!: BulkSink;
  #seen!: SortedIdSet;
  #keep: DocumentFilter | undefined;
  #preparer!: DocumentPreparer;
  #extract = false;
  #pipelineName?: string;
  // The promise, not the path: two spill sets asking at once must share one directory.
  #dir?: Promise<string>;
  #loggedFailures = 0;

  constructor(options: SyncOptions) {
    this.#options = options;
    this.#signal = options.signal;
    this.#index = options.jobType === "access_control" &&
        !options.indexName.startsWith(ACCESS_CONTROL_INDEX_PREFIX)
      ? accessControlIndexName(options.indexName)
      : options.indexName;
    this.#downloads = new TaskPool(options.bulk.concurrentDownloads);
    this.#progress = options.progress ?? new SyncProgress();
    this.#progress.track(this.#stats);
    const onProgress = options.onProgress;
    const stats = this.#stats;
    this.#notify = onProgress ? () => onProgress(stats) : () => {};
    this.#context = {
      signal: options.signal,
      logger: options.logger,
      advancedRules: options.advancedRules,
      maxFileSize: options.maxFileSize,
      warn: (message) => this.#warn(message),
    };
  }

  async run(): Promise<SyncResult> {
    const progress = new ProgressLog({
      progress: this.#progress,
      logger: this.#options.logger,
      index: this.#index,
    });
    progress.start();
    try {
      const mode = this.#mode();
      this.#setUp(mode);
      if (this.#signal.aborted) throw abortReason(this.#signal);
      await this.#prepareIndex(mode);
      if (mode === "full" || mode === "skip_unchanged") {
        await this.#progress.estimate(this.#options.source, this.#context);
      }
      this.#progress.setPhase("indexing");
      let cursor: SyncCursor | null = null;
      if (mode === "changes") {
        await this.#applyChanges();
      } else {
        await this.#writeAll(mode);
        await this.#sweep(mode);
      }
      if (mode !== "access_control") cursor = this.#options.source.cursor?.() ?? null;
      return this.#result(cursor);
    } catch (error) {
      throw this.#failure(error);
    } finally {
      progress.stop();
      if (this.#dir) {
        await this.#dir.then((dir) => Deno.remove(dir, { recursive: true })).catch(() => {});
      }
    }
  }

  #mode(): Mode {
    const { jobType, source, features } = this.#options;
    const service = this.#options.logger.fields.service_type ?? "this connector";
    if (jobType === "full") return "full";
    if (jobType === "incremental") {
      if (source.changes) return "changes";
      if (features.incrementalSync) return "skip_unchanged";
      throw new Error(`${service} does not support incremental syncs; run a full sync instead`);
    }
    if (!source.accessControlDocs) {
      throw new Error(
        `${service} does not support access-control syncs (document level security); ` +
          `turn off document level security for this connector`,
      );
    }
    return "access_control";
  }

  #setUp(mode: Mode): void {
    const { pipeline, basicRules } = this.#options;
    const content = mode !== "access_control";
    // ACL documents are identities, not content: no rules, no pipeline flags, no downloads.
    this.#keep = content && basicRules.length > 0 ? compileBasicRules(basicRules) : undefined;
    this.#preparer = new DocumentPreparer({
      now: new Date().toISOString(),
      pipeline: content ? pipeline : undefined,
      warn: (message) => this.#warn(message),
    });
    this.#extract = content && pipeline.extract_binary_content;
  }

  async #prepareIndex(mode: Mode): Promise<void> {
    const { es, logger, language, pipeline } = this.#options;
    const index = this.#index;
    const signal = this.#signal;
    if (mode === "access_control") {
      await ensureAccessControlIndex({ es, index, logger, signal });
      return;
    }
    await ensureContentIndex({ es, index, language, logger, signal });
    if (!pipeline.name) return;
    if (await pipelineExists(es, pipeline.name, signal)) {
      this.#pipelineName = pipeline.name;
    } else {
      this.#warn(
        `ingest pipeline ${pipeline.name} does not exist, so documents are indexed into ` +
          `${index} without it; create the pipeline or change the connector's pipeline setting`,
      );
    }
  }

  // Full, skip-unchanged and access-control syncs: every source document, ids recorded.
  async #writeAll(mode: Mode): Promise<void> {
    const { source } = this.#options;
    this.#seen = new SortedIdSet({ dir: await this.#tempDir(), name: "seen" });
    const sink = this.#openSink();
    const reader = new SourceReader<SourceItem | SourceDocument>(
      mode === "access_control"
        ? source.accessControlDocs!(this.#context)
        : source.docs(this.#context),
      this.#signal,
    );
    await this.#readInto(
      reader,
      sink,
      () =>
        mode === "skip_unchanged"
          ? this.#pullChanged(reader as SourceReader<SourceItem>)
          : this.#pull(reader, mode === "access_control"),
    );
  }

  // Runs `pull` over `reader`, then closes `sink`; on failure stops the reader, waits for
  // started downloads and closes the sink before rethrowing, so no request outlives the job.
  async #readInto<T>(
    reader: SourceReader<T>,
    sink: BulkSink,
    pull: () => Promise<void>,
  ): Promise<void> {
    try {
      await pull();
      reader.stop();
      await this.#downloads.drain();
    } catch (error) {
      reader.stop();
      await this.#downloads.drain().catch(() => {});
      await sink.close().catch(() => {});
      throw error;
    }
    await sink.close();
  }

  async #pull(reader: SourceReader<SourceItem | SourceDocument>, acl: boolean): Promise<void> {
    const stats = this.#stats;
    const keep = this.#keep;
    const seen = this.#seen;
    for (let item = await reader.next(); item !== undefined; item = await reader.next()) {
      stats.docs_extracted++;
      const doc = acl ? item as SourceDocument : (item as SourceItem).doc;
      const id = this.#preparer.prepare(doc);
      if (id === undefined) {
        this.#idRefused(doc);
      } else if (keep !== undefined && !keep(doc)) {
        stats.docs_filtered++;
      } else {
        const pending = seen.add(id);
        if (pending) await pending;
        await this.#write("index", id, doc, acl ? undefined : (item as SourceItem).download);
      }
      this.#notify();
    }
  }

  // Skip-unchanged incremental: batches of ids are looked up, unchanged documents skipped.
  async #pullChanged(reader: SourceReader<SourceItem>): Promise<void> {
    const stats = this.#stats;
    const keep = this.#keep;
    const seen = this.#seen;
    const ids: string[] = [];
    const items: SourceItem[] = [];
    const stamps: (string | undefined)[] = [];
    // Documents wait for their lookup: bound them by bytes too, as large rows add up.
    const maxHeldBytes = Math.max(1, this.#options.bulk.chunkMaxBytes);
    let heldBytes = 0;
    for (let item = await reader.next(); item !== undefined; item = await reader.next()) {
      stats.docs_extracted++;
      const doc = item.doc;
      const stamp = typeof doc._timestamp === "string" ? doc._timestamp : undefined;
      const id = this.#preparer.prepare(doc);
      if (id === undefined) {
        this.#idRefused(doc);
      } else if (keep !== undefined && !keep(doc)) {
        stats.docs_filtered++;
      } else {
        const pending = seen.add(id);
        if (pending) await pending;
        ids.push(id);
        items.push(item);
        stamps.push(stamp);
        heldBytes += roughBytes(doc);
        if (ids.length >= UNCHANGED_LOOKUP_BATCH || heldBytes >= maxHeldBytes) {
          await this.#writeChanged(ids, items, stamps);
          ids.length =
            items.length =
            stamps.length =
            heldBytes =
              0;
        }
      }
      this.#notify();
    }
    await this.#writeChanged(ids, items, stamps);
  }

  async #writeChanged(
    ids: string[],
    items: SourceItem[],
    stamps: (string | undefined)[],
  ): Promise<void> {
    if (ids.length === 0) return;
    const { es } = this.#options;
    const index = this.#index;
    const stored = await storedTimestamps({ es, index, ids, signal: this.#signal });
    for (let i = 0; i < ids.length; i++) {
      if (stamps[i] !== undefined && stored[i] === stamps[i]) {
        this.#stats.docs_skipped_unchanged++;
      } else {
        await this.#write("index", ids[i], items[i].doc, items[i].download);
      }
    }
    this.#notify();
  }

  // True incremental: the source's own changes, no deletion sweep.
  async #applyChanges(): Promise<void> {
    const { source, cursor } = this.#options;
    const stats = this.#stats;
    const keep = this.#keep;
    const sink = this.#openSink();
    const reader = new SourceReader<SourceChange>(
      source.changes!({ ...this.#context, cursor }),
      this.#signal,
    );
    await this.#readInto(reader, sink, async () => {
      for (let change = await reader.next(); change !== undefined; change = await reader.next()) {
        if (change.op === "delete") {
          const id = documentId(change.id);
          if (id === undefined) this.#idRefused({ _id: change.id });
          else await sink.delete(id);
          continue;
        }
        stats.docs_extracted++;
        const id = this.#preparer.prepare(change.doc);
        if (id === undefined) this.#idRefused(change.doc);
        else if (keep !== undefined && !keep(change.doc)) stats.docs_filtered++;
        else await this.#write(change.op, id, change.doc, change.download);
        this.#notify();
      }
    });
  }

  #write(op: Operation, id: string, doc: SourceDocument, download?: Download): Promise<void> {
    if (download !== undefined && this.#extract) {
      return this.#downloads.run(() => this.#downloadThenWrite(op, id, doc, download));
    }
    return op === "index" ? this.#sink.index(id, doc) : this.#sink.update(id, doc);
  }

  async #downloadThenWrite(
    op: Operation,
    id: string,
    doc: SourceDocument,
    download: Download,
  ): Promise<void> {
    let content;
    try {
      content = await download(this.#signal);
    } catch (error) {
      if (this.#signal.aborted) throw abortReason(this.#signal);
      // The id stays seen, so a copy already in the index is kept rather than deleted.
      this.#documentFailed(
        id,
        `download of its content failed (${errorMessage(error)}); not indexed this time`,
      );
      this.#notify();
      return;
    }
    if (content) {
      if (content._attachment != null) doc._attachment = content._attachment;
      if (content.body != null) doc.body = content.body;
    }
    await (op === "index" ? this.#sink.index(id, doc) : this.#sink.update(id, doc));
  }

  async #sweep(mode: Mode): Promise<void> {
    if (this.#signal.aborted) throw abortReason(this.#signal);
    this.#progress.setPhase("deleting stale documents");
    const { es, maxDeletionRatio, allowMassDelete, logger } = this.#options;
    const index = this.#index;
    let sink: BulkSink | undefined;
    try {
      await sweepDeletions({
        es,
        index,
        seen: this.#seen,
        dir: await this.#tempDir(),
        label: mode === "full"
          ? "full sync"
          : mode === "access_control"
          ? "access-control sync"
          : "incremental sync",
        maxDeletionRatio,
        allowMassDelete,
        signal: this.#signal,
        logger,
        deleteId: (id) => (sink ??= this.#openSink()).delete(id),
      });
    } catch (error) {
      await sink?.close().catch(() => {});
      throw error;
    }
    await sink?.close();
  }

  #openSink(): BulkSink {
    const { es, bulk: settings, logger } = this.#options;
    const index = this.#index;
    this.#sink = new BulkSink({
      es,
      index,
      pipeline: this.#pipelineName,
      settings,
      stats: this.#stats,
      logger,
      signal: this.#signal,
      onProgress: this.#notify,
      observer: this.#options.bulkObserver,
    });
    this.#sinks.push(this.#sink);
    return this.#sink;
  }

  #tempDir(): Promise<string> {
    return this.#dir ??= createSpillDir(this.#options.tempDir);
  }

  #idRefused(doc: SourceDocument): void {
    const fields = Object.keys(doc).filter((key) => key !== "_id").slice(0, 5).join(", ");
    const reason = idProblem(doc._id);
    this.#documentFailed(String(doc._id ?? ""), fields ? `${reason} (fields: ${fields})` : reason);
  }

  #documentFailed(id: string, reason: string): void {
    this.#stats.failed++;
    if (this.#failures.length < OWN_FAILED_SAMPLE) this.#failures.push({ id, reason });
    const logger = this.#options.logger;
    const message = `document ${JSON.stringify(id)}: ${reason}`;
    if (this.#loggedFailures < LOGGED_FAILURES) {
      this.#loggedFailures++;
      logger.warn(message);
      if (this.#loggedFailures === LOGGED_FAILURES) {
        logger.warn(`more document failures are logged at DEBUG level only`);
      }
    } else {
      logger.debug(message);
    }
  }

  #warn(message: string): void {
    this.#options.logger.warn(message);
    if (this.#warnings.length < MAX_WARNINGS && !this.#warnings.includes(message)) {
      this.#warnings.push(message);
    }
  }

  #result(cursor: SyncCursor | null): SyncResult {
    const failedSample = this.#failures.slice(0, RESULT_FAILED_SAMPLE);
    for (const sink of this.#sinks) {
      for (const failed of sink.failedSample) {
        if (failedSample.length < RESULT_FAILED_SAMPLE) failedSample.push(failed);
      }
    }
    return { stats: { ...this.#stats }, cursor, warnings: [...this.#warnings], failedSample };
  }

  #failure(error: unknown): SyncFailed {
    if (error instanceof SyncFailed) return error;
    const cancelled = this.#signal.aborted;
    const message = cancelled
      ? `sync of ${this.#index} was cancelled (${
        abortReason(this.#signal).message
      }) after ${this.#stats.docs_extracted} documents`
      : errorMessage(error);
    return new SyncFailed(message, { result: this.#result(null), cancelled, cause: error });
  }
}

/** A cheap estimate of a document's JSON size: its top-level keys and strings. */
function roughBytes(doc: SourceDocument): number {
  let bytes = 0;
  for (const key in doc) {
    const value = doc[key];
    bytes += key.length + (typeof value === "string" ? value.length : 8);
  }
  return bytes;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
