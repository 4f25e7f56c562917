import assert from "node:assert/strict";
import { defaultBasicRule, validateBasicRules } from "./mod.ts";

const valid = (id: string, parts: Record<string, unknown> = {}) => ({
  id,
  policy: "include",
  field: "title",
  rule: "contains",
  value: id,
  order: 1,
  ...parts,
});

Deno.test("valid rules, DEFAULT included, are valid", () => {
  assert.deepEqual(
    validateBasicRules([
      defaultBasicRule("2024-01-01T00:00:00Z"),
      valid("a"),
      valid("b", { policy: "exclude", rule: "regex", value: "draft-\\d+", order: 2 }),
      valid("c", { rule: "GREATER_THAN", field: "size", value: "10" }),
    ]),
    { state: "valid", errors: [] },
  );
  assert.deepEqual(validateBasicRules([]), { state: "valid", errors: [] });
});

Deno.test("schema: every text property must be a non-empty string, order a number", () => {
  const result = validateBasicRules([
    { id: "a", policy: "include", field: "", rule: "equals", value: 5, order: "1" },
  ]);
  assert.deepEqual(result, {
    state: "invalid",
    errors: [{
      ids: ["a"],
      messages: [
        `Rule 'a': 'field' must be a non-empty string, got "".`,
        `Rule 'a': 'value' must be a non-empty string, got 5.`,
        `Rule 'a': 'order' must be a number, got "1".`,
      ],
    }],
  });
});

Deno.test("schema: missing properties and non-objects", () => {
  const result = validateBasicRules([{ policy: "include" }, "rule", null]);
  assert.equal(result.state, "invalid");
  assert.deepEqual(result.errors.map((error) => error.ids), [["#0"], ["#1"], ["#2"]]);
  assert.deepEqual(result.errors[0].messages, [
    "Rule '#0': 'id' must be a non-empty string, got nothing.",
    "Rule '#0': 'field' must be a non-empty string, got nothing.",
    "Rule '#0': 'rule' must be a non-empty string, got nothing.",
    "Rule '#0': 'value' must be a non-empty string, got nothing.",
    "Rule '#0': 'order' must be a number, got nothing.",
  ]);
  assert.match(result.errors[1].messages[0], /^Rule '#1' must be an object with id, policy/);
});

Deno.test("schema: policy, rule name and regex", () => {
  const result = validateBasicRules([
    valid("p", { policy: "keep" }),
    valid("r", { rule: "like" }),
    valid("x", { rule: "regex", value: "(" }),
    valid("y", { rule: "Regex", value: "a)(b" }),
  ]);
  assert.deepEqual(result.errors.map((error) => error.ids[0]), ["p", "r", "x", "y"]);
  assert.deepEqual(result.errors[0].messages, [
    `Rule 'p': policy "keep" must be include or exclude.`,
  ]);
  assert.deepEqual(result.errors[1].messages, [
    `Rule 'r': rule "like" must be one of equals, contains, starts_with, ends_with, regex, >, <, ` +
    `greater_than, less_than.`,
  ]);
  assert.match(result.errors[2].messages[0], /^Rule 'x': the regex does not compile: /);
  assert.match(result.errors[3].messages[0], /^Rule 'y': the regex does not compile: /);
});

Deno.test("no match-all regex except the DEFAULT rule", () => {
  const result = validateBasicRules([
    defaultBasicRule("t"),
    valid("a", { rule: "regex", value: ".*" }),
    valid("b", { rule: "REGEX", value: " (.*) ", field: "other" }),
    valid("c", { rule: "regex", value: ".*x" }),
    valid("d", { rule: "equals", value: ".*", field: "literal" }),
  ]);
  assert.deepEqual(result, {
    state: "invalid",
    errors: [
      {
        ids: ["a"],
        messages: [
          `Rule 'a' uses the regex ".*", which matches every document; ` +
          "delete the rule or narrow the pattern.",
        ],
      },
      {
        ids: ["b"],
        messages: [
          `Rule 'b' uses the regex "(.*)", which matches every document; ` +
          "delete the rule or narrow the pattern.",
        ],
      },
    ],
  });
});

Deno.test("semantic duplicates make every rule of the group invalid", () => {
  const result = validateBasicRules([
    valid("a", { field: "f", rule: "equals", value: "v", policy: "include" }),
    valid("b", { field: "f", rule: "EQUALS", value: "v", policy: "exclude", order: 2 }),
    valid("c", { field: "f", rule: "equals", value: "w" }),
    valid("d", { field: "n", rule: ">", value: "1" }),
    valid("e", { field: "n", rule: "greater_than", value: "1" }),
    valid("f", { field: "n", rule: "greater_than", value: "1" }),
  ]);
  assert.deepEqual(result, {
    state: "invalid",
    errors: [
      {
        ids: ["a", "b"],
        messages: [
          `Rules 'a' and 'b' are duplicates (field "f", rule "equals", value "v"); keep one.`,
        ],
      },
      {
        ids: ["d", "e", "f"],
        messages: [
          `Rules 'd', 'e' and 'f' are duplicates (field "n", rule ">", value "1"); keep one.`,
        ],
      },
    ],
  });
});

Deno.test("validators run in order and only well-formed rules reach the later ones", () => {
  const result = validateBasicRules([
    valid("dup1", { field: "f", rule: "equals", value: "v" }),
    valid("bad", { field: "f", rule: "equals", value: "v", order: null }),
    valid("all", { rule: "regex", value: ".*" }),
    valid("dup2", { field: "f", rule: "equals", value: "v" }),
  ]);
  assert.deepEqual(result.errors.map((error) => error.ids), [["bad"], ["all"], ["dup1", "dup2"]]);
});
