/**
 * Document access shared by the connector and sync-job indices: realtime get, optimistic
 * concurrency control, and paging through all hits with a point in time (no 10k window).
 * @module
 */
import { EsError } from "../es/client.ts";
import type { EsClient } from "../es/client.ts";
import type { Stored } from "./types.ts";

/** Attempts of an optimistic-concurrency update before giving up, as in the reference. */
export const OCC_ATTEMPTS = 3;
/** Hits per search page. */
export const PAGE_SIZE = 100;

/** A protocol document that does not exist (or whose index does not). */
export class DocumentNotFound extends Error {
  readonly index: string;
  readonly id: string;
  constructor(index: string, id: string) {
    super(`${index}: no document with id "${id}"; check the id (connectors list / job list)`);
    this.name = "DocumentNotFound";
    this.index = index;
    this.id = id;
  }
}

/** An update that kept losing to concurrent writers. */
export class ConcurrentUpdateError extends Error {
  constructor(index: string, id: string) {
    super(
      `${index}/${id} changed under us ${OCC_ATTEMPTS} times in a row; another process keeps ` +
        `writing it, try again`,
    );
    this.name = "ConcurrentUpdateError";
  }
}

interface GetBody<T> {
  _id: string;
  found: boolean;
  _seq_no: number;
  _primary_term: number;
  _source: T;
}

/** Realtime get; null when the document or the index is missing. */
export async function getStored<T>(
  es: EsClient,
  options: { index: string; id: string; signal?: AbortSignal },
): Promise<Stored<T> | null> {
  const { status, body } = await es.request<GetBody<T>>(
    "GET",
    `/${options.index}/_doc/${encodeURIComponent(options.id)}`,
    { allow: [404], signal: options.signal },
  );
  if (status === 404 || !body.found) return null;
  return { id: body._id, seqNo: body._seq_no, primaryTerm: body._primary_term, doc: body._source };
}

/** Whether `error` is a version conflict (HTTP 409). */
export function isConflict(error: unknown): boolean {
  return error instanceof EsError && error.status === 409;
}

/** Options of {@linkcode updateWithOcc}. */
export interface OccUpdateOptions<T> {
  index: string;
  id: string;
  /**
   * Receives the fresh document (a copy it may change) and returns the top-level fields to
   * replace, or null to write nothing. Runs again after every conflict.
   */
  change: (current: Stored<T>) => Partial<T> | null | Promise<Partial<T> | null>;
  signal?: AbortSignal;
}

/**
 * Read-modify-write guarded by `if_seq_no`/`if_primary_term`: re-reads and re-runs `change` on
 * HTTP 409, up to {@linkcode OCC_ATTEMPTS} times. The whole source is written back, so the
 * returned fields replace the stored ones (objects such as `sync_cursor` are not merged).
 * Returns the written document, or null when `change` declined.
 */
export async function updateWithOcc<T>(es: EsClient, options: OccUpdateOptions<T>): Promise<
  Stored<T> | null
> {
  const { index, id, signal } = options;
  for (let attempt = 1;; attempt++) {
    const current = await getStored<T>(es, { index, id, signal });
    if (!current) throw new DocumentNotFound(index, id);
    const fields = await options.change({ ...current, doc: structuredClone(current.doc) });
    if (fields === null) return null;
    const doc = { ...current.doc, ...fields };
    try {
      const { body } = await es.request<{ _seq_no: number; _primary_term: number }>(
        "PUT",
        `/${index}/_doc/${encodeURIComponent(id)}`,
        {
          body: doc,
          query: { if_seq_no: current.seqNo, if_primary_term: current.primaryTerm },
          signal,
        },
      );
      return { id, seqNo: body._seq_no, primaryTerm: body._primary_term, doc };
    } catch (error) {
      if (!isConflict(error)) throw error;
      if (attempt >= OCC_ATTEMPTS) throw new ConcurrentUpdateError(index, id);
    }
  }
}

/**
 * Plain partial update (`_update` with `doc`, nested objects merged); for fields only one
 * writer owns, such as heartbeats. Returns the fields listed in `returnFields` after the update.
 */
