/**
 * Stops a sync that fails too often, with the reference service's thresholds: too many errors in
 * a row, too many in total, or too high a share of errors among the last operations.
 *
 * @example
 * ```ts
 * const monitor = new ErrorMonitor(settings.errorMonitor);
 * monitor.trackSuccess();
 * monitor.trackError("mapper_parsing_exception: failed to parse field [size]"); // may throw
 * ```
 * @module
 */

import type { ErrorMonitorSettings } from "../sync/types.ts";

const SETTING = "elasticsearch.bulk.error_monitor";

/** Thrown when a threshold is exceeded; the sync ends with an error. */
export class TooManyErrors extends Error {
  /** The most recent error reasons, oldest first (at most `errorQueueSize`). */
  readonly lastErrors: readonly string[];
  constructor(message: string, lastErrors: readonly string[]) {
    super(message);
    this.name = "TooManyErrors";
    this.lastErrors = lastErrors;
  }
}

/** Counts successes and errors of document operations; see the module docs. */
export class ErrorMonitor {
  readonly #settings: ErrorMonitorSettings;
  // Ring buffer over the last `errorWindowSize` operations, all successes at first (as the reference).
  readonly #window: boolean[];
  #windowIndex = 0;
  #windowErrors = 0;
  #lastErrors: string[] = [];
  #consecutiveErrors = 0;
  #totalErrors = 0;
  #totalSuccesses = 0;

  constructor(settings: ErrorMonitorSettings) {
    this.#settings = settings;
    this.#window = new Array(Math.max(0, settings.errorWindowSize)).fill(false);
  }

  /** Errors seen so far. */
  get totalErrors(): number {
    return this.#totalErrors;
  }

  /** Successes seen so far. */
  get totalSuccesses(): number {
    return this.#totalSuccesses;
  }

  /** The most recent error reasons, oldest first. */
  get lastErrors(): readonly string[] {
    return this.#lastErrors;
  }

  /** Records one successful operation. */
  trackSuccess(): void {
    this.#consecutiveErrors = 0;
    this.#totalSuccesses += 1;
    this.#slide(false);
  }

  /** Records one failed operation; throws {@linkcode TooManyErrors} when a threshold is exceeded. */
  trackError(reason: string): void {
    this.#totalErrors += 1;
    this.#consecutiveErrors += 1;
    this.#lastErrors.push(reason);
    if (this.#lastErrors.length > Math.max(1, this.#settings.errorQueueSize)) {
      this.#lastErrors.shift();
    }
    this.#slide(true);
    if (!this.#settings.enabled) return;
    const problem = this.#exceeded();
    if (problem) {
      const last = this.#lastErrors.join("; ");
      throw new TooManyErrors(`too many errors: ${problem}. Last errors: ${last}`, [
        ...this.#lastErrors,
      ]);
    }
  }

  #exceeded(): string | undefined {
    const s = this.#settings;
    if (this.#consecutiveErrors > s.maxConsecutiveErrors) {
      return `${this.#consecutiveErrors} errors in a row, more than ` +
        `${SETTING}.max_consecutive_errors (${s.maxConsecutiveErrors})`;
    }
    if (this.#totalErrors > s.maxTotalErrors) {
      return `${this.#totalErrors} errors in total, more than ` +
        `${SETTING}.max_total_errors (${s.maxTotalErrors})`;
    }
    if (this.#window.length > 0) {
      const rate = this.#windowErrors / this.#window.length;
      if (rate > s.maxErrorRate) {
        return `${this.#windowErrors} of the last ${this.#window.length} operations failed, ` +
          `more than ${SETTING}.max_error_rate (${s.maxErrorRate})`;
      }
    }
    return undefined;
  }

  #slide(isError: boolean): void {
    if (this.#window.length === 0) return;
    if (this.#window[this.#windowIndex]) this.#windowErrors -= 1;
    this.#window[this.#windowIndex] = isError;
    if (isError) this.#windowErrors += 1;
    this.#windowIndex = (this.#windowIndex + 1) % this.#window.length;
  }
}
