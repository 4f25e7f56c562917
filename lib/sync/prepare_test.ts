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
