/**
 * What runs beside a sync: every `checkIntervalMs` (4 s) it looks at the job document, so a
 * cancel request is honoured within that time, and every `statsIntervalMs` (10 s) it writes
 * the counters and `last_seen`, so cleanup knows the worker is alive. Failures of either are
 * logged and retried at the next interval: a short Elasticsearch hiccup must not fail a sync.
 * @module
 */
import type { Logger } from "../log/mod.ts";
import { errorText, pause } from "./loop.ts";

/** How often the job document is checked: a cancel request is honoured within 5 s. */
export const JOB_CHECK_INTERVAL_MS = 4_000;
/** How often counters and `last_seen` are written (reference `JOB_REPORTING_INTERVAL`). */
export const JOB_STATS_INTERVAL_MS = 10_000;

/** What a check found. */
export type JobCheck = "running" | "canceling" | { lost: string };

/** Options for {@linkcode JobMonitor}. */
export interface JobMonitorOptions {
  logger: Logger;
  /** Reloads the job document. */
  check(): Promise<JobCheck>;
  /** Writes the counters and `last_seen`. */
  writeStats(): Promise<void>;
  /** Called once, when a check finds the job canceling or lost. */
  onStop(check: Exclude<JobCheck, "running">): void;
  checkIntervalMs?: number;
  statsIntervalMs?: number;
}

/**
 * See the module docs.
 *
 * @example
 * ```ts
 * const monitor = new JobMonitor({ logger, check, writeStats, onStop: () => controller.abort() });
 * monitor.start();
 * try { await runSync(...); } finally { await monitor.stop(); }
 * ```
 */
export class JobMonitor {
  readonly #options: JobMonitorOptions;
  readonly #stop = new AbortController();
  #running?: Promise<void>;
  #stopped = false;

  constructor(options: JobMonitorOptions) {
    this.#options = options;
  }

  /** Starts the checks in the background. */
  start(): void {
    this.#running ??= this.#loop();
  }

  /** Stops the checks and waits for one in flight. */
  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#running;
  }

  async #loop(): Promise<void> {
    const checkMs = this.#options.checkIntervalMs ?? JOB_CHECK_INTERVAL_MS;
    const statsMs = this.#options.statsIntervalMs ?? JOB_STATS_INTERVAL_MS;
    const signal = this.#stop.signal;
    let lastStats = performance.now();
    while (!signal.aborted) {
      await pause(Math.min(checkMs, statsMs), signal);
      if (signal.aborted) return;
      if (performance.now() - lastStats >= statsMs - 50) {
        lastStats = performance.now();
        await this.#attempt("write job counters", () => this.#options.writeStats());
      }
      if (this.#stopped || signal.aborted) continue;
      await this.#attempt("check the job status", async () => {
        const found = await this.#options.check();
        if (found !== "running" && !this.#stopped && !signal.aborted) {
          this.#stopped = true;
          this.#options.onStop(found);
        }
      });
    }
  }

  async #attempt(what: string, action: () => Promise<void>): Promise<void> {
    try {
      await action();
    } catch (error) {
      this.#options.logger.warn(
        `could not ${what} (retrying in a few seconds): ${errorText(error)}`,
      );
    }
  }
}
