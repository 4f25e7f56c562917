/**
 * The deletion sweep of full syncs with memory that does not grow with the index: the ids the
 * sync saw and the ids in the index are both external-sorted to disk, merged, and the ids only
 * the index has are deleted, unless there are so many that the mass-delete guard refuses.
 *
 * @example
 * ```ts
 * const deleted = await sweepDeletions({
 *   es, index: "search-books", seen, dir, label: "full sync", maxDeletionRatio: 0.5,
 *   allowMassDelete: false, signal, logger, deleteId: (id) => sink.delete(id),
 * });
 * ```
 * @module
 */

import type { EsClient } from "../es/client.ts";
import type { Logger } from "../log/mod.ts";
import { indexIdPages } from "./index_reads.ts";
import { RunReader, RunWriter } from "./run_file.ts";
import { forEachIdNotIn, SortedIdSet } from "./sorted_id_set.ts";

/** Options for {@linkcode sweepDeletions}. */
export interface SweepOptions {
  es: EsClient;
  index: string;
  /** Ids the sync saw (complete: the source has ended). */
  seen: SortedIdSet;
  /** Directory for run files; the caller removes it. */
  dir: string;
  /** What kind of sync this is, for messages ("full sync"). */
  label: string;
  maxDeletionRatio: number;
  allowMassDelete: boolean;
  signal: AbortSignal;
  logger: Logger;
  /** Deletes one document (a bulk sink's `delete`). */
  deleteId(id: string): Promise<void>;
  /** Ids per in-memory run (tests make it small). */
  bufferSize?: number;
}

/** The mass-delete guard refused: nothing was deleted. */
export class MassDeleteRefused extends Error {
  readonly stale: number;
  readonly total: number;
  constructor(message: string, counts: { stale: number; total: number }) {
    super(message);
    this.name = "MassDeleteRefused";
    this.stale = counts.stale;
    this.total = counts.total;
  }
}

/**
 * Deletes the documents of the index the sync did not see; returns how many deletions were
 * requested. Throws {@linkcode MassDeleteRefused} before deleting anything when the share of
 * stale documents exceeds `maxDeletionRatio` (unless `allowMassDelete`).
 */
export async function sweepDeletions(options: SweepOptions): Promise<number> {
  const { es, index, signal, logger } = options;
  // Documents written just before (by earlier syncs too) become visible to the point in time.
  await es.request("POST", `/${encodeURIComponent(index)}/_refresh`, { signal });
  const existing = new SortedIdSet({
    dir: options.dir,
    name: "index",
    bufferSize: options.bufferSize,
  });
  const stalePath = `${options.dir}/stale.run`;
  try {
    for await (const page of indexIdPages({ es, index, signal })) {
      for (const id of page) {
        const pending = existing.add(id);
        if (pending) await pending;
      }
    }
    const total = existing.added;
    const stale = await writeStaleIds({ existing, seen: options.seen, path: stalePath });
    if (stale === 0) return 0;
    const share = stale / total;
    if (share > options.maxDeletionRatio && !options.allowMassDelete) {
      throw new MassDeleteRefused(
        `${options.label} would delete ${stale} of ${total} documents (${percent(share)}) in ` +
          `${index}, more than service.max_deletion_ratio ${percent(options.maxDeletionRatio)}; ` +
          `nothing was deleted. If this is expected, rerun with --allow-mass-delete or raise ` +
          `service.max_deletion_ratio`,
        { stale, total },
      );
    }
    logger.info(
      `deleting ${stale} of ${total} documents of ${index} that the source no longer has`,
    );
    await deleteAll(stalePath, options.deleteId);
    return stale;
  } finally {
    await existing.remove();
    await Deno.remove(stalePath).catch(() => {});
  }
}

async function writeStaleIds(
  options: { existing: SortedIdSet; seen: SortedIdSet; path: string },
): Promise<number> {
  const writer = await RunWriter.create(options.path);
  const existing = await options.existing.cursor();
  const seen = await options.seen.cursor();
  try {
    const count = await forEachIdNotIn(existing, seen, (id) => writer.write(id));
    await writer.close();
    return count;
  } catch (error) {
    writer.abandon();
    throw error;
  } finally {
    existing.close();
    seen.close();
  }
}

async function deleteAll(path: string, deleteId: (id: string) => Promise<void>): Promise<void> {
  const reader = await RunReader.open(path);
  try {
    for (await reader.advance(); reader.head !== undefined; await reader.advance()) {
      await deleteId(reader.head);
    }
  } finally {
    reader.close();
  }
}

function percent(share: number): string {
  return `${Math.round(share * 1000) / 10}%`;
}
