import assert from "node:assert/strict";
import {
  ArrayCursor,
  escapeId,
  type IdCursor,
  RunReader,
  RunWriter,
  unescapeId,
} from "./run_file.ts";
import { forEachIdNotIn, MAX_MERGE_WIDTH, SortedIdSet } from "./sorted_id_set.ts";

async function collect(set: SortedIdSet): Promise<string[]> {
  const cursor = await set.cursor();
  const out: string[] = [];
  for (await cursor.advance(); cursor.head !== undefined; await cursor.advance()) {
    out.push(cursor.head);
  }
  cursor.close();
  return out;
}

async function notIn(existing: IdCursor, seen: IdCursor): Promise<string[]> {
  const out: string[] = [];
  const count = await forEachIdNotIn(existing, seen, (id) => {
    out.push(id);
    return undefined;
  });
  assert.equal(count, out.length);
  return out;
}

async function fill(set: SortedIdSet, ids: string[]): Promise<void> {
  for (const id of ids) await set.add(id);
}

/** Deterministic pseudo-random ids, some with characters that need escaping. */
function sampleIds(count: number): string[] {
  const odd = ["", "\n", "\\", "a\\nb", "é", "😀", "\u{10FFFF}", "\uFFFF", " ", "0", "00"];
  const ids: string[] = [...odd];
  let state = 42;
  for (let i = 0; i < count; i++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    ids.push(`doc-${state % 5000}${i % 3 === 0 ? "\n" : ""}${i % 7 === 0 ? "ü" : ""}`);
  }
  return ids;
}

Deno.test("escapeId round-trips backslashes and newlines", () => {
  for (const id of ["plain", "a\nb", "a\\nb", "\\", "\\\\n\n", "x\r\ny"]) {
    assert.equal(unescapeId(escapeId(id)), id);
    assert.ok(!escapeId(id).includes("\n"));
  }
});

Deno.test("RunReader reads back what RunWriter wrote, across chunk boundaries", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const ids = ["x".repeat(200_000), "", "a\nb", "é".repeat(70_000), "last"];
    const writer = await RunWriter.create(`${dir}/run`);
    for (const id of ids) await writer.write(id);
    await writer.close();
    const reader = await RunReader.open(`${dir}/run`);
    const read: string[] = [];
    for (await reader.advance(); reader.head !== undefined; await reader.advance()) {
      read.push(reader.head);
    }
    assert.deepEqual(read, ids);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SortedIdSet sorts and deduplicates across runs like Array.sort", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const ids = sampleIds(20_000);
    const set = new SortedIdSet({ dir, name: "seen", bufferSize: 250 });
    await fill(set, ids);
    assert.ok(set.runFiles.length > MAX_MERGE_WIDTH, "enough runs to need a multi-level merge");
    const expected = [...new Set(ids)].sort();
    assert.deepEqual(await collect(set), expected);
    assert.deepEqual(await collect(set), expected, "readable twice");
    assert.equal(set.added, ids.length);
    await set.remove();
    assert.deepEqual([...Deno.readDirSync(dir)], []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SortedIdSet without spills and when empty", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const small = new SortedIdSet({ dir, name: "small" });
    await fill(small, ["b", "a", "b"]);
    assert.deepEqual(await collect(small), ["a", "b"]);
    assert.equal(small.runFiles.length, 0);
    assert.deepEqual(await collect(new SortedIdSet({ dir, name: "empty" })), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("forEachIdNotIn passes the ids of the index that were not seen", async () => {
  const existing = ["", "0", "1", "10", "2", "a", "é"];
  const seen = ["0", "10", "11", "b", "é"];
  const cursor = (ids: string[]) => new ArrayCursor(ids);
  assert.deepEqual(await notIn(cursor(existing), cursor(seen)), ["", "1", "2", "a"]);
  assert.deepEqual(await notIn(cursor(existing), cursor([])), existing);
  assert.deepEqual(await notIn(cursor([]), cursor(seen)), []);
});

Deno.test("two SortedIdSets merge into the exact stale ids", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const index = new SortedIdSet({ dir, name: "index", bufferSize: 1000 });
    const seen = new SortedIdSet({ dir, name: "seen", bufferSize: 333 });
    const stale: string[] = [];
    for (let i = 0; i < 10_000; i++) {
      const id = String(i);
      await index.add(id);
      if (i % 10 === 3) stale.push(id);
      else await seen.add(id);
    }
    for (let i = 10_000; i < 10_500; i++) await seen.add(String(i));
    const found = await notIn(await index.cursor(), await seen.cursor());
    assert.deepEqual(found, stale.sort());
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
