/**
 * A set of ids with bounded memory: ids are buffered, and each full buffer is sorted and
 * written to a run file; reading merges the runs (k-way) into one sorted, duplicate-free stream.
 * Ids compare by UTF-16 code units (JavaScript's default string order) everywhere, so two sets
 * built this way can be merged against each other.
 *
 * @example
 * ```ts
 * const seen = new SortedIdSet({ dir: "/tmp/sync-1", name: "seen", bufferSize: 50_000 });
 * await seen.add("b");
 * await seen.add("a");
 * const ids = await seen.cursor();
 * for (await ids.advance(); ids.head !== undefined; await ids.advance()) console.log(ids.head);
 * ids.close();
 * await seen.remove();
 * ```
 * @module
 */

import { ArrayCursor, type IdCursor, RunReader, RunWriter } from "./run_file.ts";

/** Ids kept in memory before a run is written (about 5 MB of typical ids). */
export const DEFAULT_BUFFER_SIZE = 50_000;
/** Most runs merged at once; more runs are first merged into bigger ones. */
export const MAX_MERGE_WIDTH = 64;

/** Options for {@linkcode SortedIdSet}. */
export interface SortedIdSetOptions {
  /** Existing directory for run files; the set owns the files it creates there. */
  dir: string;
  /** File name prefix, unique within `dir`. */
  name: string;
  /** Ids buffered in memory before a run is written. */
  bufferSize?: number;
}

/** See the module docs. */
export class SortedIdSet {
  readonly #dir: string;
  readonly #name: string;
  readonly #bufferSize: number;
  #buffer: string[] = [];
  #runs: string[] = [];
  #runCount = 0;
  #added = 0;

  constructor(options: SortedIdSetOptions) {
    this.#dir = options.dir;
    this.#name = options.name;
    this.#bufferSize = options.bufferSize ?? DEFAULT_BUFFER_SIZE;
  }

  /** Ids added, duplicates included. */
  get added(): number {
    return this.#added;
  }

  /** Run files written so far. */
  get runFiles(): readonly string[] {
    return this.#runs;
  }

