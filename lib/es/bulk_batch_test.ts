import assert from "node:assert/strict";
import { BulkBatch, bulkOperation, utf8Length } from "./bulk_batch.ts";

const encoder = new TextEncoder();

function op(action: "index" | "update" | "delete", id: string, doc?: Record<string, unknown>) {
  const json = doc ? JSON.stringify(doc) : undefined;
  return bulkOperation(action, id, json, json ? encoder.encode(json).length : 0);
}

Deno.test("utf8Length matches TextEncoder on ASCII, accents, CJK, emoji and lone surrogates", () => {
  for (
    const text of [
      "",
      "plain",
      "café",
      "日本語テキスト",
      "emoji 😀 and 𝄞",
      "lone \ud800 x",
      "\udc00",
      "😀x",
      "a\udc00b",
      "\ud83d",
    ]
  ) {
    assert.equal(utf8Length(text), encoder.encode(text).length, text);
  }
});

Deno.test("bulkOperation builds NDJSON whose measured bytes are exact", () => {
  const index = op("index", "1", { id: "1", title: "Ünïcödé 😀" });
  assert.equal(index.ndjson, '{"index":{"_id":"1"}}\n{"id":"1","title":"Ünïcödé 😀"}\n');
  assert.equal(index.bytes, encoder.encode(index.ndjson).length);
  assert.equal(index.docBytes, encoder.encode('{"id":"1","title":"Ünïcödé 😀"}').length);

  const update = op("update", 'quote"d', { a: 1 });
  assert.equal(
    update.ndjson,
    '{"update":{"_id":"quote\\"d"}}\n{"doc":{"a":1},"doc_as_upsert":true}\n',
  );
  assert.equal(update.bytes, encoder.encode(update.ndjson).length);

  const del = op("delete", "é");
  assert.equal(del.ndjson, '{"delete":{"_id":"é"}}\n');
  assert.equal(del.bytes, encoder.encode(del.ndjson).length);
  assert.equal(del.docBytes, 0);
});

Deno.test("a batch is full at chunkSize documents, deletes counting as one", () => {
  const batch = new BulkBatch({ chunkSize: 3, chunkMaxBytes: 1_000_000 });
  batch.add(op("index", "1", { a: 1 }));
  batch.add(op("delete", "2"));
  assert.equal(batch.full, false);
  batch.add(op("update", "3", { a: 3 }));
  assert.equal(batch.full, true);
  assert.equal(batch.size, 3);
});

Deno.test("wouldOverflow says when the next document does not fit in chunkMaxBytes", () => {
  const first = op("index", "1", { text: "x".repeat(50) });
  const limit = first.bytes * 2;
  const batch = new BulkBatch({ chunkSize: 100, chunkMaxBytes: limit });
  assert.equal(batch.wouldOverflow(limit * 10), false, "an empty batch takes anything");
  batch.add(first);
  assert.equal(batch.wouldOverflow(first.bytes), false, "exactly at the limit fits");
  assert.equal(batch.wouldOverflow(first.bytes + 1), true);
  batch.add(first);
  assert.equal(batch.full, true);
  assert.equal(batch.bytes, encoder.encode(batch.body).length);
});

Deno.test("bodyOf re-assembles only the chosen items", () => {
  const batch = new BulkBatch({ chunkSize: 10, chunkMaxBytes: 1_000_000 });
  const ops = [op("index", "a", { n: 1 }), op("delete", "b"), op("update", "c", { n: 3 })];
  for (const o of ops) batch.add(o);
  assert.equal(batch.bodyOf(batch.items), batch.body);
  assert.equal(batch.bodyOf([batch.items[0], batch.items[2]]), ops[0].ndjson + ops[2].ndjson);
  assert.equal(batch.bodyOf([batch.items[1]]), ops[1].ndjson);
});
