import assert from "node:assert/strict";
import {
  configuredTables,
  docId,
  fieldNames,
  fieldPrefix,
  isWildcard,
  parseSqlQueryRules,
  qualifiedName,
  quoteIdentifier,
  repairPem,
} from "./mod.ts";

Deno.test("identifiers are quoted with the quote character doubled", () => {
  assert.equal(quoteIdentifier('a "b" c'), '"a ""b"" c"');
  assert.equal(quoteIdentifier("we`ird", "`"), "`we``ird`");
  assert.equal(qualifiedName("s.x", "t"), '"s.x"."t"');
  assert.throws(() => quoteIdentifier("a\0b"), /NUL/);
});

Deno.test("tables: comma lists, lists and the wildcard", () => {
  assert.deepEqual(configuredTables(" a, b ,,c"), ["a", "b", "c"]);
  assert.deepEqual(configuredTables(["x", " ", "y"]), ["x", "y"]);
  assert.ok(isWildcard(configuredTables("*")));
  assert.ok(isWildcard([]));
  assert.ok(!isWildcard(["a"]));
});

Deno.test("field names and ids follow the reference", () => {
  const prefix = fieldPrefix({ schema: "Public", tables: ["orders", "Customers"] });
  assert.equal(prefix, "Public_Customers_orders_");
  assert.deepEqual(fieldNames(prefix, ["ID", "Name"]), [
    "public_customers_orders_id",
    "public_customers_orders_name",
  ]);
  assert.equal(fieldPrefix({ tables: ["t"] }), "t_");
  assert.equal(docId("db_s_t_", [1, null, "x"]), "db_s_t_1_x");
  assert.equal(docId("db_s_t_", [0]), "db_s_t_0");
});

Deno.test("advanced rules shape", () => {
  assert.deepEqual(parseSqlQueryRules([{ tables: ["t"], query: "SELECT 1", id_columns: ["id"] }]), {
    rules: [{ tables: ["t"], query: "SELECT 1", id_columns: ["id"] }],
  });
  assert.match(parseSqlQueryRules({}).problems![0].message, /JSON array/);
  const bad = parseSqlQueryRules([null, { tables: "t", query: 1, id_columns: [], x: 1 }]).problems!;
  assert.deepEqual(bad.map((p) => p.message), [
    'rule 1 must be an object with "tables" and "query", got null',
    "rule 2 has unknown keys x; allowed: tables, query, id_columns",
    'rule 2: "tables" must be a non-empty array of table names',
    'rule 2: "query" must be a non-empty SQL string',
    'rule 2: "id_columns" must be a non-empty array of column names',
  ]);
});

Deno.test("PEM pasted on one line gets its newlines back", () => {
  const pem = "-----BEGIN CERTIFICATE----- MIIB abc= def -----END CERTIFICATE-----";
  assert.equal(
    repairPem(pem),
    "-----BEGIN CERTIFICATE-----\nMIIB\nabc=\ndef\n-----END CERTIFICATE-----\n",
  );
  const two = `${pem}\n${pem}`;
  assert.equal(repairPem(two).split("BEGIN").length, 3);
  assert.equal(
    repairPem(" -----BEGIN CERTIFICATE----- AAA BBB -----END CERTIFICATE----- "),
    "-----BEGIN CERTIFICATE-----\nAAA\nBBB\n-----END CERTIFICATE-----\n",
  );
  const crlf = "-----BEGIN CERTIFICATE-----\r\nAAA\r\n-----END CERTIFICATE-----";
  assert.equal(repairPem(crlf), "-----BEGIN CERTIFICATE-----\nAAA\n-----END CERTIFICATE-----\n");
  const multi = "-----BEGIN CERTIFICATE-----\n  MIIB\nabc=\n-----END CERTIFICATE-----";
  assert.equal(
    repairPem(multi),
    "-----BEGIN CERTIFICATE-----\nMIIB\nabc=\n-----END CERTIFICATE-----\n",
  );
});
