import assert from "node:assert/strict";
import { BulkPacker } from "./raw_loader.ts";

Deno.test("BulkPacker cuts bodies at the document count and before the byte limit", () => {
  const byDocs = new BulkPacker({ docs: 2, bytes: 1_000_000 });
  for (let i = 0; i < 5; i++) byDocs.add(String(i), `{"n":${i}}`);
  const docs = byDocs.finish();
  assert.equal(docs.bodies.length, 3);
  assert.equal(docs.docs, 5);
  const first = new TextDecoder().decode(docs.bodies[0]);
  assert.equal(first, '{"index":{"_id":"0"}}\n{"n":0}\n{"index":{"_id":"1"}}\n{"n":1}\n');
  assert.equal(docs.bytes, docs.bodies.reduce((sum, body) => sum + body.byteLength, 0));

  const pair = '{"index":{"_id":"0"}}\n{"n":0}\n'.length;
  const byBytes = new BulkPacker({ docs: 100, bytes: pair * 2 + 1 });
  for (let i = 0; i < 5; i++) byBytes.add(String(i), `{"n":${i}}`);
  assert.deepEqual(byBytes.finish().bodies.map((body) => body.byteLength), [
    pair * 2,
    pair * 2,
    pair,
  ]);
});

Deno.test("a document larger than the byte limit still goes, alone", () => {
  const packer = new BulkPacker({ docs: 100, bytes: 10 });
  packer.add("a", '{"text":"much longer than ten bytes"}');
  packer.add("b", "{}");
  assert.equal(packer.finish().bodies.length, 2);
});
