import assert from "node:assert/strict";
import { nextPageRows, PAGE_BYTES, rowBytes } from "./page_size.ts";

const asArray = (row: unknown[]) => row;

Deno.test("page sizes follow row sizes: narrow rows get fetch_size, wide rows fewer", () => {
  assert.equal(nextPageRows(null, 1000, asArray), 100, "first page before sizes are known");
  const narrow = Array.from({ length: 100 }, (_, i) => [i, "x".repeat(1000)]);
  assert.equal(nextPageRows(narrow, 1000, asArray), 1000);
  assert.equal(nextPageRows(narrow, 5000, asArray), Math.floor(PAGE_BYTES / 1008));
  const wide = Array.from({ length: 1000 }, (_, i) => [i, "x".repeat(200_000)]);
  assert.equal(nextPageRows(wide, 1000, asArray), Math.floor(PAGE_BYTES / 200_008));
  const huge = [[1, "x".repeat(PAGE_BYTES * 2)]];
  assert.equal(nextPageRows(huge, 1000, asArray), 1, "never below one row");
  const objects = [{ id: 1, body: "x".repeat(100_000) }];
  assert.equal(nextPageRows(objects, 5000, Object.values), Math.floor(PAGE_BYTES / 100_008));
});

Deno.test("row sizes count text, binary and JSON; dates and numbers as 8 bytes", () => {
  assert.equal(rowBytes(["abc", new Uint8Array(10), null, 5, new Date(0)]), 3 + 10 + 8 + 8 + 8);
  assert.equal(rowBytes([{ a: [1, 2] }]), JSON.stringify({ a: [1, 2] }).length);
  assert.equal(rowBytes([[1n, 2n]]), 64);
});
