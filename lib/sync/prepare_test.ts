import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { documentId, DocumentPreparer, hashId, MAX_ID_BYTES } from "./prepare.ts";

const NOW = "2024-05-01T00:00:00.000Z";
const PIPELINE = {
  name: "p",
  extract_binary_content: true,
  reduce_whitespace: false,
  run_ml_inference: true,
};

Deno.test("documentId stringifies falsy ids and refuses missing or empty ones", () => {
  assert.equal(documentId(0), "0");
  assert.equal(documentId(false), "false");
  assert.equal(documentId(12.5), "12.5");
  assert.equal(documentId(10n), "10");
  assert.equal(documentId(""), undefined);
  assert.equal(documentId(undefined), undefined);
  assert.equal(documentId(null), undefined);
  assert.equal(documentId("ünï😀"), "ünï😀");
});

Deno.test("documentId hashes ids over 512 UTF-8 bytes with MD5 hex", () => {
  const fits = "é".repeat(256); // 512 bytes
  assert.equal(documentId(fits), fits);
  const long = "é".repeat(257); // 514 bytes in 257 code units
  const expected = createHash("md5").update(Buffer.from(long, "utf8")).digest("hex");
  assert.equal(documentId(long), expected);
  assert.equal(hashId(long), expected);
  assert.equal(documentId("a".repeat(600)), hashId("a".repeat(600)));
  assert.equal(documentId("a".repeat(MAX_ID_BYTES)), "a".repeat(MAX_ID_BYTES));
});

Deno.test("prepare sets id, _timestamp and pipeline flags and leaves _id out of the JSON", () => {
  const preparer = new DocumentPreparer({ now: NOW, pipeline: PIPELINE });
  const doc: { _id: number; [key: string]: unknown } = { _id: 0, title: "zero" };
  assert.equal(preparer.prepare(doc), "0");
  assert.deepEqual(JSON.parse(JSON.stringify(doc)), {
    title: "zero",
    id: "0",
    _timestamp: NOW,
    _extract_binary_content: true,
    _reduce_whitespace: false,
    _run_ml_inference: true,
  });
});

Deno.test("prepare keeps the source's _timestamp and adds no flags without a pipeline", () => {
  const preparer = new DocumentPreparer({ now: NOW });
  const doc = { _id: "a", _timestamp: "2020-01-01T00:00:00Z" };
  assert.equal(preparer.prepare(doc), "a");
  assert.deepEqual(JSON.parse(JSON.stringify(doc)), {
    id: "a",
    _timestamp: "2020-01-01T00:00:00Z",
  });
});

Deno.test("prepare refuses a document without a usable id and leaves it untouched", () => {
  const preparer = new DocumentPreparer({ now: NOW, pipeline: PIPELINE });
  const doc = { _id: "", title: "t" };
  assert.equal(preparer.prepare(doc), undefined);
  assert.deepEqual(doc, { _id: "", title: "t" });
});

Deno.test("prepare repairs NaN, Infinity and lone surrogates, warning once per field", () => {
  const warnings: string[] = [];
  const preparer = new DocumentPreparer({ now: NOW, warn: (message) => warnings.push(message) });
  const doc = {
    _id: "a\ud800",
    score: NaN,
    nested: { low: -Infinity, text: ["ok", "bad\udc00"], when: new Date(0) },
    body: "fine 😀",
  };
  assert.equal(preparer.prepare(doc), "a\ufffd");
  assert.deepEqual(JSON.parse(JSON.stringify(doc)), {
    score: null,
    nested: { low: null, text: ["ok", "bad\ufffd"], when: "1970-01-01T00:00:00.000Z" },
    body: "fine 😀",
    id: "a\ufffd",
    _timestamp: NOW,
  });
  assert.deepEqual(warnings, [
    'document "a\ufffd": field "score" held NaN or Infinity, which JSON cannot carry; stored null (later documents with the same problem in this field are not reported)',
    'document "a\ufffd": field "nested.low" held NaN or Infinity, which JSON cannot carry; stored null (later documents with the same problem in this field are not reported)',
    'document "a\ufffd": field "nested.text" held invalid Unicode (a lone UTF-16 surrogate), replaced with U+FFFD (later documents with the same problem in this field are not reported)',
  ]);
  preparer.prepare({ _id: "b", score: Infinity });
  assert.equal(warnings.length, 3, "the same field is reported once");
});

Deno.test("prepare walks deep documents without overflowing the stack", () => {
  let tree: Record<string, unknown> = { leaf: NaN };
  for (let i = 0; i < 100_000; i++) tree = { child: tree };
  const preparer = new DocumentPreparer({ now: NOW });
  assert.equal(preparer.prepare({ _id: "deep", tree }), "deep");
});
