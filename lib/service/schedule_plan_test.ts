import assert from "node:assert/strict";
import { parseCron } from "../schedule/mod.ts";
import { dueOccurrence, latestOccurrence } from "./schedule_plan.ts";

const at = (iso: string) => new Date(iso);
const hourly = parseCron("0 0 * * * ?");

Deno.test("catch-up: many missed occurrences give the latest one, once", () => {
  const due = dueOccurrence({
    schedule: hourly,
    marker: at("2024-01-01T00:00:00Z"),
    now: at("2024-01-01T05:30:00Z"),
    lastTick: at("2024-01-01T05:29:30Z"),
    catchUp: true,
  });
  assert.deepEqual(due, at("2024-01-01T05:00:00Z"));
  // With that marker written, the next tick finds nothing due.
  assert.equal(
    dueOccurrence({
      schedule: hourly,
      marker: due,
      now: at("2024-01-01T05:30:01Z"),
      lastTick: at("2024-01-01T05:30:00Z"),
      catchUp: true,
    }),
    null,
  );
});

Deno.test("without catch-up only occurrences since the previous tick fire", () => {
  const options = {
    schedule: hourly,
    marker: at("2024-01-01T00:00:00Z"),
    now: at("2024-01-01T05:30:00Z"),
    lastTick: at("2024-01-01T05:29:30Z"),
    catchUp: false,
  };
  assert.equal(dueOccurrence(options), null);
  assert.deepEqual(
    dueOccurrence({ ...options, lastTick: at("2024-01-01T04:59:59Z") }),
    at("2024-01-01T05:00:00Z"),
  );
});

Deno.test("no marker: the service start bounds the window, so nothing older fires", () => {
  const options = {
    schedule: hourly,
    marker: null,
    lastTick: at("2024-01-01T05:10:00Z"),
    catchUp: true,
  };
  assert.equal(dueOccurrence({ ...options, now: at("2024-01-01T05:59:59Z") }), null);
  assert.deepEqual(
    dueOccurrence({ ...options, now: at("2024-01-01T06:00:00Z") }),
    at("2024-01-01T06:00:00Z"),
  );
});

Deno.test("a marker in the future (another instance, clock skew) means not due", () => {
  assert.equal(
    dueOccurrence({
      schedule: hourly,
      marker: at("2024-01-01T07:00:00Z"),
      now: at("2024-01-01T06:30:00Z"),
      lastTick: at("2024-01-01T06:29:00Z"),
      catchUp: true,
    }),
    null,
  );
});

Deno.test("latestOccurrence: seconds granularity and a year of every-second misses", () => {
  const everyTwo = parseCron("*/2 * * * * ?");
  assert.deepEqual(
    latestOccurrence(everyTwo, {
      after: at("2024-01-01T00:00:00Z"),
      until: at("2024-01-01T00:00:07.5Z"),
    }),
    at("2024-01-01T00:00:06Z"),
  );
  // The bound is inclusive, the start exclusive.
  assert.deepEqual(
    latestOccurrence(everyTwo, {
      after: at("2024-01-01T00:00:00Z"),
      until: at("2024-01-01T00:00:02Z"),
    }),
    at("2024-01-01T00:00:02Z"),
  );
  assert.equal(
    latestOccurrence(everyTwo, {
      after: at("2024-01-01T00:00:00Z"),
      until: at("2024-01-01T00:00:01.9Z"),
    }),
    null,
  );
  const started = performance.now();
  const everySecond = parseCron("* * * * * ?");
  assert.deepEqual(
    latestOccurrence(everySecond, {
      after: at("2023-01-01T00:00:00Z"),
      until: at("2024-01-01T00:00:00.5Z"),
    }),
    at("2024-01-01T00:00:00Z"),
  );
  assert.ok(performance.now() - started < 1000, "binary search, not a walk");
});

Deno.test("latestOccurrence: irregular schedules (weekday, L) find the true latest", () => {
  const lastDay = parseCron("0 30 2 L * ?");
  assert.deepEqual(
    latestOccurrence(lastDay, {
      after: at("2023-01-01T00:00:00Z"),
      until: at("2024-03-15T00:00:00Z"),
    }),
    at("2024-02-29T02:30:00Z"),
  );
  const wednesdays = parseCron("0 3 5 ? * 4");
  assert.deepEqual(
    latestOccurrence(wednesdays, {
      after: at("2023-01-01T00:00:00Z"),
      until: at("2023-01-25T05:02:59Z"),
    }),
    at("2023-01-18T05:03:00Z"),
  );
});
