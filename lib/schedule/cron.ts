/**
 * Quartz cron expressions, as Kibana writes them in connector `scheduling.*.interval`:
 * parse once with {@link parseCron}, then ask {@link nextRun} for fire times (always UTC).
 * @module
 */

import {
  type DayOfMonthRule,
  type DayOfWeekRule,
  type DayRules,
  matchingDays,
} from "./month_days.ts";

export type { DayOfMonthRule, DayOfWeekRule, DayRules } from "./month_days.ts";

/** Lowest year a Quartz year field accepts. */
export const MIN_YEAR = 1970;
/** Highest year a Quartz year field accepts; {@link nextRun} never looks past it. */
export const MAX_YEAR = 2199;

/** A parsed Quartz cron expression. Every number list is sorted and free of duplicates. */
export interface CronSchedule {
  /** The expression exactly as given to {@link parseCron}. */
  readonly expression: string;
  /** Seconds 0-59. */
  readonly seconds: readonly number[];
  /** Minutes 0-59. */
  readonly minutes: readonly number[];
  /** Hours 0-23. */
  readonly hours: readonly number[];
  /** Months 1-12. */
  readonly months: readonly number[];
  /** Days of the month that fire, from the day-of-month or the day-of-week field. */
  readonly days: DayRules;
  /** Years 1970-2199, or null when the expression has no year field (or `*`). */
  readonly years: readonly number[] | null;
}

/** A cron expression that is not valid Quartz; the message names the field, the token and what is allowed. */
export class CronError extends Error {
  /** The rejected expression. */
  readonly expression: string;

  constructor(expression: string, problem: string) {
    super(`cron "${expression}": ${problem}`);
    this.name = "CronError";
    this.expression = expression;
  }
}

interface FieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** Three-letter names for min, min + 1, ... (months and weekdays). */
  readonly names?: readonly string[];
  /** What the error message says is allowed, when more than `min-max`. */
  readonly allowed?: string;
}

const SECOND: FieldSpec = { name: "second", min: 0, max: 59 };
const MINUTE: FieldSpec = { name: "minute", min: 0, max: 59 };
const HOUR: FieldSpec = { name: "hour", min: 0, max: 23 };
const DAY_OF_MONTH: FieldSpec = {
  name: "day-of-month",
  min: 1,
  max: 31,
  allowed: "1-31, L, L-n, LW, nW, * or ?",
};
const MONTH: FieldSpec = {
  name: "month",
  min: 1,
  max: 12,
  names: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"],
  allowed: "1-12 or JAN-DEC",
};
const DAY_OF_WEEK: FieldSpec = {
  name: "day-of-week",
  min: 1,
  max: 7,
  names: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"],
  allowed: "1-7 (1 = SUN) or SUN-SAT, nL, n#k, * or ?",
};
const YEAR: FieldSpec = { name: "year", min: MIN_YEAR, max: MAX_YEAR };

const SATURDAY = 7;

/**
 * Parses a Quartz cron expression: `sec min hour day-of-month month day-of-week [year]`.
 *
 * `?` and `*` both mean "any day" in the day fields, so `0 0 0 * * *` (which Quartz itself
 * rejects) fires daily; setting both day fields to something else is rejected, as in Quartz.
 *
 * @example
 * ```ts
 * const daily = parseCron("0 0 0 * * ?");
 * nextRun(daily, new Date("2023-01-18T17:18:56Z")); // 2023-01-19T00:00:00.000Z
 * ```
 * @throws {CronError} when the expression is not valid Quartz.
 */
export function parseCron(expression: string): CronSchedule {
  const fail = (problem: string): never => {
    throw new CronError(expression, problem);
  };
  const fields = expression.trim().split(/\s+/);
  if (fields.length < 6 || fields.length > 7) {
    fail(
      `expected 6 or 7 fields (second minute hour day-of-month month day-of-week [year]), ` +
        `got ${expression.trim() === "" ? 0 : fields.length}`,
    );
  }
  const [second, minute, hour, dayOfMonth, month, dayOfWeek, year] = fields;
  const unrestricted = (field: string) => field === "*" || field === "?";
  if (!unrestricted(dayOfMonth) && !unrestricted(dayOfWeek)) {
    fail(
      `day-of-month "${dayOfMonth}" and day-of-week "${dayOfWeek}" cannot both be set; ` +
        `put ? in one of them`,
    );
  }

  let days: DayRules = { by: "any" };
  if (!unrestricted(dayOfMonth)) days = parseDayOfMonth(dayOfMonth, fail);
  if (!unrestricted(dayOfWeek)) days = parseDayOfWeek(dayOfWeek, fail);

  return {
    expression,
    seconds: parseNumbers(second, SECOND, fail),
    minutes: parseNumbers(minute, MINUTE, fail),
    hours: parseNumbers(hour, HOUR, fail),
    months: parseNumbers(month, MONTH, fail),
    days,
    years: year === undefined || year === "*" ? null : parseNumbers(year, YEAR, fail),
  };
}

