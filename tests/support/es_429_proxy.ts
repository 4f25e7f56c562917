/**
 * A local HTTP proxy in front of the real test Elasticsearch that simulates overload on `_bulk`:
 * chosen documents come back as item-level 429 (they are taken out of the forwarded request, so
 * they really are not written), whole requests can be answered 429, and requests can be held to
 * observe how many are in flight. Everything else passes through unchanged.
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
  /** `_bulk` requests answered 429 as a whole. */
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
}

/** A running proxy. */
export interface Es429Proxy {
  /** `http://127.0.0.1:<port>` */
  url: string;
  counters: ProxyCounters;
  /** Answers the next `n` `_bulk` requests with HTTP 429 without forwarding them. */
  rejectNextRequests(n: number): void;
  /** Answers each of these document ids with an item-level 429, `times` times (default once). */
  rejectItems(ids: Iterable<string>, times?: number): void;
  /** Holds `_bulk` requests until {@linkcode release}; `held` tells how many wait. */
  hold(): void;
  release(): void;
  readonly held: number;
  close(): Promise<void>;
}

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
  };
  const rejectIds = new Map<string, number>();
  let rejectRequests = 0;
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
      if (rejectRequests > 0) {
        rejectRequests -= 1;
        counters.rejectedRequests += 1;
        return Response.json({ error: { root_cause: [REJECTED], ...REJECTED }, status: 429 }, {
          status: 429,
        });
      }
      const rejected = operations.map((op) => {
        const left = rejectIds.get(op.id) ?? 0;
        if (left > 1) rejectIds.set(op.id, left - 1);
        else rejectIds.delete(op.id);
        return left > 0;
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
    rejectNextRequests(n) {
      rejectRequests += n;
    },
    rejectItems(ids, times = 1) {
      for (const id of ids) rejectIds.set(id, (rejectIds.get(id) ?? 0) + times);
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
