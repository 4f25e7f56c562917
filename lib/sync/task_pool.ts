/**
 * Runs async tasks with a concurrency limit, for lazy downloads: `run` waits while every slot
 * is busy, so the documents waiting for content stay bounded. The first task error is kept and
 * thrown by the next `run` or by `drain`.
 *
 * @example
 * ```ts
 * const pool = new TaskPool(10);
 * for (const url of urls) await pool.run(() => fetchOne(url));
 * await pool.drain();
 * ```
 * @module
 */

/** See the module docs. */
export class TaskPool {
  readonly #limit: number;
  readonly #running = new Set<Promise<void>>();
  #error?: unknown;
  #failed = false;

  constructor(limit: number) {
    this.#limit = Math.max(1, Math.floor(limit) || 1);
  }

  /** Tasks running now. */
  get running(): number {
    return this.#running.size;
  }

  /** Starts `task` once a slot is free; throws the error of an earlier task. */
  async run(task: () => Promise<void>): Promise<void> {
    while (this.#running.size >= this.#limit && !this.#failed) {
      await Promise.race(this.#running);
    }
    if (this.#failed) throw this.#error;
    const running: Promise<void> = task().catch((error) => {
      if (!this.#failed) {
        this.#failed = true;
        this.#error = error;
      }
    }).finally(() => this.#running.delete(running));
    this.#running.add(running);
  }

  /** Waits for every task; throws the first task error. */
  async drain(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
    if (this.#failed) throw this.#error;
  }
}
