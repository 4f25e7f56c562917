/**
 * Quartz cron for connector schedules (`scheduling.*.interval`), evaluated in UTC.
 *
 * Fields are `second minute hour day-of-month month day-of-week [year]`, with `*`, `?`,
 * ranges, lists, steps, JAN-DEC, SUN-SAT (1 = SUN), `L`, `L-n`, `LW`, `nW`, `nL` and `n#k`.
 *
 * @example
 * ```ts
 * import { nextRun, parseCron } from "./mod.ts";
 *
 * const weekly = parseCron("0 3 5 ? * 4"); // Wednesdays at 05:03:00 UTC
 * nextRun(weekly, new Date("2023-01-18T17:18:56Z")); // 2023-01-25T05:03:00.000Z
 * ```
 * @module
 */

export {
  CronError,
  type CronSchedule,
  type DayOfMonthRule,
  type DayOfWeekRule,
  type DayRules,
  MAX_YEAR,
  MIN_YEAR,
  nextRun,
  parseCron,
} from "./cron.ts";
