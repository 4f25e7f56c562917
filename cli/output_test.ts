import assert from "node:assert/strict";
import { cell, printFields, short, when } from "./output.ts";

Deno.test("printFields aligns top-level lines and each section's indented lines", () => {
  const lines: string[] = [];
  printFields([["id", "x"], ["status", null], ["configuration"], ["  a", 1], ["  long key", [
    "p",
    "q",
  ]]], (line) => lines.push(line));
  assert.deepEqual(lines, [
    "id:     x",
    "status: -",
    "configuration:",
    "  a:        1",
    "  long key: p,q",
  ]);
});

Deno.test("cells, short text and timestamps", () => {
  assert.equal(cell(""), "-");
  assert.equal(cell({ a: 1 }), '{"a":1}');
  assert.equal(cell("two\n  lines"), "two lines");
  assert.equal(short("x".repeat(10), 8), "xxxxx...");
  assert.equal(short(null), "-");
  assert.equal(when("2024-05-01T10:00:00.123Z"), "2024-05-01T10:00:00Z");
});
