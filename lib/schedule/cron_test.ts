import assert from "node:assert/strict";
import { CronError, nextRun, parseCron } from "./mod.ts";
import { matchingDays } from "./month_days.ts";

/** The first `count` fire times of `expression` after `after`, as ISO strings. */
function runs(expression: string, after: string, count = 1): (string | null)[] {
  const schedule = parseCron(expression);
  const times: (string | null)[] = [];
  let from: Date | null = new Date(after);
  for (let i = 0; i < count && from !== null; i++) {
    from = nextRun(schedule, from);
    times.push(from === null ? null : from.toISOString());
  }
  return times;
}

function next(expression: string, after: string): string | null {
  return runs(expression, after)[0];
}

// Vectors of elastic/connectors tests/test_utils.py::test_next_run. All have second 0, so the
// reference dropping the seconds field does not change them, and dow 4 is Wednesday both in
// Quartz and after the reference's Quartz-to-cron shift. Only "0 * * * * *" differs: real
// Quartz rejects `*` in both day fields, we accept it as "every day" (as the reference does).
const referenceVectors: [string, string, string][] = [
  ["0 * * * * *", "2023-01-18T17:18:56.814Z", "2023-01-18T17:19:00.000Z"],
  [
    "0 0,5,10,15,20,25,30,35,40,45,50,55 * * * ?",
    "2023-01-18T17:18:56.814Z",
    "2023-01-18T17:20:00.000Z",
  ],
  ["0 */5 * * * *", "2023-01-18T17:18:56.814Z", "2023-01-18T17:20:00.000Z"],
  ["0 0,10,20,30,40,50 * * * ?", "2023-01-18T17:18:56.814Z", "2023-01-18T17:20:00.000Z"],
  ["0 0,15,30,45 * * * ?", "2023-01-18T17:18:56.814Z", "2023-01-18T17:30:00.000Z"],
  ["0 0,30 * * * ?", "2023-01-18T17:18:56.814Z", "2023-01-18T17:30:00.000Z"],
  ["0 3 * * * ?", "2023-01-18T17:01:56.814Z", "2023-01-18T17:03:00.000Z"],
  ["0 3 * * * ?", "2023-01-18T17:18:56.814Z", "2023-01-18T18:03:00.000Z"],
  ["0 3 5 * * ?", "2023-01-18T05:01:56.814Z", "2023-01-18T05:03:00.000Z"],
  ["0 3 5 * * ?", "2023-01-18T17:18:56.814Z", "2023-01-19T05:03:00.000Z"],
  ["0 3 5 ? * 4", "2023-01-18T01:18:56.814Z", "2023-01-18T05:03:00.000Z"],
  ["0 3 5 ? * 4", "2023-01-18T17:18:56.814Z", "2023-01-25T05:03:00.000Z"],
  ["0 3 5 5 * ?", "2023-01-18T17:18:56.814Z", "2023-02-05T05:03:00.000Z"],
  ["0 3 5 5 * ?", "2023-01-05T01:18:56.814Z", "2023-01-05T05:03:00.000Z"],
  ["0 3 5 5 1 ?", "2023-01-05T01:18:56.814Z", "2023-01-05T05:03:00.000Z"],
  ["0 3 5 5 1 ?", "2023-01-05T06:18:56.814Z", "2024-01-05T05:03:00.000Z"],
];

for (const [expression, after, expected] of referenceVectors) {
  Deno.test(`reference vector: ${expression} after ${after}`, () => {
    assert.equal(next(expression, after), expected);
  });
}

Deno.test("Kibana daily 0 0 0 * * ? fires every day, whatever the weekday", () => {
  assert.deepEqual(runs("0 0 0 * * ?", "2023-01-15T10:00:00Z", 8), [
    "2023-01-16T00:00:00.000Z",
    "2023-01-17T00:00:00.000Z",
    "2023-01-18T00:00:00.000Z",
    "2023-01-19T00:00:00.000Z",
    "2023-01-20T00:00:00.000Z",
    "2023-01-21T00:00:00.000Z",
    "2023-01-22T00:00:00.000Z",
    "2023-01-23T00:00:00.000Z",
  ]);
  // `?` in day-of-month with `*` day-of-week means the same.
  assert.equal(next("0 0 0 ? * *", "2023-01-15T10:00:00Z"), "2023-01-16T00:00:00.000Z");
});

Deno.test("Kibana half-hourly 0 0,30 * * * ? crosses the hour and the day", () => {
  assert.deepEqual(runs("0 0,30 * * * ?", "2023-12-31T23:15:00Z", 3), [
    "2023-12-31T23:30:00.000Z",
    "2024-01-01T00:00:00.000Z",
    "2024-01-01T00:30:00.000Z",
  ]);
});

