/**
 * The connector service: the daemon's loops (`connectors run`) and one job now
 * (`connectors sync`), with the pieces they share.
 *
 * @example
 * ```ts
 * import { runService, stopOnSignals, syncNow } from "./mod.ts";
 *
 * const stop = stopOnSignals({ graceSeconds: 10 });
 * await runService({ config, es, types: CONNECTOR_TYPES, logger: log, signal: stop.signal });
 * const outcome = await syncNow({ config, es, types, connectorId: "abc", jobType: "full", logger: log, signal });
 * ```
 * @module
 */
export { runService, type ServiceOptions } from "./service.ts";
export { SyncNotStarted, syncNow, type SyncNowOptions } from "./sync_now.ts";
export { type JobOutcome, runJob, type RunJobOptions } from "./job_runner.ts";
export { ErrorBudget, TooManyServiceErrors } from "./error_budget.ts";
export { PreflightError } from "./preflight.ts";
export { idleJobError } from "./cleanup.ts";
export { dueOccurrence, latestOccurrence } from "./schedule_plan.ts";
export { type SignalStop, stopOnSignals } from "./signals.ts";
