import assert from "node:assert/strict";
import { summarizeProfile } from "./cpu_profile.ts";

Deno.test("summarizeProfile splits self time by stage and finds busy stretches", () => {
  const profile = {
    nodes: [
      { id: 1, callFrame: { functionName: "(root)", url: "", lineNumber: -1 } },
      { id: 2, callFrame: { functionName: "(idle)", url: "", lineNumber: -1 } },
      {
        id: 3,
        callFrame: {
          functionName: "#prepare",
          url: "file:///w/lib/es/bulk_sink.ts",
          lineNumber: 9,
        },
      },
      {
        id: 4,
        callFrame: {
          functionName: "DataRow",
          url: "file:///c/npm/postgres/3.4.9/src/connection.js",
          lineNumber: 1,
        },
      },
    ],
    samples: [2, 3, 3, 4, 2, 3],
    timeDeltas: [10_000, 30_000, 30_000, 20_000, 10_000, 100_000],
  };
  const summary = summarizeProfile(profile);
  assert.equal(summary.totalMs, 200);
  const stage = (name: string) => summary.stages.find((s) => s.name.startsWith(name))?.ms;
  assert.equal(stage("bulk building"), 160);
  assert.equal(stage("source decoding (postgres"), 20);
  assert.equal(stage("idle"), 20);
  assert.deepEqual(summary.longestBusyMs, [100, 80]);
  assert.equal(summary.stallsOver50ms, 2);
});