Deno.test("Kibana weekly 0 3 5 ? * 4 fires on Wednesdays (Quartz 4 = WED)", () => {
  const times = runs("0 3 5 ? * 4", "2023-01-18T17:18:56Z", 5);
  assert.deepEqual(times, [
    "2023-01-25T05:03:00.000Z",
    "2023-02-01T05:03:00.000Z",
    "2023-02-08T05:03:00.000Z",
    "2023-02-15T05:03:00.000Z",
    "2023-02-22T05:03:00.000Z",
  ]);
  for (const time of times) assert.equal(new Date(time!).getUTCDay(), 3);
});

Deno.test("the seconds field is honoured: */10 fires every 10 seconds", () => {
  assert.deepEqual(runs("*/10 * * * * ?", "2023-01-18T17:18:56.814Z", 4), [
    "2023-01-18T17:19:00.000Z",
    "2023-01-18T17:19:10.000Z",
    "2023-01-18T17:19:20.000Z",
    "2023-01-18T17:19:30.000Z",
  ]);
  // The protocol doc's "every 5 seconds" example, which the reference runs once a minute.
  assert.deepEqual(runs("0/5 * * * * ?", "2023-01-18T17:18:56Z", 2), [
    "2023-01-18T17:19:00.000Z",
    "2023-01-18T17:19:05.000Z",
  ]);
  assert.equal(next("30 15 10 * * ?", "2023-01-18T10:15:29.999Z"), "2023-01-18T10:15:30.000Z");
});

Deno.test("the next run is strictly after the given time", () => {
  assert.equal(next("0 0 0 * * ?", "2023-01-18T00:00:00.000Z"), "2023-01-19T00:00:00.000Z");
  assert.equal(next("0 0 0 * * ?", "2023-01-17T23:59:59.999Z"), "2023-01-18T00:00:00.000Z");
  assert.equal(next("* * * * * ?", "2023-01-18T00:00:00.000Z"), "2023-01-18T00:00:01.000Z");
});

Deno.test("L is the last day of the month, leap years included", () => {
  assert.deepEqual(runs("0 0 0 L * ?", "2023-01-18T00:00:00Z", 3), [
    "2023-01-31T00:00:00.000Z",
    "2023-02-28T00:00:00.000Z",
    "2023-03-31T00:00:00.000Z",
  ]);
  assert.equal(next("0 0 0 L 2 ?", "2023-03-01T00:00:00Z"), "2024-02-29T00:00:00.000Z");
  assert.equal(next("0 0 0 l * ?", "2023-04-01T00:00:00Z"), "2023-04-30T00:00:00.000Z");
});

Deno.test("L-2 is two days before the last day of the month", () => {
  assert.deepEqual(runs("0 0 12 L-2 * ?", "2023-01-01T00:00:00Z", 2), [
    "2023-01-29T12:00:00.000Z",
    "2023-02-26T12:00:00.000Z",
  ]);
});

Deno.test("LW is the last weekday of the month", () => {
  assert.equal(next("0 0 0 LW * ?", "2023-01-01T00:00:00Z"), "2023-01-31T00:00:00.000Z"); // Tue
  assert.equal(next("0 0 0 LW * ?", "2023-09-01T00:00:00Z"), "2023-09-29T00:00:00.000Z"); // 30 Sat
  assert.equal(next("0 0 0 LW * ?", "2023-12-01T00:00:00Z"), "2023-12-29T00:00:00.000Z"); // 31 Sun
});

Deno.test("nW is the weekday nearest to day n, never leaving the month", () => {
  assert.equal(next("0 0 0 15W * ?", "2023-01-01T00:00:00Z"), "2023-01-16T00:00:00.000Z"); // 15 Sun
  assert.equal(next("0 0 0 15W * ?", "2023-04-01T00:00:00Z"), "2023-04-14T00:00:00.000Z"); // 15 Sat
  assert.equal(next("0 0 0 15W * ?", "2023-03-01T00:00:00Z"), "2023-03-15T00:00:00.000Z"); // Wed
  // 1 April 2023 is a Saturday: Friday 31 March is in another month, so Monday the 3rd.
  assert.equal(next("0 0 0 1W * ?", "2023-03-15T00:00:00Z"), "2023-04-03T00:00:00.000Z");
  // 31 December 2023 is a Sunday: Monday is in another month, so Friday the 29th.
  assert.equal(next("0 0 0 31W * ?", "2023-11-01T00:00:00Z"), "2023-12-29T00:00:00.000Z");
  // Months without a 31st are skipped, as for a plain 31.
  assert.equal(next("0 0 0 31W * ?", "2023-04-01T00:00:00Z"), "2023-05-31T00:00:00.000Z");
});

