import assert from "node:assert/strict";
import { numeric, OID, parseArray, PARSERS } from "./values.ts";

const parse = (oid: number, text: string) => PARSERS.get(oid)!(text);

Deno.test("numeric is a number up to 15 significant digits, else the exact string", () => {
  assert.equal(numeric("12345.67"), 12345.67);
  assert.equal(numeric("-0.0001500"), -0.00015);
  assert.equal(numeric("1.500000000000000000"), 1.5);
  assert.equal(numeric("0.00"), 0);
  assert.equal(numeric("123456789012345"), 123456789012345);
  assert.equal(numeric("1234567890123456"), "1234567890123456");
  assert.equal(numeric("0.1234567890123456"), "0.1234567890123456");
  assert.equal(numeric("NaN"), "NaN");
});

Deno.test("bigint beyond 2^53 stays a string; floats drop NaN and infinities", () => {
  assert.equal(parse(OID.int8, "9007199254740991"), 9007199254740991);
  assert.equal(parse(OID.int8, "-9223372036854775808"), "-9223372036854775808");
  assert.equal(parse(OID.float8, "Infinity"), null);
  assert.equal(parse(OID.float4, "-1.5e-7"), -1.5e-7);
});

Deno.test("timestamps become ISO-8601 text without passing through Date", () => {
  assert.equal(parse(OID.timestamp, "2024-01-31 10:11:12.123456"), "2024-01-31T10:11:12.123456");
  assert.equal(parse(OID.timestamptz, "2024-01-31 10:11:12.5+00"), "2024-01-31T10:11:12.5+00:00");
  assert.equal(parse(OID.timestamptz, "2024-01-31 10:11:12+05:30"), "2024-01-31T10:11:12+05:30");
  assert.equal(parse(OID.timestamp, "infinity"), "infinity");
});

Deno.test("geometric types use the reference's text forms", () => {
  assert.equal(parse(OID.point, "(1.5,-2)"), "(1.5, -2)");
  assert.equal(parse(OID.box, "(3,4),(1,2)"), "[(3, 4), (1, 2)]");
  assert.equal(parse(OID.path, "[(0,0),(1e+20,1)]"), "open [(0, 0), (1e+20, 1)]");
  assert.equal(parse(OID.circle, "<(1,2),3>"), "((1, 2), 3)");
  assert.equal(parse(OID.line, "{1,-1,0}"), "(1, -1, 0)");
});

Deno.test("bytea becomes base64", () => {
  assert.equal(parse(OID.bytea, "\\x00ff10"), "AP8Q");
});

Deno.test("arrays: NULL, quoting, escapes, dimensions, bounds and the box delimiter", () => {
  assert.deepEqual(parseArray("{1,NULL,3}", Number, ","), [1, null, 3]);
  assert.deepEqual(parseArray('{"a b","NULL",NULL,"x\\"y","c\\\\d"}', undefined, ","), [
    "a b",
    "NULL",
    null,
    'x"y',
    "c\\d",
  ]);
  assert.deepEqual(parseArray("{{1,2},{3,4}}", Number, ","), [[1, 2], [3, 4]]);
  assert.deepEqual(parseArray("[0:1]={5,6}", Number, ","), [5, 6]);
  assert.deepEqual(parseArray("{}", Number, ","), []);
  assert.deepEqual(
    parseArray("{(3,4),(1,2);(1,1),(0,0)}", PARSERS.get(OID.box), ";"),
    ["[(3, 4), (1, 2)]", "[(1, 1), (0, 0)]"],
  );
});
