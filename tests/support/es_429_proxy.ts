/**
 * A local HTTP proxy in front of the real test Elasticsearch that simulates overload on `_bulk`:
 * chosen documents come back as item-level 429 (they are taken out of the forwarded request, so
 * they really are not written), whole requests can be answered 429, a share of requests and
 * documents can be refused at random (seeded) for as long as a test wants, and requests can be
 * held to observe how many are in flight. Everything else passes through unchanged.
 *
 * @example
 * ```ts
 * const proxy = startEs429Proxy(es.url);
 * proxy.rejectItems(["doc-3", "doc-7"]);
 * proxy.rejectNextRequests(1);
 * // point an EsClient at proxy.url ...
 * await proxy.close();
 * ```
 * @module
 */

/** What the proxy has seen and done. */
export interface ProxyCounters {
  /** `_bulk` requests received (including rejected ones). */
  bulkRequests: number;
  /** `_bulk` requests refused as a whole (429, or 401 when asked). */
  rejectedRequests: number;
  /** Items answered 429. */
  rejectedItems: number;
  /** Operations per `_bulk` request received, in arrival order. */
  operationsPerRequest: number[];
  /** Bytes per `_bulk` request body received. */
  bytesPerRequest: number[];
  /** Most `_bulk` requests held or forwarded at the same time. */
  maxConcurrent: number;
  /** Path and query of each `_bulk` request. */
  bulkUrls: string[];
  /** Times Elasticsearch answered 2xx for each document id: more than 1 is a duplicate write. */
  acceptedById: Map<string, number>;
}

/** Random refusals for {@linkcode Es429Proxy.throttle}. */
export interface Throttle {
  /** Share of `_bulk` requests answered 429 as a whole (0..1). */
  requests: number;
  /** Share of the documents of the other requests answered 429 (0..1; default 0). */
  items?: number;
  /** Seed of the random choices, so a run can be repeated (default 1). */
  seed?: number;
}

/** A running proxy. */
export interface Es429Proxy {
  /** `http://127.0.0.1:<port>` */
  url: string;
  counters: ProxyCounters;
  /** Answers the next `n` `_bulk` requests with HTTP 429 without forwarding them. */
  /**
   * Answers the next `n` `_bulk` requests with `status` (default 429; 401 imitates a node whose
   * security index is still recovering) without forwarding them.
   */
  rejectNextRequests(n: number, status?: 429 | 401): void;
  /** Answers each of these document ids with an item-level 429, `times` times (default once). */
  rejectItems(ids: Iterable<string>, times?: number): void;
  /** Refuses a share of requests and documents at random until {@linkcode stopThrottling}. */
  throttle(throttle: Throttle): void;
  stopThrottling(): void;
  /** Holds `_bulk` requests until {@linkcode release}; `held` tells how many wait. */
  hold(): void;
  release(): void;
  readonly held: number;
  close(): Promise<void>;
}

const UNAUTHENTICATED = {
  type: "security_exception",
  reason: "unable to authenticate user [elastic] for REST request [/_bulk]",
};

interface Operation {
  action: string;
  id: string;
  lines: string;
}

const REJECTED = {
  type: "es_rejected_execution_exception",
  reason: "rejected execution by the test proxy (simulated overload)",
};

