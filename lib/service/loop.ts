/**
 * The shape every daemon loop shares: run a tick, log and count its error, sleep (cancellably),
 * repeat until the service stops.
 * @module
 */
import type { Logger } from "../log/mod.ts";
import { sleep } from "../util/retry.ts";
import { type ErrorBudget, TooManyServiceErrors } from "./error_budget.ts";

/** Options for {@linkcode runLoop}. */
export interface LoopOptions {
  /** For log lines, e.g. "scheduler". */
  name: string;
  intervalSeconds: number;
  /** Aborted when the service stops; the loop returns after the current tick. */
  signal: AbortSignal;
  budget: ErrorBudget;
  logger: Logger;
  tick(): Promise<void>;
}

/**
 * Runs `tick` every `intervalSeconds` until `signal` aborts. A tick error is logged and counted;
 * when the budget is spent the loop throws {@linkcode TooManyServiceErrors}.
 */
export async function runLoop(options: LoopOptions): Promise<void> {
  const { signal, logger } = options;
  while (!signal.aborted) {
    try {
      await options.tick();
    } catch (error) {
      if (error instanceof TooManyServiceErrors) throw error;
      if (signal.aborted) break;
      logger.error(`${options.name} failed: ${errorText(error)}`);
      options.budget.record(error);
    }
    await pause(options.intervalSeconds * 1000, signal);
  }
}

/** Sleeps `ms`, returning early (without throwing) when `signal` aborts. */
export async function pause(ms: number, signal: AbortSignal): Promise<void> {
  await sleep(ms, signal).catch(() => {});
}

/** An error's message, for log lines and documents. */
export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
