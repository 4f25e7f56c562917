/**
 * The ingest ceiling: a minimal `_bulk` loader that sends pre-serialized NDJSON bodies with a
 * fixed number of requests in flight, plus the helpers that build those bodies from an index the
 * connector wrote (so the ceiling indexes exactly the connector's documents) and wait for
 * Elasticsearch to be idle between measurements.
 * @module
 */

/** Where and as whom the bench talks to Elasticsearch. */
export interface EsTarget {
  url: string;
  username: string;
  password: string;
}

/** Batching limits of one `_bulk` request, as `elasticsearch.bulk` sets them. */
export interface ChunkLimits {
  /** Documents per request (`chunk_size`). */
  docs: number;
  /** Bytes of NDJSON per request (`chunk_max_mem_size` MiB). */
  bytes: number;
}

/** Pre-serialized `_bulk` bodies and what they hold. */
export interface BulkBodies {
  bodies: Uint8Array<ArrayBuffer>[];
  docs: number;
  bytes: number;
}

/** Calls Elasticsearch and returns the parsed JSON; throws with the status and body on errors. */
export async function esJson<T>(
  target: EsTarget,
  options: { method: string; path: string; body?: unknown },
): Promise<T> {
  const response = await fetch(`${target.url}${options.path}`, {
    method: options.method,
    headers: {
      authorization: `Basic ${btoa(`${target.username}:${target.password}`)}`,
      "content-type": "application/json",
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  if (!response.ok) {
    throw new Error(`${options.method} ${options.path}: HTTP ${response.status} ${text}`);
  }
  return JSON.parse(text) as T;
}

/**
 * Packs documents into NDJSON `_bulk` bodies the way the connector's sink batches: a body is
 * sent when it holds `limits.docs` documents or when the next document would take it past
 * `limits.bytes`.
 *
 * @example
 * ```ts
 * const packer = new BulkPacker({ docs: 500, bytes: 5 * 1024 * 1024 });
 * packer.add("1", '{"title":"a"}');
 * const { bodies } = packer.finish();
 * ```
 */
export class BulkPacker {
  readonly #limits: ChunkLimits;
  readonly #encoder = new TextEncoder();
  readonly #bodies: Uint8Array<ArrayBuffer>[] = [];
  #lines: string[] = [];
  #lineBytes = 0;
  #docs = 0;
  #bytes = 0;

  constructor(limits: ChunkLimits) {
    this.#limits = limits;
  }

  /** Adds one `index` operation for `id` with its serialized source. */
  add(id: string, sourceJson: string): void {
    const pair = `{"index":{"_id":${JSON.stringify(id)}}}\n${sourceJson}\n`;
    const pairBytes = this.#encoder.encode(pair).byteLength;
    if (this.#lines.length > 0 && this.#lineBytes + pairBytes > this.#limits.bytes) this.#flush();
    this.#lines.push(pair);
    this.#lineBytes += pairBytes;
    this.#docs++;
    if (this.#lines.length >= this.#limits.docs) this.#flush();
  }

  /** The bodies so far, including the last partial one. */
  finish(): BulkBodies {
    this.#flush();
    return { bodies: this.#bodies, docs: this.#docs, bytes: this.#bytes };
  }

  #flush(): void {
    if (this.#lines.length === 0) return;
    this.#bodies.push(this.#encoder.encode(this.#lines.join("")));
    this.#bytes += this.#lineBytes;
    this.#lines = [];
    this.#lineBytes = 0;
  }
}

interface ScrollPage {
  _scroll_id?: string;
  hits: { hits: Array<{ _id: string; _source: unknown }> };
}

/** Reads every document of `index` (scroll, `_doc` order) into `_bulk` bodies. */
export async function dumpIndex(
  target: EsTarget,
  options: { index: string; limits: ChunkLimits },
): Promise<BulkBodies> {
  const packer = new BulkPacker(options.limits);
  let page = await esJson<ScrollPage>(target, {
    method: "POST",
    path:
      `/${options.index}/_search?scroll=2m&filter_path=_scroll_id,hits.hits._id,hits.hits._source`,
    body: { size: 5000, sort: ["_doc"] },
  });
  try {
    while ((page.hits?.hits ?? []).length > 0) {
      for (const hit of page.hits.hits) packer.add(hit._id, JSON.stringify(hit._source));
      page = await esJson<ScrollPage>(target, {
        method: "POST",
        path: "/_search/scroll?filter_path=_scroll_id,hits.hits._id,hits.hits._source",
        body: { scroll: "2m", scroll_id: page._scroll_id },
      });
    }
  } finally {
    if (page._scroll_id) {
      await esJson(target, {
        method: "DELETE",
        path: "/_search/scroll",
        body: { scroll_id: page._scroll_id },
      }).catch(() => {});
    }
  }
  return packer.finish();
}

/** Index settings Elasticsearch sets itself and refuses on create. */
const PRIVATE_SETTINGS = ["uuid", "creation_date", "provided_name", "version", "routing"];

/** Creates `to` with the settings and mappings of `from`, so both indices cost the same to fill. */
export async function copyIndexDefinition(
  target: EsTarget,
  options: { from: string; to: string },
): Promise<void> {
  type Definition = Record<string, {
    settings: { index: Record<string, unknown> };
    mappings: unknown;
  }>;
  const definition = await esJson<Definition>(target, { method: "GET", path: `/${options.from}` });
  const { settings, mappings } = definition[options.from];
  const index = { ...settings.index };
  for (const key of PRIVATE_SETTINGS) delete index[key];
  await esJson(target, {
    method: "PUT",
    path: `/${options.to}`,
    body: { settings: { index }, mappings },
  });
}

/**
 * Sends `bodies` to `index` with at most `concurrency` requests in flight and returns the
 * seconds it took; throws when Elasticsearch reports any failed item.
 *
 * @example
 * ```ts
 * const seconds = await loadBodies(es, { index: "raw", bodies, concurrency: 4 });
 * ```
 */
export async function loadBodies(
  target: EsTarget,
  options: { index: string; bodies: Uint8Array<ArrayBuffer>[]; concurrency: number },
): Promise<number> {
  const url = `${target.url}/${options.index}/_bulk?filter_path=errors,items.*.error`;
  const headers = {
    authorization: `Basic ${btoa(`${target.username}:${target.password}`)}`,
    "content-type": "application/x-ndjson",
  };
  let next = 0;
  const worker = async () => {
    while (next < options.bodies.length) {
      const body = options.bodies[next++];
      const response = await fetch(url, { method: "POST", headers, body });
      const text = await response.text();
      if (!response.ok || text.startsWith('{"errors":true')) {
        throw new Error(
          `raw _bulk into ${options.index}: HTTP ${response.status} ${text.slice(0, 500)}`,
        );
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return (performance.now() - started) / 1000;
}

/**
 * Refreshes everything and waits (polling, with a deadline) until no merge runs, so one
 * measurement does not pay for the previous one's background work. Returns how many merges
 * still run at the deadline (0 when quiet): a long merge of a large index may outlast it, and
 * the caller then measures anyway and says so.
 */
export async function waitForQuietCluster(target: EsTarget, timeoutMs = 300_000): Promise<number> {
  await esJson(target, { method: "POST", path: "/_refresh" });
  const deadline = Date.now() + timeoutMs;
  type Stats = { nodes: Record<string, { indices: { merges: { current: number } } }> };
  while (true) {
    const stats = await esJson<Stats>(target, {
      method: "GET",
      path: "/_nodes/stats/indices/merge",
    });
    const merging = Object.values(stats.nodes).reduce(
      (sum, node) => sum + node.indices.merges.current,
      0,
    );
    if (merging === 0 || Date.now() > deadline) return merging;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Document count of `index` after a refresh. */
export async function countDocs(target: EsTarget, index: string): Promise<number> {
  await esJson(target, { method: "POST", path: `/${index}/_refresh` });
  const { count } = await esJson<{ count: number }>(target, {
    method: "GET",
    path: `/${index}/_count`,
  });
  return count;
}