/** Starts the proxy on a free port of 127.0.0.1, forwarding to `upstream`. */
export function startEs429Proxy(upstream: string): Es429Proxy {
  const base = upstream.replace(/\/+$/, "");
  const counters: ProxyCounters = {
    bulkRequests: 0,
    rejectedRequests: 0,
    rejectedItems: 0,
    operationsPerRequest: [],
    bytesPerRequest: [],
    maxConcurrent: 0,
    bulkUrls: [],
    acceptedById: new Map(),
  };
  const rejectIds = new Map<string, number>();
  const rejectStatuses: number[] = [];
  let throttling: { requests: number; items: number; random: () => number } | undefined;
  let concurrent = 0;
  let gate: PromiseWithResolvers<void> | undefined;
  let held = 0;

  async function forward(request: Request, body?: string): Promise<Response> {
    const url = new URL(request.url);
    const headers = new Headers(request.headers);
    headers.delete("host");
    headers.delete("content-length");
    const response = await fetch(base + url.pathname + url.search, {
      method: request.method,
      headers,
      body: body ?? (request.body ? await request.text() : undefined),
    });
    const text = await response.text();
    const empty = request.method === "HEAD" || [204, 304].includes(response.status);
    return new Response(empty ? null : text, {
      status: response.status,
      headers: { "content-type": response.headers.get("content-type") ?? "application/json" },
    });
  }

  async function bulk(request: Request): Promise<Response> {
    const body = await request.text();
    counters.bulkRequests += 1;
    const url = new URL(request.url);
    counters.bulkUrls.push(url.pathname + url.search);
    counters.bytesPerRequest.push(new TextEncoder().encode(body).length);
    const operations = parseBulk(body);
    counters.operationsPerRequest.push(operations.length);
    concurrent += 1;
    counters.maxConcurrent = Math.max(counters.maxConcurrent, concurrent);
    try {
      while (gate) {
        held += 1;
        try {
          await gate.promise;
        } finally {
          held -= 1;
        }
      }
      const throttled = throttling !== undefined && throttling.random() < throttling.requests;
      const status = throttled ? 429 : rejectStatuses.shift();
      if (status !== undefined) {
        counters.rejectedRequests += 1;
        const error = status === 401 ? UNAUTHENTICATED : REJECTED;
        return Response.json({ error: { root_cause: [error], ...error }, status }, { status });
      }
      const rejected = operations.map((op) => {
        const left = rejectIds.get(op.id) ?? 0;
        if (left > 1) rejectIds.set(op.id, left - 1);
        else rejectIds.delete(op.id);
        return left > 0 || (throttling !== undefined && throttling.random() < throttling.items);
      });
      const kept = operations.filter((_, i) => !rejected[i]);
      let items: Array<Record<string, unknown>> = [];
      let errors = false;
      if (kept.length > 0) {
        const response = await forward(request, kept.map((op) => op.lines).join(""));
        if (response.status !== 200) return response;
        const parsed = await response.json() as {
          errors?: boolean;
          items?: Array<Record<string, unknown>>;
        };
        items = parsed.items ?? [];
        errors = parsed.errors ?? false;
        for (const item of items) {
          const result = Object.values(item)[0] as { _id?: string; status?: number };
          if (result?._id !== undefined && (result.status ?? 0) >= 200 && result.status! < 300) {
            counters.acceptedById.set(result._id, (counters.acceptedById.get(result._id) ?? 0) + 1);
          }
        }
      }
      const merged: Array<Record<string, unknown>> = [];
      let next = 0;
      operations.forEach((op, i) => {
        if (rejected[i]) {
          counters.rejectedItems += 1;
          errors = true;
          merged.push({ [op.action]: { _id: op.id, status: 429, error: REJECTED } });
        } else merged.push(items[next++]);
      });
      return Response.json({ errors, items: merged });
    } finally {
      concurrent -= 1;
    }
  }

  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (request) =>
      new URL(request.url).pathname.endsWith("/_bulk") ? bulk(request) : forward(request),
  );

  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    counters,
    rejectNextRequests(n, status = 429) {
      for (let i = 0; i < n; i++) rejectStatuses.push(status);
    },
    rejectItems(ids, times = 1) {
      for (const id of ids) rejectIds.set(id, (rejectIds.get(id) ?? 0) + times);
    },
    throttle({ requests, items = 0, seed = 1 }) {
      throttling = { requests, items, random: seededRandom(seed) };
    },
    stopThrottling() {
      throttling = undefined;
    },
    hold() {
      gate ??= Promise.withResolvers<void>();
    },
    release() {
      gate?.resolve();
      gate = undefined;
    },
    get held() {
      return held;
    },
    async close() {
      this.release();
      await server.shutdown();
    },
  };
}

// mulberry32: small, fast and good enough to spread refusals evenly.
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Splits an NDJSON `_bulk` body into operations; delete has no document line.
function parseBulk(body: string): Operation[] {
  const lines = body.split("\n");
  if (lines.at(-1) === "") lines.pop();
  const operations: Operation[] = [];
  for (let i = 0; i < lines.length; i++) {
    const header = JSON.parse(lines[i]) as Record<string, { _id?: string }>;
    const [action] = Object.keys(header);
    const id = header[action]._id ?? "";
    let text = lines[i] + "\n";
    if (action !== "delete") text += lines[++i] + "\n";
    operations.push({ action, id, lines: text });
  }
  return operations;
}
