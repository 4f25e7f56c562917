/**
 * Retrying transient PostgreSQL failures with backoff (`retry_count` attempts after the first).
 * @module
 */
import type { Logger } from "../../lib/log/mod.ts";
import { backoffDelay, sleep } from "../../lib/util/retry.ts";
import { describeError, isTransient } from "./client.ts";
import type { PostgresSettings } from "./config.ts";

/** First wait between attempts; it doubles (the reference waits 2 s, then 4 s, ...). */
const RETRY_BASE_MS = 2000;

/** Options of {@linkcode retrying}. */
export interface RetryOptions {
  settings: PostgresSettings;
  logger: Logger;
  signal?: AbortSignal;
  /** What is being done, for log lines: "reading table orders". */
  what: string;
}

/**
 * Runs `attempt(n)` until it succeeds, retrying transient errors up to `retry_count` times;
 * the final error carries a user-facing message and the driver error as `cause`.
 */
export async function retrying<T>(
  options: RetryOptions,
  attempt: (n: number) => Promise<T>,
): Promise<T> {
  for (let n = 0;; n++) {
    options.signal?.throwIfAborted();
    try {
      return await attempt(n);
    } catch (error) {
      await afterFailure(options, { error, attempt: n });
    }
  }
}

/**
 * Decides after failed attempt number `attempt`: waits the backoff when another attempt is
 * allowed, else throws the user-facing error. Loops that stream (and resume) call it directly.
 */
export async function afterFailure(
  options: RetryOptions,
  failure: { error: unknown; attempt: number },
): Promise<void> {
  const { error, attempt } = failure;
  if (options.signal?.aborted) throw options.signal.reason;
  const message = describeError(error, options.settings);
  if (!isTransient(error) || attempt >= options.settings.retryCount) {
    throw new Error(`${options.what}: ${message}`, { cause: error });
  }
  const wait = backoffDelay(attempt, RETRY_BASE_MS);
  options.logger.warn(
    `${options.what}: ${message}; retry ${
      attempt + 1
    } of ${options.settings.retryCount} in ${wait} ms`,
  );
  await sleep(wait, options.signal);
}
