import assert from "node:assert/strict";
import { ErrorBudget, TooManyServiceErrors } from "./error_budget.ts";

Deno.test("more than max_errors within the span stops; older errors are forgotten", () => {
  let now = 0;
  const budget = new ErrorBudget({ maxErrors: 2, spanSeconds: 10, now: () => now });
  budget.record(new Error("a"));
  now = 5_000;
  budget.record(new Error("b"));
  now = 10_000; // "a" is now outside the window
  budget.record(new Error("c"));
  assert.equal(budget.count, 2);
  now = 11_000;
  assert.throws(
    () => budget.record(new Error("cluster unreachable")),
    (error: unknown) =>
      error instanceof TooManyServiceErrors &&
      /3 errors within 10 s .*max_errors is 2.*cluster unreachable/.test(error.message),
  );
});
