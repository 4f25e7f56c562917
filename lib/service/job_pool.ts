/**
 * A bounded set of running jobs (`service.max_concurrent_content_syncs` or
 * `max_concurrent_access_control_syncs`). Starting never waits: when full, the job stays
 * pending for a later tick or another instance.
 * @module
 */

/**
 * See the module docs.
 *
 * @example
 * ```ts
 * const pool = new JobPool(1);
 * pool.tryStart("job-1", () => runJob(...)); // true
 * pool.tryStart("job-2", () => runJob(...)); // false: full
 * await pool.drain();
 * ```
 */
export class JobPool {
  readonly #limit: number;
  readonly #running = new Map<string, Promise<void>>();

  constructor(limit: number) {
    this.#limit = Math.max(1, Math.floor(limit));
  }

  /** Whether another job may start now. */
  get hasRoom(): boolean {
    return this.#running.size < this.#limit;
  }

  /** Whether job `id` runs in this pool. */
  has(id: string): boolean {
    return this.#running.has(id);
  }

  /** Starts `run` for job `id` unless the pool is full or runs it already; errors are the caller's. */
  tryStart(id: string, run: () => Promise<void>): boolean {
    if (!this.hasRoom || this.#running.has(id)) return false;
    const running = run().catch(() => {}).finally(() => this.#running.delete(id));
    this.#running.set(id, running);
    return true;
  }

  /** Waits until every running job has ended. */
  async drain(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running.values()]);
  }
}
