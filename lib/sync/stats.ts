/**
 * Sync counters: a zeroed {@linkcode SyncStats} and how often a running sync logs its progress.
 *
 * @example
 * ```ts
 * const stats = emptyStats();
 * stats.docs_extracted += 1;
 * ```
 * @module
 */

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

/** How often a running sync logs its progress (lib/sync/progress.ts `ProgressLog`). */
export const PROGRESS_LOG_INTERVAL_MS = 10_000;
