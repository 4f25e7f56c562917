/**
 * Intervals derived from `config.yml`, in one place so the daemon and `connectors sync` agree.
 * @module
 */
import type { Config } from "../config/mod.ts";
import { JOB_CHECK_INTERVAL_MS, JOB_STATS_INTERVAL_MS } from "./job_monitor.ts";

/**
 * How often a running job checks for cancellation and writes `last_seen`: every 5 s and 10 s,
 * but at least three times per `service.idle_job_threshold`, so cleanup never takes a live job
 * for a dead one when the threshold is set low.
 */
export function jobIntervals(config: Config): { checkMs: number; statsMs: number } {
  const third = Math.max(100, Math.floor(config.service.idle_job_threshold * 1000 / 3));
  return {
    checkMs: Math.min(JOB_CHECK_INTERVAL_MS, third),
    statsMs: Math.min(JOB_STATS_INTERVAL_MS, third),
  };
}
