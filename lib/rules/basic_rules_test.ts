import assert from "node:assert/strict";
import type { BasicRule } from "../sync/types.ts";
import { BasicRuleError, compileBasicRules, defaultBasicRule } from "./mod.ts";

let nextId = 0;

/** A rule with defaults for the parts a test does not care about. */
function rule(parts: Partial<BasicRule> & Pick<BasicRule, "field" | "rule" | "value">): BasicRule {
  return { id: `r${++nextId}`, policy: "exclude", order: 1, ...parts };
}

/** Whether a single exclude rule matches `doc` (an excluded document is a match). */
function matches(
  parts: Pick<BasicRule, "field" | "rule" | "value">,
  doc: Record<string, unknown>,
): boolean {
  return !compileBasicRules([rule(parts)])(doc);
}

Deno.test("no rules, or only the DEFAULT rule, keep every document", () => {
  assert.equal(compileBasicRules([])({ _id: "a" }), true);
  const onlyDefault = compileBasicRules([defaultBasicRule("2024-01-01T00:00:00Z")]);
  assert.equal(onlyDefault({ _id: "a" }), true);
});

Deno.test("the DEFAULT rule is ignored even when it would match first", () => {
  const keep = compileBasicRules([
    { ...defaultBasicRule("t"), policy: "exclude" },
    rule({ field: "x", rule: "equals", value: "1", policy: "include" }),
  ]);
  assert.equal(keep({ x: 2 }), true);
});

Deno.test("first match by order wins; no match keeps", () => {
  const keep = compileBasicRules([
    rule({ field: "kind", rule: "equals", value: "doc", policy: "exclude", order: 2 }),
    rule({ field: "title", rule: "starts_with", value: "keep", policy: "include", order: 1 }),
  ]);
  assert.equal(keep({ kind: "doc", title: "keep me" }), true, "order 1 include wins");
  assert.equal(keep({ kind: "doc", title: "drop me" }), false, "order 2 exclude");
  assert.equal(keep({ kind: "pdf", title: "other" }), true, "no match keeps");
});

Deno.test("rules with the same order keep their stored order", () => {
  const include = rule({ field: "a", rule: "equals", value: "1", policy: "include", order: 5 });
  const exclude = rule({ field: "a", rule: "equals", value: "1", policy: "exclude", order: 5 });
  assert.equal(compileBasicRules([include, exclude])({ a: 1 }), true);
  assert.equal(compileBasicRules([exclude, include])({ a: 1 }), false);
});

Deno.test("an include rule does not drop non-matching documents", () => {
  const keep = compileBasicRules([
    rule({ field: "a", rule: "equals", value: "1", policy: "include" }),
  ]);
  assert.equal(keep({ a: 1 }), true);
  assert.equal(keep({ a: 2 }), true);
});

Deno.test("a missing or null field does not match", () => {
  for (const op of ["equals", "contains", "regex", ">", "<"]) {
    assert.equal(matches({ field: "x", rule: op, value: "a" }, { y: "a" }), false, op);
    assert.equal(matches({ field: "x", rule: op, value: "a" }, { x: null }), false, op);
  }
});

Deno.test("text operators", () => {
  const doc = { title: "Quarterly report" };
  assert.equal(matches({ field: "title", rule: "equals", value: "Quarterly report" }, doc), true);
  assert.equal(matches({ field: "title", rule: "equals", value: "Quarterly" }, doc), false);
  assert.equal(matches({ field: "title", rule: "contains", value: "rly rep" }, doc), true);
  assert.equal(matches({ field: "title", rule: "contains", value: "annual" }, doc), false);
  assert.equal(matches({ field: "title", rule: "starts_with", value: "Quart" }, doc), true);
  assert.equal(matches({ field: "title", rule: "starts_with", value: "report" }, doc), false);
  assert.equal(matches({ field: "title", rule: "ends_with", value: "report" }, doc), true);
  assert.equal(matches({ field: "title", rule: "ends_with", value: "Quart" }, doc), false);
  assert.equal(matches({ field: "title", rule: ">", value: "P" }, doc), true);
  assert.equal(matches({ field: "title", rule: "<", value: "P" }, doc), false);
});

Deno.test("rule names are read in any case, with greater_than/less_than aliases", () => {
  const doc = { n: 5, s: "abc" };
  assert.equal(matches({ field: "s", rule: "EQUALS", value: "abc" }, doc), true);
  assert.equal(matches({ field: "s", rule: " Starts_With ", value: "ab" }, doc), true);
  assert.equal(matches({ field: "n", rule: "greater_than", value: "4" }, doc), true);
  assert.equal(matches({ field: "n", rule: "Less_Than", value: "4" }, doc), false);
});

