/**
 * A deterministic in-process {@linkcode Source} for sync-engine tests and benchmarks: documents
 * of about 1 KB with ids 0..count-1 and a `version` field. Options remove a share of the
 * documents, change a share (version 2, new `_timestamp` and body), choose the id scheme, add
 * lazy downloads, true-incremental changes, access-control documents, or make the source hang.
 *
 * Which documents are removed or changed depends only on the index and the shares, so tests
 * compute exact expectations with {@linkcode generatedPlan}.
 *
 * @example
 * ```ts
 * const source = generatedSource({ count: 1000, removeShare: 0.1, changeShare: 0.05 });
 * const plan = generatedPlan({ count: 1000, removeShare: 0.1, changeShare: 0.05 });
 * // plan.removed documents are missing from source.docs(), plan.changed have version 2
 * ```
 * @module
 */

import type {
  Source,
  SourceChange,
  SourceDocument,
  SourceItem,
  SyncContext,
  SyncCursor,
} from "../../lib/source/types.ts";

/** Options for {@linkcode generatedSource}. */
export interface GeneratedSourceOptions {
  count: number;
  /** Share (0..1) of the documents the source no longer has. */
  removeShare?: number;
  /** Share (0..1) of the documents in version 2. */
  changeShare?: number;
  /** How index i becomes `_id` (default: the number i). */
  id?: (i: number) => string | number;
  /** Give every item a lazy download of a small attachment; `fail` picks downloads that throw. */
  downloads?: { fail?: (i: number) => boolean };
  /** Add `changes()`: from version 1 of every document to this source's state. */
  trueIncremental?: boolean;
  /** Add `accessControlDocs()` yielding this many identity documents (ids `user-<i>`). */
  accessControl?: number;
  /** After this many items, the next pull never resolves and ignores the signal. */
  hangAfter?: number;
  /** Leave `_timestamp` out of the documents. */
  noTimestamps?: boolean;
}

/** What a generated source holds compared with version 1 of all `count` documents. */
export interface GeneratedPlan {
  removed: number;
  changed: number;
  /** Documents the source yields (unchanged + changed). */
  present: number;
  /** Documents yielded in version 1. */
  unchanged: number;
}

/** A generated source plus what tests observe of it. */
export interface GeneratedSource extends Source {
  /** Downloads started so far. */
  downloadsStarted: number;
  /** The cursor `changes()` received. */
  receivedCursor?: SyncCursor | null;
  /** Whether the last iteration was finished or stopped by the engine (its `finally` ran). */
  iterationClosed: boolean;
}

const BASE_TIME = Date.UTC(2024, 0, 1);
const YEAR_MS = 365 * 24 * 3600 * 1000;
const BODY = Array.from(
  { length: 40 },
  (_, i) => `word${i} lorem ipsum dolor sit amet`,
).join(" ").slice(0, 900);

// Multiplicative hashing spreads consecutive indices evenly over [0, 1).
function bucket(i: number): number {
  return (Math.imul(i + 1, 2654435761) >>> 0) / 4294967296;
}

/** Whether document i is removed (-1), changed (2) or unchanged (1) under `options`. */
export function generatedState(
  i: number,
  options: Pick<GeneratedSourceOptions, "removeShare" | "changeShare">,
): -1 | 1 | 2 {
  const removeShare = options.removeShare ?? 0;
  const b = bucket(i);
  if (b < removeShare) return -1;
  if (b < removeShare + (options.changeShare ?? 0)) return 2;
  return 1;
}

/** Exact counts for `options`. */
export function generatedPlan(
  options: Pick<GeneratedSourceOptions, "count" | "removeShare" | "changeShare">,
): GeneratedPlan {
  let removed = 0;
  let changed = 0;
  for (let i = 0; i < options.count; i++) {
    const state = generatedState(i, options);
    if (state === -1) removed++;
    else if (state === 2) changed++;
  }
  const present = options.count - removed;
  return { removed, changed, present, unchanged: present - changed };
}

/** Document i in `version` (1 or 2), about 1 KB of JSON. */
export function generatedDoc(
  i: number,
  version: number,
  options: Pick<GeneratedSourceOptions, "id" | "noTimestamps"> = {},
): SourceDocument {
  const shift = i % 100;
  const doc: SourceDocument = {
    _id: options.id ? options.id(i) : i,
    title: `Document ${i}`,
    version,
    category: i % 3 === 0 ? "fizz" : "plain",
    rank: i,
    body: BODY.slice(shift) + BODY.slice(0, shift) + (version > 1 ? ` revised v${version}` : ""),
  };
  if (!options.noTimestamps) {
    doc._timestamp = new Date(BASE_TIME + (version - 1) * YEAR_MS + i * 1000).toISOString();
  }
  return doc;
}

/** A deterministic source; see the module docs. */
export function generatedSource(options: GeneratedSourceOptions): GeneratedSource {
  const source: GeneratedSource = {
    downloadsStarted: 0,
    iterationClosed: false,
    validateConfig: () => Promise.resolve(),
    ping: () => Promise.resolve(),
    docs: (context) => docs(context),
    cursor: () => ({ version: options.trueIncremental ? currentVersion : 1 }),
    close: () => Promise.resolve(),
  };
  let currentVersion = 1;

  function item(i: number, version: number): SourceItem {
    const doc = generatedDoc(i, version, options);
    if (!options.downloads) return { doc };
    const fail = options.downloads.fail;
    return {
      doc,
      download: (signal) => {
        source.downloadsStarted++;
        signal.throwIfAborted();
        if (fail?.(i)) return Promise.reject(new Error(`file ${i} is unreadable`));
        return Promise.resolve({ _attachment: btoa(`attachment of document ${i}`) });
      },
    };
  }

  async function hang(): Promise<void> {
    // Never settles: stands for a source stuck in a request that ignores cancellation.
    await new Promise(() => {});
  }

  async function* docs(_context: SyncContext): AsyncGenerator<SourceItem> {
    source.iterationClosed = false;
    try {
      let yielded = 0;
      for (let i = 0; i < options.count; i++) {
        const state = generatedState(i, options);
        if (state === -1) continue;
        if (options.hangAfter !== undefined && yielded === options.hangAfter) await hang();
        yielded++;
        yield item(i, state);
      }
    } finally {
      source.iterationClosed = true;
    }
  }

  if (options.trueIncremental) {
    source.changes = async function* (context): AsyncGenerator<SourceChange> {
      source.receivedCursor = context.cursor;
      for (let i = 0; i < options.count; i++) {
        const state = generatedState(i, options);
        if (state === -1) {
          yield { op: "delete", id: options.id ? options.id(i) : i };
        } else if (state === 2) {
          const { doc, download } = item(i, 2);
          yield { op: i % 2 === 0 ? "index" : "update", doc, download };
        }
      }
      currentVersion = 2;
    };
  }

  if (options.accessControl !== undefined) {
    const users = options.accessControl;
    source.accessControlDocs = async function* (): AsyncGenerator<SourceDocument> {
      for (let i = 0; i < users; i++) {
        yield {
          _id: `user-${i}`,
          identity: { email: `user${i}@example.com`, username: `user${i}` },
          query: { template: { params: { access_control: [`user${i}@example.com`] } } },
          created_at: new Date(BASE_TIME).toISOString(),
        };
      }
    };
  }
  return source;
}
