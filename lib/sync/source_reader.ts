/**
 * Pulls items from a source's async iterable so that cancellation does not wait for the
 * source: a pending `next()` is abandoned as soon as the signal aborts, and the iterator's
 * `return()` is called so a well-behaved source releases what it holds.
 *
 * @example
 * ```ts
 * const reader = new SourceReader(source.docs(context), signal);
 * try {
 *   for (let item = await reader.next(); item !== undefined; item = await reader.next()) use(item);
 * } finally {
 *   reader.stop();
 * }
 * ```
 * @module
 */

/** The error a sync stops with when its signal aborted. */
export function abortReason(signal: AbortSignal): Error {
  const reason = signal.reason;
  return reason instanceof Error ? reason : new Error(`sync cancelled: ${String(reason)}`);
}

/** See the module docs. */
export class SourceReader<T> {
  readonly #iterator: AsyncIterator<T>;
  readonly #signal: AbortSignal;
  readonly #onAbort = () => this.#rejectPending?.(abortReason(this.#signal));
  #rejectPending?: (error: Error) => void;
  #done = false;

  constructor(iterable: AsyncIterable<T>, signal: AbortSignal) {
    this.#iterator = iterable[Symbol.asyncIterator]();
    this.#signal = signal;
    signal.addEventListener("abort", this.#onAbort, { once: true });
  }

  /** The next item, undefined at the end; rejects at once when the signal aborts. */
  next(): Promise<T | undefined> {
    if (this.#signal.aborted) return Promise.reject(abortReason(this.#signal));
    if (this.#done) return Promise.resolve(undefined);
    const pending = this.#iterator.next();
    return new Promise<T | undefined>((resolve, reject) => {
      this.#rejectPending = reject;
      pending.then((result) => {
        if (result.done) this.#done = true;
        resolve(result.done ? undefined : result.value);
      }, reject);
    });
  }

  /**
   * Stops reading: asks the iterator to finish (not awaited: a source stuck in a request must
   * not hold up cancellation) and forgets the signal.
   */
  stop(): void {
    this.#signal.removeEventListener("abort", this.#onAbort);
    if (this.#done) return;
    this.#done = true;
    try {
      this.#iterator.return?.()?.catch(() => {});
    } catch {
      // A source whose return() throws has nothing left to release.
    }
  }
}
