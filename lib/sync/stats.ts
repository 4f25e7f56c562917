/**
 * Sync counters: a zeroed {@linkcode SyncStats} and the progress line logged while a sync runs.
 *
 * @example
 * ```ts
 * const stats = emptyStats();
 * stats.docs_extracted += 1;
 * ```
 * @module
 */

import type { Logger } from "../log/mod.ts";
import type { SyncStats } from "./types.ts";

/** Counters of a sync that has not started. */
export function emptyStats(): SyncStats {
  return {
    indexed_document_count: 0,
    deleted_document_count: 0,
    indexed_document_volume_bytes: 0,
    created: 0,
    updated: 0,
    deleted: 0,
    noop: 0,
    failed: 0,
    docs_extracted: 0,
    docs_filtered: 0,
    docs_skipped_unchanged: 0,
    docs_dropped_too_large: 0,
    retries: 0,
  };
}

/** How often a running sync logs its progress. */
export const PROGRESS_LOG_INTERVAL_MS = 10_000;

/**
 * Logs a progress line every {@linkcode PROGRESS_LOG_INTERVAL_MS} with the extraction rate
 * over the last interval; a timer, so documents pay nothing for it.
 */
export class ProgressLog {
  readonly #stats: Readonly<SyncStats>;
  readonly #logger: Logger;
  readonly #index: string;
  #timer?: ReturnType<typeof setInterval>;
  #lastExtracted = 0;
  #lastTime = 0;

  constructor(options: { stats: Readonly<SyncStats>; logger: Logger; index: string }) {
    this.#stats = options.stats;
    this.#logger = options.logger;
    this.#index = options.index;
  }

  start(): void {
    this.#lastTime = performance.now();
    const timer = setInterval(() => this.#log(), PROGRESS_LOG_INTERVAL_MS);
    Deno.unrefTimer(timer);
    this.#timer = timer;
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #log(): void {
    const now = performance.now();
    const stats = this.#stats;
    const rate = (stats.docs_extracted - this.#lastExtracted) / ((now - this.#lastTime) / 1000);
    this.#lastExtracted = stats.docs_extracted;
    this.#lastTime = now;
    this.#logger.info(
      `syncing ${this.#index}: ${stats.docs_extracted} documents extracted ` +
        `(${Math.round(rate)} docs/s), ${stats.indexed_document_count} indexed, ` +
        `${stats.deleted_document_count} deleted, ${stats.failed} failed`,
    );
  }
}
