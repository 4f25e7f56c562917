/**
 * One full sync the way a user runs it: `connectors sync --id <id> --full -c <config>` in a
 * child process, then the job document must say `completed`.
 * @module
 */
import type { EsClient } from "../es/client.ts";
import type { ProgressSnapshot } from "../sync/progress.ts";
import { runSyncProcess, type SyncProcessResult } from "./child_sync.ts";
import { connectorJobs, type JobCounts } from "./connector.ts";
import { FtestError } from "./report.ts";

/** Options for {@linkcode fullSync}. */
export interface FullSyncOptions {
  /** The argv prefix that runs the `connectors` CLI. */
  cli: string[];
  connectorId: string;
  config: string;
  /** Where the child's output goes. */
  logFile: string;
  cwd: string;
  /** Reads the job document afterwards. */
  client: EsClient;
  /** Jobs the connector had before this sync: it must add exactly one. */
  jobsBefore: number;
  signal?: AbortSignal;
  /** Follows the sync's progress (`--progress json`); null when it ended. */
  onProgress?: (progress: ProgressSnapshot | null) => void;
}

/** How the sync went: the process measurements and the job's counters. */
export interface FullSyncResult {
  process: SyncProcessResult;
  job: JobCounts;
  /** Peak RSS in MiB, one decimal. */
  peakMb: number;
}

/**
 * Runs the sync; throws {@linkcode FtestError} with the process's last lines when it exits
 * non-zero, or when the job document is not `completed`.
 */
export async function fullSync(options: FullSyncOptions): Promise<FullSyncResult> {
  const process = await runSyncProcess({
    command: [
      ...options.cli,
      ...["sync", "--id", options.connectorId, "--full", "-c", options.config],
      ...(options.onProgress ? ["--progress", "json"] : []),
    ],
    logFile: options.logFile,
    cwd: options.cwd,
    signal: options.signal,
    onProgress: options.onProgress,
  });
  if (options.signal?.aborted) throw new FtestError("interrupted");
  if (process.code !== 0) {
    throw new FtestError(
      `connectors sync exited with code ${process.code}; its last lines (all in ${options.logFile}):\n` +
        process.tail.map((line) => `    ${line}`).join("\n"),
    );
  }
  const jobs = await connectorJobs(options.client, options.connectorId);
  if (jobs.length !== options.jobsBefore + 1) {
    throw new FtestError(
      `connectors sync exited 0 but the connector has ${jobs.length} jobs, expected ${
        options.jobsBefore + 1
      }`,
    );
  }
  const job = jobs[jobs.length - 1];
  if (job.status !== "completed") {
    throw new FtestError(
      `connectors sync exited 0 but job ${job.id} is ${job.status}, expected completed`,
    );
  }
  return { process, job, peakMb: Math.round(process.peakRssBytes / 1024 / 1024 * 10) / 10 };
}
