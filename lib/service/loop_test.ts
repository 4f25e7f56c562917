import assert from "node:assert/strict";
import { configureLogging, Logger } from "../log/mod.ts";
import { ErrorBudget, TooManyServiceErrors } from "./error_budget.ts";
import { runLoop } from "./loop.ts";

const lines: string[] = [];
configureLogging({ write: (line) => lines.push(line) });

Deno.test("runLoop logs and counts tick errors, and stops when the budget is spent", async () => {
  let ticks = 0;
  await assert.rejects(
    runLoop({
      name: "scheduler",
      intervalSeconds: 0.001,
      signal: new AbortController().signal,
      budget: new ErrorBudget({ maxErrors: 2, spanSeconds: 60 }),
      logger: new Logger(),
      tick: () => {
        ticks++;
        return Promise.reject(new Error(`boom ${ticks}`));
      },
    }),
    (error: unknown) => error instanceof TooManyServiceErrors && /boom 3/.test(error.message),
  );
  assert.equal(ticks, 3);
  assert.equal(lines.filter((line) => /scheduler failed: boom/.test(line)).length, 3);
});

Deno.test("runLoop returns promptly when stopped during its sleep", async () => {
  const controller = new AbortController();
  let ticks = 0;
  let ticked!: () => void;
  const firstTick = new Promise<void>((resolve) => ticked = resolve);
  const running = runLoop({
    name: "cleanup",
    intervalSeconds: 3600,
    signal: controller.signal,
    budget: new ErrorBudget({ maxErrors: 2, spanSeconds: 60 }),
    logger: new Logger(),
    tick: () => {
      ticks++;
      ticked();
      return Promise.resolve();
    },
  });
  await firstTick;
  const stopped = performance.now();
  controller.abort();
  await running;
  assert.equal(ticks, 1);
  assert.ok(performance.now() - stopped < 100);
});
