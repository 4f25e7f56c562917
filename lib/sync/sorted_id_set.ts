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
 * for await (const id of seen.sorted()) console.log(id); // a, b
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
   * All ids in ascending order, each once. Call after the last {@linkcode SortedIdSet.add};
   * the set can be read again afterwards.
   */
  async *sorted(): AsyncGenerator<string> {
    this.#buffer.sort();
    while (this.#runs.length + 1 > MAX_MERGE_WIDTH) await this.#mergeOldestRuns();
    const cursors: IdCursor[] = [];
    try {
      for (const path of this.#runs) cursors.push(await RunReader.open(path));
      cursors.push(new ArrayCursor(this.#buffer));
      yield* mergeCursors(cursors);
    } finally {
      for (const cursor of cursors) cursor.close();
    }
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
    try {
      for (const path of group) cursors.push(await RunReader.open(path));
      for await (const id of mergeCursors(cursors)) {
        const pending = writer.write(id);
        if (pending) await pending;
      }
    } catch (error) {
      writer.abandon();
      throw error;
    } finally {
      for (const cursor of cursors) cursor.close();
    }
    await writer.close();
    for (const path of group) await Deno.remove(path);
  }

  #nextPath(): string {
    return `${this.#dir}/${this.#name}-${this.#runCount++}.run`;
  }
}

/** Merges sorted cursors into one ascending stream without duplicates (a binary min-heap). */
export async function* mergeCursors(cursors: IdCursor[]): AsyncGenerator<string> {
  const heap: IdCursor[] = [];
  for (const cursor of cursors) {
    const pending = cursor.advance();
    if (pending) await pending;
    if (cursor.head !== undefined) heap.push(cursor);
  }
  for (let i = (heap.length >> 1) - 1; i >= 0; i--) siftDown(heap, i);
  let last: string | undefined;
  while (heap.length > 0) {
    const top = heap[0];
    const id = top.head!;
    if (id !== last) {
      yield id;
      last = id;
    }
    const pending = top.advance();
    if (pending) await pending;
    if (top.head === undefined) {
      const end = heap.pop()!;
      if (heap.length === 0) break;
      heap[0] = end;
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
 * Ids of `existing` that are not in `seen`; both must be ascending and duplicate-free
 * (as {@linkcode SortedIdSet.sorted} yields them).
 */
export async function* idsNotIn(
  existing: AsyncIterable<string>,
  seen: AsyncIterable<string>,
): AsyncGenerator<string> {
  const seenIds = seen[Symbol.asyncIterator]();
  try {
    let next = await seenIds.next();
    for await (const id of existing) {
      while (!next.done && next.value < id) next = await seenIds.next();
      if (next.done || next.value !== id) yield id;
    }
  } finally {
    await seenIds.return?.();
  }
}