  /** Adds an id; returns a promise only when a full buffer is written to disk. */
  add(id: string): Promise<void> | undefined {
    this.#added++;
    this.#buffer.push(id);
    if (this.#buffer.length < this.#bufferSize) return undefined;
    return this.#spill();
  }

  /**
   * A cursor over all ids in ascending order, each once; call its `advance()` once to load the
   * first id and `close()` when done. Call after the last {@linkcode SortedIdSet.add}; the set
   * can be read again afterwards.
   */
  async cursor(): Promise<IdCursor> {
    this.#buffer.sort();
    while (this.#runs.length + 1 > MAX_MERGE_WIDTH) await this.#mergeOldestRuns();
    const cursors: IdCursor[] = [];
    try {
      for (const path of this.#runs) cursors.push(await RunReader.open(path));
    } catch (error) {
      for (const cursor of cursors) cursor.close();
      throw error;
    }
    cursors.push(new ArrayCursor(this.#buffer));
    return new MergedCursor(cursors);
  }

  /** Deletes the run files and forgets every id. */
  async remove(): Promise<void> {
    this.#buffer = [];
    const runs = this.#runs;
    this.#runs = [];
    for (const path of runs) await Deno.remove(path).catch(() => {});
  }

  async #spill(): Promise<void> {
    const ids = this.#buffer;
    this.#buffer = [];
    ids.sort();
    const writer = await RunWriter.create(this.#nextPath());
    this.#runs.push(writer.path);
    try {
      for (const id of ids) {
        const pending = writer.write(id);
        if (pending) await pending;
      }
    } catch (error) {
      writer.abandon();
      throw error;
    }
    await writer.close();
  }

  async #mergeOldestRuns(): Promise<void> {
    const group = this.#runs.splice(0, MAX_MERGE_WIDTH);
    const writer = await RunWriter.create(this.#nextPath());
    this.#runs.push(writer.path);
    const cursors: IdCursor[] = [];
    let merged: IdCursor | undefined;
    try {
      for (const path of group) cursors.push(await RunReader.open(path));
      merged = new MergedCursor(cursors);
      for (await merged.advance(); merged.head !== undefined; await merged.advance()) {
        const pending = writer.write(merged.head);
        if (pending) await pending;
      }
    } catch (error) {
      writer.abandon();
      throw error;
    } finally {
      if (merged) merged.close();
      else for (const cursor of cursors) cursor.close();
    }
    await writer.close();
    for (const path of group) await Deno.remove(path);
  }

  #nextPath(): string {
    return `${this.#dir}/${this.#name}-${this.#runCount++}.run`;
  }
}

/**
 * Merges sorted cursors into one ascending cursor without duplicates (a binary min-heap on
 * the cursors' heads). Reads from disk only when a run's buffered ids are used up, so most
 * `advance()` calls return synchronously and allocate nothing.
 */
export class MergedCursor implements IdCursor {
  head: string | undefined = undefined;
  readonly #cursors: IdCursor[];
  #heap: IdCursor[] | undefined;

  constructor(cursors: IdCursor[]) {
    this.#cursors = cursors;
  }

  advance(): Promise<void> | undefined {
    const heap = this.#heap;
    if (heap === undefined) return this.#start();
    while (heap.length > 0) {
      const top = heap[0];
      const id = top.head!;
      const pending = top.advance();
      if (pending) {
        return pending.then(() => {
          this.#reposition(heap, top);
          if (id !== this.head) this.head = id;
          else return this.advance();
        });
      }
      this.#reposition(heap, top);
      if (id !== this.head) {
        this.head = id;
        return undefined;
      }
    }
    this.head = undefined;
    return undefined;
  }

  close(): void {
    for (const cursor of this.#cursors) cursor.close();
  }

  async #start(): Promise<void> {
    const heap: IdCursor[] = [];
    for (const cursor of this.#cursors) {
      const pending = cursor.advance();
      if (pending) await pending;
      if (cursor.head !== undefined) heap.push(cursor);
    }
    for (let i = (heap.length >> 1) - 1; i >= 0; i--) siftDown(heap, i);
    this.#heap = heap;
    return this.advance();
  }

  // The root cursor moved on: drop it when exhausted, then restore the heap order.
  #reposition(heap: IdCursor[], top: IdCursor): void {
    if (top.head === undefined) {
      const last = heap.pop()!;
      if (heap.length === 0) return;
      heap[0] = last;
    }
    siftDown(heap, 0);
  }
}

function siftDown(heap: IdCursor[], start: number): void {
  const length = heap.length;
  let index = start;
  const item = heap[index];
  for (;;) {
    const left = 2 * index + 1;
    if (left >= length) break;
    const right = left + 1;
    const child = right < length && heap[right].head! < heap[left].head! ? right : left;
    if (heap[child].head! >= item.head!) break;
    heap[index] = heap[child];
    index = child;
  }
  heap[index] = item;
}

/**
 * Calls `each` with every id of `existing` that is not in `seen`, in order; both cursors must
 * be ascending and duplicate-free (as {@linkcode SortedIdSet.cursor} gives them) and are
 * advanced from the start. Returns how many ids were passed. Awaits only when a cursor reads
 * from disk or `each` returns a promise.
 */
export async function forEachIdNotIn(
  existing: IdCursor,
  seen: IdCursor,
  each: (id: string) => Promise<void> | undefined,
): Promise<number> {
  let count = 0;
  let pending = seen.advance();
  if (pending) await pending;
  for (pending = existing.advance();; pending = existing.advance()) {
    if (pending) await pending;
    const id = existing.head;
    if (id === undefined) return count;
    while (seen.head !== undefined && seen.head < id) {
      pending = seen.advance();
      if (pending) await pending;
    }
    if (seen.head !== id) {
      count++;
      const done = each(id);
      if (done) await done;
    }
  }
}