Deno.test("regex is JavaScript syntax anchored at the start only", () => {
  const doc = { path: "docs/2024/report.pdf" };
  assert.equal(matches({ field: "path", rule: "regex", value: "docs/\\d{4}" }, doc), true);
  assert.equal(matches({ field: "path", rule: "regex", value: "\\d{4}" }, doc), false, "start");
  assert.equal(matches({ field: "path", rule: "regex", value: ".*\\.pdf$" }, doc), true);
  assert.equal(matches({ field: "path", rule: "regex", value: "docs$" }, doc), false);
  assert.equal(matches({ field: "path", rule: "regex", value: "x|docs" }, doc), true, "both");
  assert.equal(matches({ field: "path", rule: "regex", value: "x|2024" }, doc), false);
  assert.equal(matches({ field: "n", rule: "regex", value: "4\\d" }, { n: 42 }), true);
});

Deno.test("numbers compare as numbers when the rule value is numeric", () => {
  const doc = { size: 9, price: 10.5 };
  assert.equal(matches({ field: "size", rule: "<", value: "10" }, doc), true, "9 < 10");
  assert.equal(matches({ field: "size", rule: ">", value: "10" }, doc), false);
  assert.equal(matches({ field: "size", rule: "equals", value: "9.0" }, doc), true);
  assert.equal(matches({ field: "price", rule: ">", value: " 1e1 " }, doc), true);
  assert.equal(matches({ field: "price", rule: "equals", value: "10.5" }, doc), true);
  assert.equal(matches({ field: "size", rule: "starts_with", value: "9" }, doc), true);
  assert.equal(matches({ field: "price", rule: "contains", value: ".5" }, doc), true);
  assert.equal(matches({ field: "size", rule: "equals", value: "9" }, { size: 9n }), true);
});

Deno.test("numbers compare as text when the rule value is not numeric", () => {
  assert.equal(matches({ field: "n", rule: ">", value: "abc" }, { n: 9 }), false, '"9" > "abc"');
  assert.equal(matches({ field: "n", rule: "<", value: "abc" }, { n: 9 }), true);
  assert.equal(matches({ field: "n", rule: "equals", value: "nine" }, { n: 9 }), false);
});

Deno.test("booleans compare as booleans, so 'false' matches false", () => {
  for (const value of ["false", "FALSE", "f", "no", "n", "off", "0"]) {
    assert.equal(matches({ field: "b", rule: "equals", value }, { b: false }), true, value);
    assert.equal(matches({ field: "b", rule: "equals", value }, { b: true }), false, value);
  }
  for (const value of ["true", "True", "t", "yes", "Y", "on", "1"]) {
    assert.equal(matches({ field: "b", rule: "equals", value }, { b: true }), true, value);
    assert.equal(matches({ field: "b", rule: "equals", value }, { b: false }), false, value);
  }
  assert.equal(matches({ field: "b", rule: "equals", value: "maybe" }, { b: true }), false);
  assert.equal(matches({ field: "b", rule: "contains", value: "ru" }, { b: true }), true);
  assert.equal(matches({ field: "b", rule: ">", value: "false" }, { b: true }), true);
});

Deno.test("Date values compare by time when the rule value is an ISO date", () => {
  const doc = { modified: new Date("2024-03-01T12:00:00Z") };
  assert.equal(matches({ field: "modified", rule: ">", value: "2024-01-01" }, doc), true);
  assert.equal(matches({ field: "modified", rule: "<", value: "2024-01-01" }, doc), false);
  assert.equal(
    matches({ field: "modified", rule: "equals", value: "2024-03-01T14:00:00+02:00" }, doc),
    true,
  );
  assert.equal(matches({ field: "modified", rule: "starts_with", value: "2024-03" }, doc), true);
  assert.equal(matches({ field: "modified", rule: ">", value: "yesterday" }, doc), false);
  const invalid = { modified: new Date("nope") };
  assert.equal(matches({ field: "modified", rule: "<", value: "2024-01-01" }, invalid), false);
});

