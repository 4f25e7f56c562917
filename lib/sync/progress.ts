/**
 * Where a running sync is: its phase, rates over the last seconds, the source's estimated
 * total and an ETA. One {@linkcode SyncProgress} per job feeds the terminal's progress line,
 * the periodic log line and the job document's `metadata.progress`.
 *
 * @example
 * ```ts
 * const progress = new SyncProgress();
 * progress.track(stats);
 * progress.setPhase("indexing");
 * progress.snapshot(); // { phase: "indexing", indexed: 120, docs_per_sec: 812.5, ... }
 * ```
 * @module
 */
import type { Logger } from "../log/mod.ts";
import type { Source, SyncContext } from "../source/types.ts";
import { documentsNotWritten, emptyStats } from "./stats.ts";
import type { SyncStats } from "./types.ts";

/** The steps of a job, in order; `done` only when it completed. */
export type SyncPhase =
  | "starting"
  | "connecting"
  | "indexing"
  | "deleting stale documents"
  | "done";

/**
 * A sync's progress at one moment, as stored in the job's `metadata.progress` and printed by
 * `--progress json`. Field names are stable.
 */
export interface ProgressSnapshot {
  phase: SyncPhase;
  /** Documents the source yielded so far. */
  extracted: number;
  /**
   * Yielded documents that are settled: indexed, unchanged, filtered out, dropped or failed.
   * Percent and ETA count these, so they reflect Elasticsearch's pace, not only the source's.
   */
  processed: number;
  indexed: number;
  deleted: number;
  failed: number;
  /** Documents processed or deleted per second over the last {@linkcode RATE_WINDOW_MS}. */
  docs_per_sec: number;
  /** Megabytes (10^6 bytes) indexed per second over the same window. */
  mb_per_sec: number;
  /** What the source expects to yield; null when it cannot say. */
  estimated_total: number | null;
  /** Seconds left until every estimated document is processed at the current rate; or null. */
  eta_seconds: number | null;
  elapsed_seconds: number;
}

/** How often a running sync logs its progress. */
export const PROGRESS_LOG_INTERVAL_MS = 10_000;
/** Rates are measured over about this long, so they follow changes but do not jitter. */
export const RATE_WINDOW_MS = 10_000;
/** Samples for the rates are kept at most this often. */
const SAMPLE_EVERY_MS = 1_000;

interface Sample {
  at: number;
  processed: number;
  handled: number;
  bytes: number;
}

/** See the module docs. Readers call {@linkcode SyncProgress.snapshot} as often as they like. */
export class SyncProgress {
  readonly #now: () => number;
  readonly #started: number;
  #phase: SyncPhase = "starting";
  #stats: Readonly<SyncStats> = emptyStats();
  #total: number | null = null;
  #samples: Sample[] = [];
  /** When the phase became `done`: the figures stop there. */
  #doneAt?: number;

  /**
   * True when a live display shows this progress, so the sync does not log it as well.
   */
  readonly shownLive: boolean;

  /** `now` in milliseconds (tests pass a fake clock). */
  constructor(options: { shownLive?: boolean; now?: () => number } = {}) {
    this.shownLive = options.shownLive ?? false;
    this.#now = options.now ?? (() => performance.now());
    this.#started = this.#now();
  }

  /** The phase the sync is in. */
  get phase(): SyncPhase {
    return this.#phase;
  }

  /** Follows `stats`, the live counters the sync engine updates. */
  track(stats: Readonly<SyncStats>): void {
    this.#stats = stats;
    this.#samples = [sample(this.#now(), stats)];
  }