Deno.test("n#k is the k-th weekday of the month", () => {
  // Third Friday.
  assert.deepEqual(runs("0 0 10 ? * 6#3", "2023-01-01T00:00:00Z", 2), [
    "2023-01-20T10:00:00.000Z",
    "2023-02-17T10:00:00.000Z",
  ]);
  assert.equal(next("0 0 10 ? * FRI#3", "2023-01-01T00:00:00Z"), "2023-01-20T10:00:00.000Z");
  // A fifth Monday exists only in some months: Jan, May, Jul, Oct 2023.
  assert.deepEqual(runs("0 0 0 ? * 2#5", "2023-01-01T00:00:00Z", 3), [
    "2023-01-30T00:00:00.000Z",
    "2023-05-29T00:00:00.000Z",
    "2023-07-31T00:00:00.000Z",
  ]);
});

Deno.test("nL is the last given weekday of the month; a bare L is every Saturday", () => {
  assert.deepEqual(runs("0 0 0 ? * 2L", "2023-01-01T00:00:00Z", 2), [
    "2023-01-30T00:00:00.000Z",
    "2023-02-27T00:00:00.000Z",
  ]);
  assert.equal(next("0 0 0 ? * MONL", "2023-01-01T00:00:00Z"), "2023-01-30T00:00:00.000Z");
  assert.equal(next("0 0 0 ? * 6L", "2023-03-01T00:00:00Z"), "2023-03-31T00:00:00.000Z");
  assert.deepEqual(runs("0 0 0 ? * L", "2023-01-01T00:00:00Z", 2), [
    "2023-01-07T00:00:00.000Z",
    "2023-01-14T00:00:00.000Z",
  ]);
});

Deno.test("day-of-week ranges use Quartz numbering: MON-FRI = 2-6", () => {
  const weekdays = [
    "2023-01-23T09:00:00.000Z",
    "2023-01-24T09:00:00.000Z",
    "2023-01-25T09:00:00.000Z",
    "2023-01-26T09:00:00.000Z",
    "2023-01-27T09:00:00.000Z",
    "2023-01-30T09:00:00.000Z",
  ];
  // From Friday evening: the weekend is skipped.
  assert.deepEqual(runs("0 0 9 ? * MON-FRI", "2023-01-20T18:00:00Z", 6), weekdays);
  assert.deepEqual(runs("0 0 9 ? * 2-6", "2023-01-20T18:00:00Z", 6), weekdays);
  assert.deepEqual(runs("0 0 9 ? * mon-fri", "2023-01-20T18:00:00Z", 6), weekdays);
  assert.deepEqual(runs("0 0 9 ? * 1,7", "2023-01-20T18:00:00Z", 3), [
    "2023-01-21T09:00:00.000Z",
    "2023-01-22T09:00:00.000Z",
    "2023-01-28T09:00:00.000Z",
  ]);
  // A downward range wraps around the week, as in Quartz: FRI-MON = Fri, Sat, Sun, Mon.
  assert.deepEqual(runs("0 0 9 ? * FRI-MON", "2023-01-19T18:00:00Z", 5), [
    "2023-01-20T09:00:00.000Z",
    "2023-01-21T09:00:00.000Z",
    "2023-01-22T09:00:00.000Z",
    "2023-01-23T09:00:00.000Z",
    "2023-01-27T09:00:00.000Z",
  ]);
});

Deno.test("ranges, steps, names and wrapping in the other fields", () => {
  assert.deepEqual(runs("0 0 22-1 * * ?", "2023-01-18T12:00:00Z", 5), [
    "2023-01-18T22:00:00.000Z",
    "2023-01-18T23:00:00.000Z",
    "2023-01-19T00:00:00.000Z",
    "2023-01-19T01:00:00.000Z",
    "2023-01-19T22:00:00.000Z",
  ]);
  assert.deepEqual(runs("0 10-40/15 * * * ?", "2023-01-18T12:00:00Z", 4), [
    "2023-01-18T12:10:00.000Z",
    "2023-01-18T12:25:00.000Z",
    "2023-01-18T12:40:00.000Z",
    "2023-01-18T13:10:00.000Z",
  ]);
  assert.deepEqual(runs("0 0 0 1 JAN,jul ?", "2023-01-18T00:00:00Z", 2), [
    "2023-07-01T00:00:00.000Z",
    "2024-01-01T00:00:00.000Z",
  ]);
  assert.deepEqual(runs("0 0 0 1 */4 ?", "2023-01-18T00:00:00Z", 3), [
    "2023-05-01T00:00:00.000Z",
    "2023-09-01T00:00:00.000Z",
    "2024-01-01T00:00:00.000Z",
  ]);
});

