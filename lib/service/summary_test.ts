import assert from "node:assert/strict";
import { emptyStats } from "../sync/stats.ts";
import { jobSummary } from "./summary.ts";

Deno.test("jobSummary names every counter, the duration and the rate", () => {
  const stats = { ...emptyStats(), created: 8, updated: 2, deleted: 2, failed: 1 };
  assert.equal(
    jobSummary({ jobId: "j1", jobType: "full", status: "completed", stats, durationMs: 4000 }),
    "job j1 (full) completed in 4.0 s: 8 created, 2 updated, 2 deleted, 1 failed, 3.0 docs/s",
  );
  assert.match(
    jobSummary({
      jobId: "j1",
      jobType: "full",
      status: "error",
      stats,
      durationMs: 0,
      error: "boom",
    }),
    /error in 0\.0 s: .*0\.0 docs\/s; error: boom$/,
  );
});