  /** Enters `phase`; rates start afresh, as each phase moves at its own pace. */
  setPhase(phase: SyncPhase): void {
    if (phase === this.#phase) return;
    this.#phase = phase;
    this.#samples = [sample(this.#now(), this.#stats)];
    if (phase === "done") this.#doneAt = this.#now();
  }

  /** Sets the number of documents the source expects to yield (null: unknown). */
  setEstimatedTotal(total: number | null): void {
    this.#total = total !== null && Number.isFinite(total) && total >= 0 ? Math.round(total) : null;
  }

  /**
   * Asks `source` for its estimated total; a failing estimate is logged at DEBUG and leaves
   * the total unknown, because the sync does not need it.
   */
  async estimate(source: Source, context: SyncContext): Promise<void> {
    if (!source.estimateTotal) return;
    try {
      this.setEstimatedTotal(await source.estimateTotal(context));
    } catch (error) {
      if (context.signal.aborted) throw error;
      context.logger.debug(
        `could not estimate the number of documents: ${
          error instanceof Error ? error.message : String(error)
        }`,
      );
    }
  }

  /** The progress now. */
  snapshot(): ProgressSnapshot {
    const now = this.#doneAt ?? this.#now();
    const stats = this.#stats;
    const current = sample(now, stats);
    const elapsedSeconds = (now - this.#started) / 1000;
    // A finished job shows its whole average; a running one its recent pace.
    const base = this.#phase === "done"
      ? { at: this.#started, processed: 0, handled: 0, bytes: 0 }
      : this.#windowBase(current);
    const seconds = (now - base.at) / 1000;
    const rate = (to: number, from: number) => seconds > 0 ? (to - from) / seconds : 0;
    const docsPerSec = rate(current.handled, base.handled);
    const processedPerSec = rate(current.processed, base.processed);
    const remaining = this.#total === null ? null : this.#total - current.processed;
    const eta = this.#phase === "indexing" && remaining !== null && remaining > 0 &&
        processedPerSec > 0
      ? Math.round(remaining / processedPerSec)
      : null;
    return {
      phase: this.#phase,
      extracted: stats.docs_extracted,
      processed: current.processed,
      indexed: stats.indexed_document_count,
      deleted: stats.deleted_document_count,
      failed: documentsNotWritten(stats),
      docs_per_sec: round(docsPerSec, 1),
      mb_per_sec: round(rate(current.bytes, base.bytes) / 1e6, 2),
      estimated_total: this.#total,
      eta_seconds: eta,
      elapsed_seconds: round(elapsedSeconds, 1),
    };
  }

  /** The oldest sample within the window, recording `current` at most once a second. */
  #windowBase(current: Sample): Sample {
    const samples = this.#samples;
    if (samples.length === 0) samples.push(current);
    if (current.at - samples[samples.length - 1].at >= SAMPLE_EVERY_MS) samples.push(current);
    while (samples.length > 2 && samples[1].at <= current.at - RATE_WINDOW_MS) samples.shift();
    return samples[0];
  }
}

/**
 * Logs a progress line every {@linkcode PROGRESS_LOG_INTERVAL_MS} (phase, counters, rates,
 * ETA) unless a live display shows the progress; a timer, so documents pay nothing for it.
 */
export class ProgressLog {
  readonly #progress: SyncProgress;
  readonly #logger: Logger;
  readonly #index: string;
  #timer?: ReturnType<typeof setInterval>;

  constructor(options: { progress: SyncProgress; logger: Logger; index: string }) {
    this.#progress = options.progress;
    this.#logger = options.logger;
    this.#index = options.index;
  }

  start(): void {
    if (this.#progress.shownLive) return;
    const timer = setInterval(() => this.#log(), PROGRESS_LOG_INTERVAL_MS);
    Deno.unrefTimer(timer);
    this.#timer = timer;
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #log(): void {
    this.#logger.info(`syncing ${this.#index}: ${describeProgress(this.#progress.snapshot())}`);
  }
}

/**
 * One line for people, most important first as a terminal may cut the end, e.g.
 * `indexing 60% ETA 0:23 | 12000 indexed, 0 deleted, 0 failed | 812 docs/s, 0.9 MB/s |
 * 0:12 elapsed | 12345 of ~20000 read`.
 */
export function describeProgress(progress: ProgressSnapshot): string {
  const total = progress.estimated_total;
  let head: string = progress.phase;
  if (total !== null && total > 0 && progress.phase === "indexing") {
    head += ` ${Math.min(99, Math.floor(progress.processed / total * 100))}%`;
  }
  if (progress.eta_seconds !== null) head += ` ETA ${formatDuration(progress.eta_seconds)}`;
  return [
    head,
    `${progress.indexed} indexed, ${progress.deleted} deleted, ${progress.failed} failed`,
    `${decimals(progress.docs_per_sec)} docs/s, ${decimals(progress.mb_per_sec)} MB/s`,
    `${formatDuration(progress.elapsed_seconds)} elapsed`,
    total === null ? `${progress.extracted} read` : `${progress.extracted} of ~${total} read`,
  ].join(" | ");
}

/** A snapshot as one line of `connectors sync --progress json`: `{"progress":{...}}`. */
export function progressLine(progress: ProgressSnapshot): string {
  return JSON.stringify({ progress });
}

/** The snapshot of a {@linkcode progressLine}, or undefined for any other line. */
export function parseProgressLine(line: string): ProgressSnapshot | undefined {
  if (!line.startsWith('{"progress":')) return undefined;
  try {
    const parsed = JSON.parse(line) as { progress?: ProgressSnapshot };
    return typeof parsed.progress?.phase === "string" ? parsed.progress : undefined;
  } catch {
    return undefined;
  }
}

/** A clock-style duration: `0:42`, `3:05`, `2:07:09`. */
export function formatDuration(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  const two = (value: number) => String(value).padStart(2, "0");
  const minutes = Math.floor(whole / 60);
  if (minutes < 60) return `${minutes}:${two(whole % 60)}`;
  return `${Math.floor(minutes / 60)}:${two(minutes % 60)}:${two(whole % 60)}`;
}

/** Whole numbers from 100 up, one decimal below (`812`, `4.5`). */
function decimals(value: number): string {
  return value >= 100 ? String(Math.round(value)) : value.toFixed(1);
}

function sample(at: number, stats: Readonly<SyncStats>): Sample {
  const processed = stats.indexed_document_count + stats.noop + stats.failed +
    stats.docs_filtered + stats.docs_skipped_unchanged + stats.docs_dropped_too_large;
  return {
    at,
    processed,
    handled: processed + stats.deleted_document_count,
    bytes: stats.indexed_document_volume_bytes,
  };
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
