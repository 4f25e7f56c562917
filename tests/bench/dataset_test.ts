import assert from "node:assert/strict";
import { rowWriter } from "./dataset.ts";

Deno.test("rowWriter makes the same ~1 KB, ten-column COPY lines on every run", () => {
  const [a, b] = [rowWriter(1), rowWriter(1)];
  const lines = Array.from({ length: 50 }, (_, i) => a(i + 1));
  assert.deepEqual(lines, Array.from({ length: 50 }, (_, i) => b(i + 1)));
  for (const line of lines) {
    assert.equal(line.split("\t").length, 10);
    assert.ok(line.endsWith("\n") && !line.slice(0, -1).includes("\n"));
    assert.ok(!line.includes("\\") || line.includes("\t\\N\t"), "no escapes but NULL");
  }
  const average = lines.join("").length / lines.length;
  assert.ok(average > 900 && average < 1200, `average row ${average} bytes`);
});
