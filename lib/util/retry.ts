/**
 * Backoff and cancellable sleep shared by every retry loop.
 * @module
 */

/** Longest wait between two attempts. */
export const MAX_BACKOFF_MS = 60_000;

/**
 * Exponential backoff with jitter: attempt 0 waits about `baseMs`, then doubles, capped at
 * {@linkcode MAX_BACKOFF_MS}. The wait is drawn between half and all of that value so that many
 * clients retrying together spread out.
 *
 * @example
 * ```ts
 * backoffDelay(0, 1000); // 500..1000
 * backoffDelay(3, 1000); // 4000..8000
 * ```
 */
export function backoffDelay(attempt: number, baseMs: number, random = Math.random): number {
  const ceiling = Math.min(MAX_BACKOFF_MS, baseMs * 2 ** attempt);
  return Math.round(ceiling / 2 + random() * ceiling / 2);
}

/** Waits `ms` milliseconds; rejects early with the signal's reason when it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
