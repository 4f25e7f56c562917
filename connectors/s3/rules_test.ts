import assert from "node:assert/strict";
import { isEmptyRules, matchesExtensions, parseRules } from "./rules.ts";

Deno.test("parseRules normalizes prefixes and extensions", () => {
  assert.deepEqual(
    parseRules([
      { bucket: " docs ", prefix: "2024/", extension: ["PDF", ".Txt", " ", "."] },
      { bucket: "other" },
    ]),
    {
      rules: [
        { bucket: "docs", prefix: "2024/", extensions: [".pdf", ".txt"] },
        { bucket: "other", prefix: "", extensions: [] },
      ],
      problems: [],
    },
  );
});

Deno.test("parseRules names every problem by rule position", () => {
  assert.deepEqual(parseRules([{ bucket: "ok" }, "x", { bucket: "", extension: [1], other: 1 }]), {
    rules: undefined,
    problems: [
      'Rule 2 must be an object with "bucket" and optionally "prefix", "extension".',
      'Rule 3 has unknown keys "other"; allowed: "bucket", "prefix", "extension".',
      'Rule 3: "bucket" must be a non-empty bucket name.',
      'Rule 3: "extension" must be an array of strings, e.g. [".pdf", ".txt"].',
    ],
  });
  assert.equal(parseRules({ bucket: "x" }).problems.length, 1);
});

Deno.test("isEmptyRules and matchesExtensions", () => {
  for (const empty of [undefined, null, [], {}]) assert.equal(isEmptyRules(empty), true);
  assert.equal(isEmptyRules([{ bucket: "b" }]), false);
  assert.equal(matchesExtensions("a/b.PDF", [".pdf"]), true);
  assert.equal(matchesExtensions("a/b.tar.gz", [".gz"]), true);
  assert.equal(matchesExtensions("a/.bashrc", [".bashrc"]), false);
  assert.equal(matchesExtensions("a/folder/", [".pdf"]), false);
  assert.equal(matchesExtensions("anything", []), true);
});
