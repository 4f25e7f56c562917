/**
 * Day rules of a Quartz cron expression and the days of one month they select.
 *
 * Weekdays use Quartz numbering throughout: 1 = Sunday ... 7 = Saturday.
 * @module
 */

/** One comma item of a day-of-month field that is not a plain number, range or step. */
export type DayOfMonthRule =
  /** `L` (offset 0) or `L-n`: the last day of the month minus `offset` days. */
  | { readonly kind: "last"; readonly offset: number }
  /** `LW`: the last Monday-to-Friday day of the month. */
  | { readonly kind: "last_weekday" }
  /** `nW`: the Monday-to-Friday day nearest to `day`, never leaving the month. */
  | { readonly kind: "nearest_weekday"; readonly day: number };

/** One comma item of a day-of-week field that is not a plain weekday, range or step. */
export type DayOfWeekRule =
  /** `nL`: the last `weekday` of the month. */
  | { readonly kind: "last"; readonly weekday: number }
  /** `n#k`: the `nth` (1-5) `weekday` of the month. */
  | { readonly kind: "nth"; readonly weekday: number; readonly nth: number };

/** Which days of a month fire: every day, or those chosen by the day-of-month or the day-of-week field. */
export type DayRules =
  | { readonly by: "any" }
  | {
    readonly by: "day_of_month";
    /** Plain days 1-31, sorted. */
    readonly days: readonly number[];
    readonly rules: readonly DayOfMonthRule[];
  }
  | {
    readonly by: "day_of_week";
    /** Plain weekdays 1-7, sorted. */
    readonly weekdays: readonly number[];
    readonly rules: readonly DayOfWeekRule[];
  };

/** Number of days in `month` (1-12) of `year`. */
export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Quartz weekday (1 = Sunday) of a date. */
function weekdayOf(year: number, month: number, day: number): number {
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;
}

/** The sorted days (1-31) of `month` (1-12) in `year` that `rules` select. */
export function matchingDays(rules: DayRules, year: number, month: number): number[] {
  const lastDay = daysInMonth(year, month);
  const chosen = new Set<number>();
  if (rules.by === "any") {
    for (let day = 1; day <= lastDay; day++) chosen.add(day);
  } else if (rules.by === "day_of_month") {
    for (const day of rules.days) if (day <= lastDay) chosen.add(day);
    for (const rule of rules.rules) {
      const day = dayOfMonthRuleDay(rule, { year, month, lastDay });
      if (day !== null) chosen.add(day);
    }
  } else {
    const firstWeekday = weekdayOf(year, month, 1);
    const weekdays = new Set(rules.weekdays);
    for (let day = 1; day <= lastDay; day++) {
      if (weekdays.has(((firstWeekday - 1 + day - 1) % 7) + 1)) chosen.add(day);
    }
    for (const rule of rules.rules) {
      const day = dayOfWeekRuleDay(rule, { year, month, lastDay });
      if (day !== null) chosen.add(day);
    }
  }
  return [...chosen].sort((a, b) => a - b);
}

interface MonthContext {
  year: number;
  month: number;
  lastDay: number;
}

function dayOfMonthRuleDay(rule: DayOfMonthRule, month: MonthContext): number | null {
  switch (rule.kind) {
    case "last": {
      const day = month.lastDay - rule.offset;
      return day >= 1 ? day : null;
    }
    case "last_weekday": {
      const weekday = weekdayOf(month.year, month.month, month.lastDay);
      if (weekday === 7) return month.lastDay - 1;
      if (weekday === 1) return month.lastDay - 2;
      return month.lastDay;
    }
    case "nearest_weekday": {
      // A day the month lacks (31W in April) selects nothing, like a plain 31 would.
      if (rule.day > month.lastDay) return null;
      const weekday = weekdayOf(month.year, month.month, rule.day);
      // Saturday moves back to Friday and Sunday forward to Monday, unless that leaves the month.
      if (weekday === 7) return rule.day === 1 ? 3 : rule.day - 1;
      if (weekday === 1) return rule.day === month.lastDay ? rule.day - 2 : rule.day + 1;
      return rule.day;
    }
  }
}

function dayOfWeekRuleDay(rule: DayOfWeekRule, month: MonthContext): number | null {
  switch (rule.kind) {
    case "last": {
      const lastWeekday = weekdayOf(month.year, month.month, month.lastDay);
      return month.lastDay - ((lastWeekday - rule.weekday + 7) % 7);
    }
    case "nth": {
      const firstWeekday = weekdayOf(month.year, month.month, 1);
      const day = 1 + ((rule.weekday - firstWeekday + 7) % 7) + 7 * (rule.nth - 1);
      return day <= month.lastDay ? day : null;
    }
  }
}