Deno.test("the year field limits runs and ends the schedule", () => {
  assert.equal(next("0 0 0 1 1 ? 2030", "2023-01-18T00:00:00Z"), "2030-01-01T00:00:00.000Z");
  assert.equal(next("0 0 0 1 1 ? 2020", "2023-01-18T00:00:00Z"), null);
  assert.deepEqual(runs("0 0 0 1 1 ? 2024-2030/3", "2023-01-18T00:00:00Z", 4), [
    "2024-01-01T00:00:00.000Z",
    "2027-01-01T00:00:00.000Z",
    "2030-01-01T00:00:00.000Z",
    null,
  ]);
  assert.equal(next("0 0 0 1 1 ? *", "2023-01-18T00:00:00Z"), "2024-01-01T00:00:00.000Z");
  assert.equal(next("0 0 0 * * ?", "2199-12-31T00:00:00Z"), null);
});

Deno.test("Feb 29 only fires in leap years (2100 is not one)", () => {
  assert.deepEqual(runs("0 0 12 29 2 ?", "2023-03-01T00:00:00Z", 2), [
    "2024-02-29T12:00:00.000Z",
    "2028-02-29T12:00:00.000Z",
  ]);
  assert.equal(next("0 0 12 29 FEB ?", "2096-03-01T00:00:00Z"), "2104-02-29T12:00:00.000Z");
  // A day that never exists: the search ends at 2199 instead of looping.
  assert.equal(next("0 0 0 30 2 ?", "2023-01-01T00:00:00Z"), null);
});

Deno.test("the field-by-field search agrees with a second-by-second scan", () => {
  const cases: [string, string][] = [
    ["*/7 */13 1-3 * * ?", "2023-01-18T00:59:50Z"],
    ["0,30 * 23 L * ?", "2023-01-31T22:58:00Z"],
    ["15 59 23 ? * SUN,SAT", "2023-01-20T23:59:00Z"],
    ["59 59 23 * * ?", "2023-12-30T23:00:00Z"],
  ];
  for (const [expression, after] of cases) {
    const schedule = parseCron(expression);
    const fires = (time: Date) =>
      schedule.seconds.includes(time.getUTCSeconds()) &&
      schedule.minutes.includes(time.getUTCMinutes()) &&
      schedule.hours.includes(time.getUTCHours()) &&
      schedule.months.includes(time.getUTCMonth() + 1) &&
      matchingDays(schedule.days, time.getUTCFullYear(), time.getUTCMonth() + 1)
        .includes(time.getUTCDate());
    let from = new Date(after);
    for (let run = 0; run < 3; run++) {
      let scan = new Date(from.getTime() + 1000);
      while (!fires(scan)) scan = new Date(scan.getTime() + 1000);
      const found = nextRun(schedule, from);
      assert.equal(found?.toISOString(), scan.toISOString(), `${expression} after ${from}`);
      from = scan;
    }
  }
});

Deno.test("a schedule keeps its expression and sorted fields", () => {
  const schedule = parseCron("5,0 0 0 * * ?");
  assert.equal(schedule.expression, "5,0 0 0 * * ?");
  assert.deepEqual(schedule.seconds, [0, 5]);
  assert.deepEqual(schedule.days, { by: "any" });
  assert.equal(schedule.years, null);
  // Surrounding and repeated whitespace is accepted.
  assert.equal(next("  0  0 0 * * ?  ", "2023-01-18T01:00:00Z"), "2023-01-19T00:00:00.000Z");
});