/**
 * The first fire time of `schedule` strictly after `after`, in UTC, or null when there is
 * none up to year 2199 (e.g. a year field in the past, or `0 0 0 30 2 ?`).
 *
 * Searches field by field (year, month, day, hour, minute, second), so rare schedules such
 * as Feb 29 only cost a few dozen steps.
 *
 * @example
 * ```ts
 * nextRun(parseCron("0 3 5 ? * 4"), new Date("2023-01-18T17:18:56Z")); // 2023-01-25T05:03:00Z
 * ```
 */
export function nextRun(schedule: CronSchedule, after: Date): Date | null {
  const afterMs = after.getTime();
  if (Number.isNaN(afterMs)) {
    throw new RangeError(`cron "${schedule.expression}": nextRun needs a valid Date, got ${after}`);
  }
  // Fire times are whole seconds; the earliest candidate is the next whole second.
  const start = new Date(Math.floor(afterMs / 1000) * 1000 + 1000);
  const startYear = start.getUTCFullYear();
  const years = schedule.years ?? range(Math.max(startYear, MIN_YEAR), MAX_YEAR);
  for (const year of years) {
    if (year < startYear) continue;
    const yearLater = year > startYear;
    for (const month of schedule.months) {
      if (!yearLater && month < start.getUTCMonth() + 1) continue;
      const monthLater = yearLater || month > start.getUTCMonth() + 1;
      for (const day of matchingDays(schedule.days, year, month)) {
        if (!monthLater && day < start.getUTCDate()) continue;
        const time = firstTime(schedule, {
          from: monthLater || day > start.getUTCDate() ? null : start,
        });
        if (time !== null) {
          return new Date(Date.UTC(year, month - 1, day, time.hour, time.minute, time.second));
        }
      }
    }
  }
  return null;
}

/** The earliest time of day of `schedule`, at or after the time of `from` when given. */
function firstTime(
  schedule: CronSchedule,
  options: { from: Date | null },
): { hour: number; minute: number; second: number } | null {
  const from = options.from;
  for (const hour of schedule.hours) {
    if (from !== null && hour < from.getUTCHours()) continue;
    const hourLater = from === null || hour > from.getUTCHours();
    for (const minute of schedule.minutes) {
      if (!hourLater && minute < from.getUTCMinutes()) continue;
      const minuteLater = hourLater || minute > from.getUTCMinutes();
      for (const second of schedule.seconds) {
        if (!minuteLater && second < from.getUTCSeconds()) continue;
        return { hour, minute, second };
      }
    }
  }
  return null;
}

type Fail = (problem: string) => never;

function parseDayOfMonth(field: string, fail: Fail): DayRules {
  const days = new Set<number>();
  const rules: DayOfMonthRule[] = [];
  for (const item of listItems(field, DAY_OF_MONTH, fail)) {
    const upper = item.toUpperCase();
    const lastMinus = /^L-(\d+)$/.exec(upper);
    const nearest = /^(\d+)W$/.exec(upper);
    if (upper === "L") {
      rules.push({ kind: "last", offset: 0 });
    } else if (lastMinus) {
      const offset = Number(lastMinus[1]);
      if (offset > 30) fail(`day-of-month L-n needs n 0-30, got ${item}`);
      rules.push({ kind: "last", offset });
    } else if (upper === "LW") {
      rules.push({ kind: "last_weekday" });
    } else if (nearest) {
      const day = Number(nearest[1]);
      if (day < 1 || day > 31) fail(`day-of-month nW needs n 1-31, got ${item}`);
      rules.push({ kind: "nearest_weekday", day });
    } else {
      for (const day of parseItem(item, DAY_OF_MONTH, fail)) days.add(day);
    }
  }
  return { by: "day_of_month", days: sorted(days), rules };
}