export async function updateFields(
  es: EsClient,
  options: {
    index: string;
    id: string;
    fields: Record<string, unknown>;
    returnFields?: string[];
    signal?: AbortSignal;
  },
): Promise<Record<string, unknown>> {
  const { index, id } = options;
  const { status, body } = await es.request<{ get?: { _source?: Record<string, unknown> } }>(
    "POST",
    `/${index}/_update/${encodeURIComponent(id)}`,
    {
      body: { doc: options.fields },
      // Other writers (Kibana, OCC updates) may write between Elasticsearch's get and index.
      query: { _source_includes: options.returnFields?.join(","), retry_on_conflict: 3 },
      allow: [404],
      signal: options.signal,
    },
  );
  if (status === 404) throw new DocumentNotFound(index, id);
  return body.get?._source ?? {};
}

interface SearchHit<T> {
  _id: string;
  _seq_no: number;
  _primary_term: number;
  _source: T;
  sort: unknown[];
}

/** Options of {@linkcode searchAll}. */
export interface SearchAllOptions {
  index: string;
  query: unknown;
  /** Sort clauses; `_shard_doc` is appended as the tiebreaker. */
  sort?: unknown[];
  pageSize?: number;
  signal?: AbortSignal;
}

/**
 * Every hit of `query`, page by page, through a point in time and `search_after` (no
 * `from`/`size` window). Near-real-time: documents written in the last refresh interval may be
 * missing. Yields nothing when the index does not exist.
 */
export async function* searchAll<T>(
  es: EsClient,
  options: SearchAllOptions,
): AsyncGenerator<Stored<T>> {
  const { signal } = options;
  const opened = await es.request<{ id: string }>("POST", `/${options.index}/_pit`, {
    query: { keep_alive: "1m" },
    allow: [404],
    signal,
  });
  if (opened.status === 404) return;
  let pit = opened.body.id;
  try {
    let after: unknown[] | undefined;
    for (;;) {
      const { body } = await es.request<{ pit_id: string; hits: { hits: SearchHit<T>[] } }>(
        "POST",
        "/_search",
        {
          body: {
            size: options.pageSize ?? PAGE_SIZE,
            query: options.query,
            sort: [...(options.sort ?? []), { _shard_doc: "asc" }],
            pit: { id: pit, keep_alive: "1m" },
            seq_no_primary_term: true,
            track_total_hits: false,
            ...(after ? { search_after: after } : {}),
          },
          signal,
        },
      );
      pit = body.pit_id ?? pit;
      const hits = body.hits.hits;
      for (const hit of hits) {
        yield { id: hit._id, seqNo: hit._seq_no, primaryTerm: hit._primary_term, doc: hit._source };
      }
      if (hits.length < (options.pageSize ?? PAGE_SIZE)) return;
      after = hits[hits.length - 1].sort;
    }
  } finally {
    await es.request("DELETE", "/_pit", { body: { id: pit }, allow: [404] }).catch(() => {});
  }
}

/** Realtime multi-get: id to document, for the ids that exist. */
export async function getMany<T>(
  es: EsClient,
  options: { index: string; ids: string[]; signal?: AbortSignal },
): Promise<Map<string, Stored<T>>> {
  const found = new Map<string, Stored<T>>();
  if (options.ids.length === 0) return found;
  const { status, body } = await es.request<{ docs: (GetBody<T> & { error?: unknown })[] }>(
    "POST",
    `/${options.index}/_mget`,
    { body: { ids: options.ids }, allow: [404], signal: options.signal },
  );
  if (status === 404) return found;
  for (const doc of body.docs) {
    if (doc.found) {
      found.set(doc._id, {
        id: doc._id,
        seqNo: doc._seq_no,
        primaryTerm: doc._primary_term,
        doc: doc._source,
      });
    }
  }
  return found;
}

/** The current time as the ISO-8601 string stored in date fields. */
export function isoNow(now: Date = new Date()): string {
  return now.toISOString();
}
