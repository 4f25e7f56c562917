import assert from "node:assert/strict";
import { ErrorMonitor, TooManyErrors } from "./error_monitor.ts";
import { defaultBulkSettings } from "./from_config.ts";
import type { ErrorMonitorSettings } from "../sync/types.ts";

const DEFAULTS: ErrorMonitorSettings = defaultBulkSettings().errorMonitor;

function monitor(overrides: Partial<ErrorMonitorSettings> = {}): ErrorMonitor {
  return new ErrorMonitor({ ...DEFAULTS, ...overrides });
}

Deno.test("trips on the error after max_consecutive_errors in a row", () => {
  const m = monitor({ maxConsecutiveErrors: 3, maxErrorRate: 1 });
  for (let i = 0; i < 3; i++) m.trackError(`e${i}`);
  let error: unknown;
  try {
    m.trackError("e3");
  } catch (caught) {
    error = caught;
  }
  assert.ok(error instanceof TooManyErrors);
  assert.match(error.message, /4 errors in a row, more than .*max_consecutive_errors \(3\)/);
  assert.match(error.message, /Last errors: e0; e1; e2; e3$/);
  assert.deepEqual(error.lastErrors, ["e0", "e1", "e2", "e3"]);
});

Deno.test("a success resets the consecutive count", () => {
  const m = monitor({ maxConsecutiveErrors: 2, maxErrorRate: 1 });
  for (let i = 0; i < 10; i++) {
    m.trackError("a");
    m.trackError("b");
    m.trackSuccess();
  }
  assert.equal(m.totalErrors, 20);
  assert.equal(m.totalSuccesses, 10);
});

Deno.test("trips when total errors exceed max_total_errors", () => {
  const m = monitor({ maxTotalErrors: 5, maxErrorRate: 1 });
  for (let i = 0; i < 5; i++) {
    m.trackError(`e${i}`);
    m.trackSuccess();
  }
  assert.throws(() => m.trackError("e5"), /6 errors in total, more than .*max_total_errors \(5\)/);
});

Deno.test("trips when the error rate over the window exceeds max_error_rate", () => {
  const m = monitor({ errorWindowSize: 10, maxErrorRate: 0.2 });
  // Two errors in ten operations is exactly the limit, not over it.
  m.trackError("a");
  m.trackError("b");
  for (let i = 0; i < 8; i++) m.trackSuccess();
  // The window slides: the old errors leave as new operations arrive.
  for (let i = 0; i < 10; i++) m.trackSuccess();
  m.trackError("c");
  m.trackError("d");
  assert.throws(
    () => m.trackError("e"),
    /3 of the last 10 operations failed, more than .*max_error_rate \(0.2\)/,
  );
});

Deno.test("errors that slid out of the window no longer count towards the rate", () => {
  const m = monitor({ errorWindowSize: 4, maxErrorRate: 0.5 });
  m.trackError("a");
  m.trackError("b");
  for (let i = 0; i < 4; i++) m.trackSuccess();
  m.trackError("c");
  m.trackError("d");
  assert.equal(m.totalErrors, 4);
});

Deno.test("disabled monitor only counts", () => {
  const m = monitor({ enabled: false, maxConsecutiveErrors: 0, maxTotalErrors: 0 });
  for (let i = 0; i < 50; i++) m.trackError(`e${i}`);
  assert.equal(m.totalErrors, 50);
});

Deno.test("keeps only the last error_queue_size reasons", () => {
  const m = monitor({ enabled: false, errorQueueSize: 3 });
  for (let i = 0; i < 6; i++) m.trackError(`e${i}`);
  assert.deepEqual(m.lastErrors, ["e3", "e4", "e5"]);
});
