import assert from "node:assert/strict";
import { sameJson } from "./checks.ts";
import { describeFailure } from "./report.ts";

Deno.test("sameJson compares values as JSON, ignoring key order", () => {
  assert.ok(sameJson({ a: 1, b: [1, { c: "x" }] }, { b: [1, { c: "x" }], a: 1 }));
  assert.ok(!sameJson({ a: 1 }, { a: "1" }));
  assert.ok(!sameJson([1, 2], [2, 1]));
  assert.ok(!sameJson({ a: 1 }, { a: 1, b: undefined }));
  assert.ok(!sameJson(null, {}));
  assert.ok(sameJson(null, null));
});

Deno.test("a failed check reads as expected versus actual", () => {
  assert.equal(
    describeFailure({
      what: "documents in search-x after the first sync",
      expected: 300,
      actual: 299,
    }),
    "FAILED documents in search-x after the first sync: expected 300, got 299",
  );
  assert.match(
    describeFailure({ what: "field body", expected: "x".repeat(500), actual: undefined }),
    /expected "x{199}\.\.\. \(502 characters\), got nothing$/,
  );
});
