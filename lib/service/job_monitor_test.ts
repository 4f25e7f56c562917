import assert from "node:assert/strict";
import { configureLogging, Logger } from "../log/mod.ts";
import { type JobCheck, JobMonitor } from "./job_monitor.ts";

const lines: string[] = [];
configureLogging({ write: (line) => lines.push(line) });

Deno.test("JobMonitor writes stats, survives failures and reports a cancel once", async () => {
  let checks = 0;
  let writes = 0;
  const stops: JobCheck[] = [];
  let resolveStop!: () => void;
  const stopped = new Promise<void>((resolve) => resolveStop = resolve);
  const monitor = new JobMonitor({
    logger: new Logger(),
    checkIntervalMs: 10,
    statsIntervalMs: 20,
    check: () => {
      checks++;
      if (checks === 1) return Promise.reject(new Error("es hiccup"));
      return Promise.resolve(checks >= 4 ? "canceling" : "running");
    },
    writeStats: () => {
      writes++;
      return Promise.resolve();
    },
    onStop: (check) => {
      stops.push(check);
      resolveStop();
    },
  });
  monitor.start();
  await stopped;
  await new Promise((resolve) => setTimeout(resolve, 60));
  await monitor.stop();
  assert.deepEqual(stops, ["canceling"]);
  assert.equal(checks, 4, "no checks after the job stopped");
  assert.ok(writes >= 2, `stats kept being written (${writes})`);
  assert.ok(lines.some((line) => /could not check the job status .*es hiccup/.test(line)));
});
