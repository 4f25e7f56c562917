/**
 * When a schedule is due: which occurrence the scheduler claims for one connector and job type,
 * from the marker stored in the connector document (`last_*_scheduled_at`). Pure, so the rules
 * are tested without Elasticsearch.
 *
 * - The marker always holds an occurrence time. An instance creates a job only after its
 *   optimistic-concurrency write of the new marker succeeded, so each occurrence yields one job.
 * - Catch-up on: the latest occurrence after the marker (or after the service started, when no
 *   instance ever scheduled) that is not in the future. Many missed occurrences give one job.
 * - Catch-up off: only occurrences since this instance's previous tick, as in the reference.
 * @module
 */
import { type CronSchedule, nextRun } from "../schedule/mod.ts";

/** Options for {@linkcode dueOccurrence}. */
export interface DueOccurrenceOptions {
  schedule: CronSchedule;
  /** The stored marker: the latest occurrence any instance claimed, or null. */
  marker: Date | null;
  now: Date;
  /** When this instance last looked at schedules (its start time on the first tick). */
  lastTick: Date;
  /** `service.catch_up_missed_schedules`. */
  catchUp: boolean;
}

/**
 * The occurrence to claim now (to write as the new marker), or null when nothing is due.
 *
 * @example
 * ```ts
 * const schedule = parseCron("0 0 * * * ?"); // hourly
 * dueOccurrence({
 *   schedule, marker: new Date("2024-01-01T00:00:00Z"), now: new Date("2024-01-01T05:30:00Z"),
 *   lastTick: new Date("2024-01-01T05:29:30Z"), catchUp: true,
 * }); // 2024-01-01T05:00:00Z: one job for the five missed hours
 * ```
 */
export function dueOccurrence(options: DueOccurrenceOptions): Date | null {
  const { marker, lastTick, now } = options;
  let after: Date;
  if (options.catchUp) after = marker ?? lastTick;
  else after = marker && marker > lastTick ? marker : lastTick;
  return latestOccurrence(options.schedule, { after, until: now });
}

/**
 * The last occurrence in (`after`, `until`], or null. A binary search over whole seconds, so a
 * schedule firing every second missed for a year costs a few dozen {@linkcode nextRun} calls.
 */
export function latestOccurrence(
  schedule: CronSchedule,
  window: { after: Date; until: Date },
): Date | null {
  const untilMs = window.until.getTime();
  const first = nextRun(schedule, window.after);
  if (first === null || first.getTime() > untilMs) return null;
  const fires = (second: number) => {
    const next = nextRun(schedule, new Date(second * 1000));
    return next !== null && next.getTime() <= untilMs;
  };
  // Invariant: fires(low) and not fires(high); the answer is the occurrence after `low`.
  let low = first.getTime() / 1000;
  if (!fires(low)) return first;
  let high = Math.floor(untilMs / 1000);
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (fires(middle)) low = middle;
    else high = middle;
  }
  return nextRun(schedule, new Date(low * 1000));
}