Deno.test("ISO date strings compare by time for > and <", () => {
  const doc = { updated: "2024-03-01T12:00:00+02:00" };
  assert.equal(matches({ field: "updated", rule: ">", value: "2024-03-01T11:00:00Z" }, doc), false);
  assert.equal(matches({ field: "updated", rule: "<", value: "2024-03-01T11:00:00Z" }, doc), true);
  assert.equal(matches({ field: "updated", rule: ">", value: "2024-03-01 09:59" }, doc), true);
  assert.equal(
    matches({ field: "updated", rule: "<", value: "2024-03-01T12:00:00+0200" }, doc),
    false,
  );
  assert.equal(
    matches({ field: "day", rule: "<", value: "2024-10-01" }, { day: "2024-9-30" }),
    false,
  );
  // equals stays an exact text comparison.
  assert.equal(
    matches({ field: "d", rule: "equals", value: "2024-03-01" }, { d: "2024-03-01" }),
    true,
  );
  assert.equal(
    matches({ field: "d", rule: "equals", value: "2024-03-01T00:00:00Z" }, { d: "2024-03-01" }),
    false,
  );
});

Deno.test("arrays match when any element matches", () => {
  const doc = { tags: ["draft", "internal"], sizes: [1, 50] };
  assert.equal(matches({ field: "tags", rule: "equals", value: "internal" }, doc), true);
  assert.equal(matches({ field: "tags", rule: "equals", value: "public" }, doc), false);
  assert.equal(matches({ field: "sizes", rule: ">", value: "10" }, doc), true);
  assert.equal(matches({ field: "sizes", rule: ">", value: "100" }, doc), false);
  assert.equal(matches({ field: "tags", rule: "equals", value: "x" }, { tags: [] }), false);
  assert.equal(matches({ field: "tags", rule: "equals", value: "x" }, { tags: [null, "x"] }), true);
});

Deno.test("objects compare as their JSON text", () => {
  const doc = { meta: { a: 1 } };
  assert.equal(matches({ field: "meta", rule: "equals", value: '{"a":1}' }, doc), true);
  assert.equal(matches({ field: "meta", rule: "contains", value: '"a"' }, doc), true);
});

Deno.test("dotted fields follow nested objects; a top-level dotted key wins", () => {
  const doc = { meta: { author: "ann" }, "a.b": "flat", a: { b: "nested" } };
  assert.equal(matches({ field: "meta.author", rule: "equals", value: "ann" }, doc), true);
  assert.equal(matches({ field: "a.b", rule: "equals", value: "flat" }, doc), true);
  assert.equal(matches({ field: "meta.missing", rule: "equals", value: "ann" }, doc), false);
  assert.equal(matches({ field: "meta.author.x", rule: "equals", value: "ann" }, doc), false);
});

Deno.test("the field id falls back to the document's _id", () => {
  assert.equal(matches({ field: "id", rule: "starts_with", value: "u-" }, { _id: "u-1" }), true);
  assert.equal(matches({ field: "id", rule: "equals", value: "7" }, { _id: 7, id: 8 }), false);
  assert.equal(matches({ field: "_id", rule: "equals", value: "7" }, { _id: 7 }), true);
});

Deno.test("compileBasicRules rejects unknown rules, policies and bad regexes", () => {
  assert.throws(
    () => compileBasicRules([rule({ id: "r", field: "a", rule: "like", value: "x" })]),
    (error) =>
      error instanceof BasicRuleError &&
      error.message === `Sync rule 'r' has unknown rule "like"; use one of equals, contains, ` +
          `starts_with, ends_with, regex, >, <, greater_than, less_than.`,
  );
  assert.throws(
    () =>
      compileBasicRules([
        rule({ id: "r", field: "a", rule: "equals", value: "x", policy: "keep" as never }),
      ]),
    /Sync rule 'r' has policy "keep"; use include or exclude\./,
  );
  for (const pattern of ["(", "a)(b"]) {
    assert.throws(
      () => compileBasicRules([rule({ id: "r", field: "a", rule: "regex", value: pattern })]),
      (error) =>
        error instanceof BasicRuleError && /regex that does not compile/.test(error.message),
    );
  }
});

Deno.test("policies are read in any case", () => {
  const keep = compileBasicRules([
    rule({ field: "a", rule: "equals", value: "1", policy: "EXCLUDE" as never }),
  ]);
  assert.equal(keep({ a: "1" }), false);
});

Deno.test("the compiled filter does not modify the rules it was given", () => {
  const rules = [
    rule({ field: "a", rule: "equals", value: "1", order: 2 }),
    rule({ field: "a", rule: "equals", value: "2", order: 1 }),
  ];
  const before = structuredClone(rules);
  compileBasicRules(rules);
  assert.deepEqual(rules, before);
});
