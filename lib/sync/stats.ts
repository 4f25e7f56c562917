/**
 * Sync counters: a zeroed {@linkcode SyncStats}, and the "failed" figure users see.
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

/**
 * Documents not written: refused by Elasticsearch or the sync, plus those over
 * `max_text_document_size`. What the summary, the job's `failed_document_count`, the progress
 * line and `/metrics` call "failed".
 */
export function documentsNotWritten(stats: Readonly<SyncStats>): number {
  return stats.failed + stats.docs_dropped_too_large;
}
