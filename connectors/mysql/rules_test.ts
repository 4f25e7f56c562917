import assert from "node:assert/strict";
import { parseAdvancedRules } from "./rules.ts";

Deno.test("parseAdvancedRules normalizes valid rules", () => {
  assert.deepEqual(
    parseAdvancedRules([
      { tables: ["a", "b"], query: " SELECT * FROM a JOIN b;; " },
      { tables: ["v"], query: "SELECT * FROM v", id_columns: ["k"] },
    ]),
    {
      rules: [
        { tables: ["a", "b"], query: "SELECT * FROM a JOIN b" },
        { tables: ["v"], query: "SELECT * FROM v", idColumns: ["k"] },
      ],
      problems: [],
    },
  );
});

Deno.test("parseAdvancedRules names every problem by rule position", () => {
  assert.deepEqual(parseAdvancedRules({ tables: ["a"] }).problems, [
    "Advanced rules must be a JSON array of objects.",
  ]);
  const { rules, problems } = parseAdvancedRules([
    "SELECT 1",
    { tables: [], query: "SELECT 1" },
    { tables: ["a"], query: "  ", id_columns: [] },
    { tables: ["a"], query: "SELECT 1", limit: 3 },
  ]);
  assert.equal(rules, undefined);
  assert.deepEqual(problems, [
    'Rule 1 must be an object with "tables" and "query".',
    'Rule 2: "tables" must be a non-empty array of table names.',
    'Rule 3: "query" must be a non-empty SQL SELECT.',
    'Rule 3: "id_columns" must be a non-empty array of column names.',
    'Rule 4 has unknown keys "limit"; allowed: "tables", "query", "id_columns".',
  ]);
});
