/**
 * Hysteresis for a connector's `status` (brief §8.24): a connected connector whose source fails
 * one check stays `connected` (logged as a warning); only a second consecutive failure flips it
 * to `error`. Configuration problems flip at once: they do not heal by themselves.
 * @module
 */

/**
 * Consecutive check failures per connector, in memory.
 *
 * @example
 * ```ts
 * const health = new ConnectionHealth();
 * health.failed("c1", { immediate: false }); // false: keep the current status this time
 * health.failed("c1", { immediate: false }); // true: write status error now
 * health.succeeded("c1");
 * ```
 */
export class ConnectionHealth {
  readonly #failures = new Map<string, number>();
  readonly #threshold: number;

  /** `threshold`: consecutive transient failures before the status flips (default 2). */
  constructor(threshold = 2) {
    this.#threshold = threshold;
  }

  /** Records a passing check. */
  succeeded(connectorId: string): void {
    this.#failures.delete(connectorId);
  }

  /**
   * Records a failing check; true when the connector should be marked `error` now. `immediate`
   * for problems a retry cannot fix (invalid configuration).
   */
  failed(connectorId: string, options: { immediate: boolean }): boolean {
    const count = (this.#failures.get(connectorId) ?? 0) + 1;
    this.#failures.set(connectorId, count);
    return options.immediate || count >= this.#threshold;
  }

  /** Forgets connectors no longer served, so the map stays bounded. */
  retain(connectorIds: ReadonlySet<string>): void {
    for (const id of this.#failures.keys()) {
      if (!connectorIds.has(id)) this.#failures.delete(id);
    }
  }
}