Deno.test("invalid expressions throw one-line CronErrors naming field, token and rule", () => {
  const cases: [string, string][] = [
    ["0 0 25 * * ?", `cron "0 0 25 * * ?": hour must be 0-23, got 25`],
    [
      "0 0 0 * *",
      `cron "0 0 0 * *": expected 6 or 7 fields (second minute hour day-of-month month day-of-week [year]), got 5`,
    ],
    [
      "0 0 0 * * ? 2030 1",
      `cron "0 0 0 * * ? 2030 1": expected 6 or 7 fields (second minute hour day-of-month month day-of-week [year]), got 8`,
    ],
    [
      "",
      `cron "": expected 6 or 7 fields (second minute hour day-of-month month day-of-week [year]), got 0`,
    ],
    ["60 0 0 * * ?", `cron "60 0 0 * * ?": second must be 0-59, got 60`],
    [
      "0 0 0 15 * MON",
      `cron "0 0 0 15 * MON": day-of-month "15" and day-of-week "MON" cannot both be set; put ? in one of them`,
    ],
    [
      "0 ? 0 * * ?",
      `cron "0 ? 0 * * ?": minute cannot be ?, only day-of-month and day-of-week can; got ?`,
    ],
    ["0 0 0 ?,1 * ?", `cron "0 0 0 ?,1 * ?": day-of-month ? must stand alone, got ?,1`],
    [
      "0 0 0 32 * ?",
      `cron "0 0 0 32 * ?": day-of-month must be 1-31, L, L-n, LW, nW, * or ?, got 32`,
    ],
    ["0 0 0 0 * ?", `cron "0 0 0 0 * ?": day-of-month must be 1-31, L, L-n, LW, nW, * or ?, got 0`],
    [
      "0 0 0 ? * 0",
      `cron "0 0 0 ? * 0": day-of-week must be 1-7 (1 = SUN) or SUN-SAT, nL, n#k, * or ?, got 0`,
    ],
    [
      "0 0 0 ? * FOO",
      `cron "0 0 0 ? * FOO": day-of-week must be 1-7 (1 = SUN) or SUN-SAT, nL, n#k, * or ?, got FOO`,
    ],
    ["0 0 0 1 JANUARY ?", `cron "0 0 0 1 JANUARY ?": month must be 1-12 or JAN-DEC, got JANUARY`],
    ["0 0 0 1 13 ?", `cron "0 0 0 1 13 ?": month must be 1-12 or JAN-DEC, got 13`],
    ["*/0 0 0 * * ?", `cron "*/0 0 0 * * ?": second step must be 1-60, got */0`],
    ["0 */x 0 * * ?", `cron "0 */x 0 * * ?": minute step must be 1-60, got */x`],
    ["0 0 1/2/3 * * ?", `cron "0 0 1/2/3 * * ?": hour allows one / per item, got 1/2/3`],
    ["0 0 1-2-3 * * ?", `cron "0 0 1-2-3 * * ?": hour range must be a-b, got 1-2-3`],
    ["0 0 1,,2 * * ?", `cron "0 0 1,,2 * * ?": hour has an empty list item in 1,,2`],
    ["0 0 -1 * * ?", `cron "0 0 -1 * * ?": hour must be 0-23, got an empty value`],
    ["0 0 0 L-31 * ?", `cron "0 0 0 L-31 * ?": day-of-month L-n needs n 0-30, got L-31`],
    ["0 0 0 0W * ?", `cron "0 0 0 0W * ?": day-of-month nW needs n 1-31, got 0W`],
    ["0 0 0 ? * 6#6", `cron "0 0 0 ? * 6#6": day-of-week n#k needs k 1-5, got 6#6`],
    [
      "0 0 0 ? * 8#1",
      `cron "0 0 0 ? * 8#1": day-of-week must be 1-7 (1 = SUN) or SUN-SAT, nL, n#k, * or ?, got 8`,
    ],
    [
      "0 0 0 ? * 8L",
      `cron "0 0 0 ? * 8L": day-of-week must be 1-7 (1 = SUN) or SUN-SAT, nL, n#k, * or ?, got 8`,
    ],
    [
      "0 0 0 5L * ?",
      `cron "0 0 0 5L * ?": day-of-month must be 1-31, L, L-n, LW, nW, * or ?, got 5L`,
    ],
    ["0 0 L * * ?", `cron "0 0 L * * ?": hour must be 0-23, got L`],
    ["0 0 0 1 1 ? 1969", `cron "0 0 0 1 1 ? 1969": year must be 1970-2199, got 1969`],
    ["0 0 0 1 1 ? 2200", `cron "0 0 0 1 1 ? 2200": year must be 1970-2199, got 2200`],
    [
      "0 0 0 1 1 ? 2030-2020",
      `cron "0 0 0 1 1 ? 2030-2020": year range must go upward, got 2030-2020`,
    ],
    [
      "0 0 0 1 1 ? ?",
      `cron "0 0 0 1 1 ? ?": year cannot be ?, only day-of-month and day-of-week can; got ?`,
    ],
  ];
  for (const [expression, message] of cases) {
    assert.throws(() => parseCron(expression), (error: unknown) => {
      assert.ok(error instanceof CronError, `${expression} threw ${error}`);
      assert.equal(error.message, message);
      assert.equal(error.expression, expression);
      assert.ok(!error.message.includes("\n"));
      return true;
    });
  }
});

Deno.test("nextRun rejects an invalid Date", () => {
  assert.throws(() => nextRun(parseCron("0 0 0 * * ?"), new Date("nope")), RangeError);
});
