import assert from "node:assert/strict";
import { historyLine } from "./results.ts";

Deno.test("historyLine puts date and commit first, then the result and details", () => {
  const result = {
    rows: 10,
    docs_per_sec: 5,
    ceiling_docs_per_sec: 10,
    ratio_to_ceiling: 0.5,
    resync_docs_per_sec: 4,
    peak_rss_mb: 80,
  };
  const line = historyLine({
    result,
    details: { dir_docs_per_sec: 3 },
    commit: "abc1234",
    date: new Date("2026-01-02T03:04:05Z"),
  });
  assert.deepEqual(Object.keys(line).slice(0, 3), ["date", "commit", "rows"]);
  assert.equal(line.date, "2026-01-02T03:04:05.000Z");
  assert.equal(line.dir_docs_per_sec, 3);
});
