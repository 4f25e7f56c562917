/**
 * `connectors job view --follow`: watches a job document until the job ends. A running job
 * writes its counters and `metadata.progress` every 10 s (lib/service/job_runner.ts); on a
 * terminal one line is redrawn with the elapsed time and ETA ticking in between, otherwise a
 * line is printed each time the document changes.
 * @module
 */
import {
  type Stored,
  type SyncJobDoc,
  type SyncJobIndex,
  TERMINAL_JOB_STATUSES,
} from "../lib/protocol/mod.ts";
import { describeProgress, type ProgressSnapshot } from "../lib/sync/mod.ts";
import { sleep } from "../lib/util/retry.ts";
import { CommandError, describeError } from "./context.ts";
import type { LiveLine } from "./progress.ts";

/** How often the job document is read. */
export const FOLLOW_POLL_MS = 1_000;
/** How long reads may keep failing before following gives up. */
export const FOLLOW_GIVE_UP_MS = 60_000;

/** Options of {@linkcode followJob}. */
export interface FollowOptions {
  jobs: SyncJobIndex;
  jobId: string;
  /** A live line (on a terminal); without it, `print` gets a line per change. */
  line?: LiveLine;
  print: (line: string) => void;
  /** Told about failed reads (they are retried). */
  warn: (message: string) => void;
  signal?: AbortSignal;
  pollMs?: number;
}

/** Follows the job until its status is completed, error or canceled; returns the last read. */
export async function followJob(options: FollowOptions): Promise<Stored<SyncJobDoc>> {
  const { jobs, jobId, line } = options;
  let printed = "";
  let failingSince: number | undefined;
  line?.start();
  try {
    for (;;) {
      let job: Stored<SyncJobDoc> | null;
      try {
        job = await jobs.get(jobId, { signal: options.signal });
        failingSince = undefined;
      } catch (error) {
        if (options.signal?.aborted) throw error;
        failingSince ??= Date.now();
        if (Date.now() - failingSince > FOLLOW_GIVE_UP_MS) throw error;
        options.warn(`could not read job ${jobId} (retrying): ${describeError(error)}`);
        await sleep(options.pollMs ?? FOLLOW_POLL_MS, options.signal);
        continue;
      }
      if (!job) throw new CommandError(`sync job "${jobId}" was deleted while it was followed`);
      if (TERMINAL_JOB_STATUSES.includes(job.doc.status)) return job;
      if (line) {
        line.show(followLine(job.doc, { now: Date.now() }));
      } else {
        const text = followLine(job.doc);
        if (text !== printed) options.print(text);
        printed = text;
      }
      await sleep(options.pollMs ?? FOLLOW_POLL_MS, options.signal);
    }
  } finally {
    line?.stop();
  }
}

/**
 * What a job is doing, e.g. `in_progress | indexing 40% ETA 0:12 | 400 indexed, ...`. With
 * `now` (a live line), elapsed time and ETA advance from the last report; without it the line
 * only changes when the document does.
 */
export function followLine(doc: SyncJobDoc, options: { now?: number } = {}): string {
  const status = doc.status;
  if (status === "pending" || status === "suspended") {
    return `${status} | waiting for a connector service to run it`;
  }
  return `${status} | ${describeProgress(jobProgress(doc, options.now))}`;
}

/** The progress the job last reported, with the counters of the job document. */
export function jobProgress(doc: SyncJobDoc, now?: number): ProgressSnapshot {
  const stored = (doc.metadata?.progress ?? {}) as Partial<ProgressSnapshot>;
  const since = (iso: string | null) =>
    now === undefined || !iso ? 0 : (now - Date.parse(iso)) / 1000;
  let elapsed = stored.elapsed_seconds ?? 0;
  let eta = stored.eta_seconds ?? null;
  if (now !== undefined && !TERMINAL_JOB_STATUSES.includes(doc.status)) {
    elapsed = doc.started_at ? since(doc.started_at) : elapsed;
    if (eta !== null) eta = Math.max(0, eta - since(doc.last_seen));
  }
  return {
    phase: stored.phase ?? "starting",
    extracted: stored.extracted ?? 0,
    processed: stored.processed ?? 0,
    indexed: doc.indexed_document_count ?? 0,
    deleted: doc.deleted_document_count ?? 0,
    failed: stored.failed ?? 0,
    docs_per_sec: stored.docs_per_sec ?? 0,
    mb_per_sec: stored.mb_per_sec ?? 0,
    estimated_total: stored.estimated_total ?? null,
    eta_seconds: eta,
    elapsed_seconds: elapsed,
  };
}
