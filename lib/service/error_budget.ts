/**
 * The service's error budget (reference `raise_if_spurious`): loop errors are counted, and more
 * than `service.max_errors` within `service.max_errors_span` seconds stops the service, since a
 * cluster or configuration that fails that often needs a person.
 * @module
 */

/** Thrown when the budget is spent; the service stops with this message. */
export class TooManyServiceErrors extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "TooManyServiceErrors";
  }
}

/**
 * Counts errors in a sliding window.
 *
 * @example
 * ```ts
 * const budget = new ErrorBudget({ maxErrors: 20, spanSeconds: 600 });
 * budget.record(error); // throws TooManyServiceErrors on the 21st error within 600 s
 * ```
 */
export class ErrorBudget {
  readonly #maxErrors: number;
  readonly #spanMs: number;
  readonly #now: () => number;
  readonly #times: number[] = [];

  constructor(options: { maxErrors: number; spanSeconds: number; now?: () => number }) {
    this.#maxErrors = options.maxErrors;
    this.#spanMs = options.spanSeconds * 1000;
    this.#now = options.now ?? Date.now;
  }

  /** Errors counted within the current window. */
  get count(): number {
    this.#forget(this.#now());
    return this.#times.length;
  }

  /** Counts one error; throws {@linkcode TooManyServiceErrors} when over budget. */
  record(error: unknown): void {
    const now = this.#now();
    this.#forget(now);
    this.#times.push(now);
    if (this.#times.length > this.#maxErrors) {
      const last = error instanceof Error ? error.message : String(error);
      throw new TooManyServiceErrors(
        `stopping: ${this.#times.length} errors within ${this.#spanMs / 1000} s ` +
          `(service.max_errors is ${this.#maxErrors}, service.max_errors_span ` +
          `${this.#spanMs / 1000}); the last one: ${last}`,
        { cause: error },
      );
    }
  }

  #forget(now: number): void {
    while (this.#times.length > 0 && this.#times[0] <= now - this.#spanMs) this.#times.shift();
  }
}