function parseDayOfWeek(field: string, fail: Fail): DayRules {
  const weekdays = new Set<number>();
  const rules: DayOfWeekRule[] = [];
  for (const item of listItems(field, DAY_OF_WEEK, fail)) {
    const upper = item.toUpperCase();
    const nth = /^(.+)#(.*)$/.exec(upper);
    if (upper === "L") {
      // A bare L in day-of-week is plain Saturday (7), not "last Saturday".
      weekdays.add(SATURDAY);
    } else if (upper.endsWith("L")) {
      rules.push({ kind: "last", weekday: parseValue(item.slice(0, -1), DAY_OF_WEEK, fail) });
    } else if (nth) {
      const weekday = parseValue(item.slice(0, nth[1].length), DAY_OF_WEEK, fail);
      if (!/^[1-5]$/.test(nth[2])) fail(`day-of-week n#k needs k 1-5, got ${item}`);
      rules.push({ kind: "nth", weekday, nth: Number(nth[2]) });
    } else {
      for (const weekday of parseItem(item, DAY_OF_WEEK, fail)) weekdays.add(weekday);
    }
  }
  return { by: "day_of_week", weekdays: sorted(weekdays), rules };
}

/** Values of a field made only of numbers, names, ranges, steps and lists. */
function parseNumbers(field: string, spec: FieldSpec, fail: Fail): number[] {
  const values = new Set<number>();
  for (const item of listItems(field, spec, fail)) {
    for (const value of parseItem(item, spec, fail)) values.add(value);
  }
  return sorted(values);
}

function listItems(field: string, spec: FieldSpec, fail: Fail): string[] {
  if (field.includes("?")) {
    if (field === "?" && (spec === DAY_OF_MONTH || spec === DAY_OF_WEEK)) return [];
    fail(
      spec === DAY_OF_MONTH || spec === DAY_OF_WEEK
        ? `${spec.name} ? must stand alone, got ${field}`
        : `${spec.name} cannot be ?, only day-of-month and day-of-week can; got ${field}`,
    );
  }
  const items = field.split(",");
  if (items.some((item) => item === "")) fail(`${spec.name} has an empty list item in ${field}`);
  return items;
}

/** One list item: `*`, `a`, `a-b`, each optionally followed by `/step`. */
function parseItem(item: string, spec: FieldSpec, fail: Fail): number[] {
  const parts = item.split("/");
  if (parts.length > 2) fail(`${spec.name} allows one / per item, got ${item}`);
  const [span, stepText] = parts;
  const size = spec.max - spec.min + 1;
  let step = 1;
  if (stepText !== undefined) {
    step = /^\d+$/.test(stepText) ? Number(stepText) : 0;
    if (step < 1 || step > size) fail(`${spec.name} step must be 1-${size}, got ${item}`);
  }
  let first = spec.min;
  let last = spec.max;
  if (span !== "*") {
    const bounds = span.split("-");
    if (bounds.length > 2) fail(`${spec.name} range must be a-b, got ${item}`);
    first = parseValue(bounds[0], spec, fail);
    // `a/n` runs from a to the end of the field; a bare `a` is just a.
    last = bounds.length === 2
      ? parseValue(bounds[1], spec, fail)
      : stepText === undefined
      ? first
      : spec.max;
  }
  if (last < first) {
    // Quartz wraps a downward range around the field (22-2 hours = 22, 23, 0, 1, 2).
    if (spec === YEAR) fail(`year range must go upward, got ${item}`);
    last += size;
  }
  const values: number[] = [];
  for (let value = first; value <= last; value += step) {
    values.push(((value - spec.min) % size) + spec.min);
  }
  return values;
}

function parseValue(text: string, spec: FieldSpec, fail: Fail): number {
  const nameIndex = spec.names?.indexOf(text.toUpperCase()) ?? -1;
  if (nameIndex >= 0) return spec.min + nameIndex;
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(value >= spec.min && value <= spec.max)) {
    fail(
      `${spec.name} must be ${spec.allowed ?? `${spec.min}-${spec.max}`}, got ${
        text === "" ? "an empty value" : text
      }`,
    );
  }
  return value;
}

function sorted(values: Set<number>): number[] {
  return [...values].sort((a, b) => a - b);
}

function range(first: number, last: number): number[] {
  const values: number[] = [];
  for (let value = first; value <= last; value++) values.push(value);
  return values;
}
