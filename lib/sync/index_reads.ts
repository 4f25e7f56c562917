/**
 * The reads the sync engine makes on the index it writes: every document id (for the deletion
 * sweep, a page at a time through a point in time) and the stored `_timestamp` of given ids
 * (for skip-unchanged incremental syncs).
 *
 * @example
 * ```ts
 * for await (const ids of indexIdPages({ es, index: "search-books", signal })) console.log(ids);
 * const stamps = await storedTimestamps({ es, index: "search-books", ids: ["1", "2"], signal });
 * ```
 * @module
 */

import type { EsClient } from "../es/client.ts";

/** Ids per search page when listing an index. */
export const ID_PAGE_SIZE = 10_000;
const KEEP_ALIVE = "5m";

/** Options for {@linkcode indexIdPages}. */
export interface IndexIdPagesOptions {
  es: EsClient;
  index: string;
  signal: AbortSignal;
  pageSize?: number;
}

interface PitPage {
  pit_id?: string;
  hits?: { hits?: Array<{ _id: string; sort: unknown[] }> };
}

/**
 * Every document id of `index`, in pages, read through a point in time sorted by `_shard_doc`
 * (the cheapest order; the caller sorts). Only ids travel: `_source` is off.
 */
export async function* indexIdPages(options: IndexIdPagesOptions): AsyncGenerator<string[]> {
  const { es, index, signal } = options;
  const size = options.pageSize ?? ID_PAGE_SIZE;
  const opened = await es.request<{ id: string }>(
    "POST",
    `/${encodeURIComponent(index)}/_pit`,
    { query: { keep_alive: KEEP_ALIVE }, signal },
  );
  let pitId = opened.body.id;
  try {
    let searchAfter: unknown[] | undefined;
    for (;;) {
      const response = await es.request<PitPage>("POST", "/_search", {
        query: { filter_path: "pit_id,hits.hits._id,hits.hits.sort" },
        body: {
          size,
          _source: false,
          track_total_hits: false,
          pit: { id: pitId, keep_alive: KEEP_ALIVE },
          sort: [{ _shard_doc: "asc" }],
          ...(searchAfter ? { search_after: searchAfter } : {}),
        },
        signal,
      });
      pitId = response.body.pit_id ?? pitId;
      const hits = response.body.hits?.hits ?? [];
      if (hits.length === 0) return;
      yield hits.map((hit) => hit._id);
      if (hits.length < size) return;
      searchAfter = hits[hits.length - 1].sort;
    }
  } finally {
    // Best effort: an unclosed point in time expires after KEEP_ALIVE anyway.
    await es.request("DELETE", "/_pit", { body: { id: pitId }, allow: [404], retry: false })
      .catch(() => {});
  }
}

/** Options for {@linkcode storedTimestamps}. */
export interface StoredTimestampsOptions {
  es: EsClient;
  index: string;
  ids: readonly string[];
  signal: AbortSignal;
}

/**
 * The stored `_timestamp` of each id, in the order of `ids` (undefined when the document is
 * missing or has none), with one `_mget` that fetches only that field.
 */
export async function storedTimestamps(
  options: StoredTimestampsOptions,
): Promise<(string | undefined)[]> {
  const { es, index, ids, signal } = options;
  if (ids.length === 0) return [];
  const response = await es.request<{ docs?: Array<{ _source?: { _timestamp?: unknown } }> }>(
    "POST",
    `/${encodeURIComponent(index)}/_mget`,
    {
      query: { _source_includes: "_timestamp", filter_path: "docs.found,docs._source._timestamp" },
      body: { ids },
      signal,
    },
  );
  const docs = response.body.docs ?? [];
  if (docs.length !== ids.length) {
    throw new Error(`_mget on ${index} answered ${docs.length} documents for ${ids.length} ids`);
  }
  return docs.map((doc) => {
    const stamp = doc._source?._timestamp;
    return typeof stamp === "string" ? stamp : undefined;
  });
}
