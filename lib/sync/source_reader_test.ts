import assert from "node:assert/strict";
import { SourceReader } from "./source_reader.ts";

Deno.test("SourceReader yields every item, then undefined", async () => {
  async function* items() {
    yield* [1, 2, 3];
  }
  const reader = new SourceReader(items(), new AbortController().signal);
  const read: number[] = [];
  for (let item = await reader.next(); item !== undefined; item = await reader.next()) {
    read.push(item);
  }
  reader.stop();
  assert.deepEqual(read, [1, 2, 3]);
});

Deno.test("SourceReader rejects a pending next() as soon as the signal aborts", async () => {
  let closed = false;
  async function* stuck() {
    try {
      yield 1;
      await new Promise(() => {}); // a request that never answers
    } finally {
      closed = true;
    }
  }
  const controller = new AbortController();
  const reader = new SourceReader(stuck(), controller.signal);
  assert.equal(await reader.next(), 1);
  const pending = reader.next();
  controller.abort(new Error("cancelled by user"));
  await assert.rejects(pending, /cancelled by user/);
  reader.stop();
  assert.equal(closed, false, "a stuck generator cannot run its finally, and is not awaited");
});

Deno.test("SourceReader.stop closes an idle source", async () => {
  let closed = false;
  async function* items() {
    try {
      yield* [1, 2, 3];
    } finally {
      closed = true;
    }
  }
  const reader = new SourceReader(items(), new AbortController().signal);
  await reader.next();
  reader.stop();
  await Promise.resolve();
  await Promise.resolve();
  assert.ok(closed);
});
