/**
 * The one-line summary of a finished job, for the log and for `connectors sync`'s stdout.
 * @module
 */
import { documentsNotWritten } from "../sync/stats.ts";
import type { SyncStats } from "../sync/types.ts";

/** What a summary is made of. */
export interface JobSummaryInput {
  jobId: string;
  jobType: string;
  status: string;
  stats: Readonly<SyncStats>;
  durationMs: number;
  error?: string | null;
}

/**
 * E.g. `job abc (full) completed in 3.2 s: 10 created, 0 updated, 2 deleted, 0 failed, 3.1 docs/s`.
 * "failed" counts every document not written, too-large ones included. The rate counts
 * documents written or deleted per second of the whole job.
 */
export function jobSummary(input: JobSummaryInput): string {
  const { stats } = input;
  const seconds = input.durationMs / 1000;
  const handled = stats.created + stats.updated + stats.deleted;
  const rate = seconds > 0 ? handled / seconds : 0;
  const line =
    `job ${input.jobId} (${input.jobType}) ${input.status} in ${seconds.toFixed(1)} s: ` +
    `${stats.created} created, ${stats.updated} updated, ${stats.deleted} deleted, ` +
    `${documentsNotWritten(stats)} failed, ${rate.toFixed(1)} docs/s`;
  return input.error ? `${line}; error: ${input.error}` : line;
}
