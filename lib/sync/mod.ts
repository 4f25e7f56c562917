/**
 * The sync engine: moves a source's documents into an index with bounded memory, counts
 * everything, deletes what the source no longer has, and stops cleanly when cancelled.
 *
 * @example
 * ```ts
 * import { runSync, SyncFailed } from "./mod.ts";
 *
 * try {
 *   const result = await runSync(options);
 *   console.log(result.stats.indexed_document_count, result.cursor);
 * } catch (error) {
 *   if (error instanceof SyncFailed) console.log(error.cancelled, error.result.stats);
 * }
 * ```
 * @module
 */

export { RESULT_FAILED_SAMPLE, runSync, UNCHANGED_LOOKUP_BATCH } from "./run_sync.ts";
export { documentsNotWritten, emptyStats } from "./stats.ts";
export {
  describeProgress,
  formatDuration,
  parseProgressLine,
  PROGRESS_LOG_INTERVAL_MS,
  progressLine,
  type ProgressSnapshot,
  type SyncPhase,
  SyncProgress,
} from "./progress.ts";
export { documentId, hashId, MAX_ID_BYTES } from "./prepare.ts";
export { MassDeleteRefused } from "./deletion_sweep.ts";
export * from "./types.ts";
