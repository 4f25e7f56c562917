/**
 * A small Elasticsearch HTTP client on `fetch`: authentication, extra headers, timeouts and
 * retries with exponential backoff and jitter. We keep our own instead of the official client
 * because the service only needs a dozen endpoints and we want control over bulk bodies,
 * retries and memory.
 *
 * @example
 * ```ts
 * const es = new EsClient({ host: "http://127.0.0.1:9200", auth: { apiKey: "..." } });
 * const health = await es.request<{ status: string }>("GET", "/_cluster/health");
 * ```
 * @module
 */

import { backoffDelay, sleep } from "../util/retry.ts";
import {
  InsecureTransport,
  type TransportRequest,
  type TransportResponse,
} from "./insecure_transport.ts";

/** How the client authenticates. */
export type EsAuth =
  | { apiKey: string }
  | { username: string; password: string }
  | { none: true };

/** Options for {@linkcode EsClient}. */
export interface EsClientOptions {
  /** Base URL, e.g. `https://es.example.com:9200`. */
  host: string;
  auth: EsAuth;
  /** PEM text of extra CA certificates to trust. */
  caCerts?: string;
  /**
   * False skips checking an `https` server's certificate (`elasticsearch.verify_certs: false`);
   * default true.
   */
  verifyCerts?: boolean;
  /** Extra headers sent with every request. */
  headers?: Record<string, string>;
  /** Per-request timeout in milliseconds (default 240 000). */
  requestTimeoutMs?: number;
  /** Retries after the first attempt for retryable failures (default 5). */
  maxRetries?: number;
  /** First backoff in milliseconds; doubles each retry, with jitter, up to 60 s (default 2000). */
  retryIntervalMs?: number;
  /** Whether a timed-out request is retried (default true). */
  retryOnTimeout?: boolean;
  /** Sent as `user-agent`. */
  userAgent?: string;
  /**
   * Where the credentials come from, for 401 and 403 messages (default
   * "elasticsearch.username/password or api_key").
   */
  credentials?: string;
}

/** Options of one request. */
export interface EsRequestOptions {
  /** JSON body; serialized with `JSON.stringify`. */
  body?: unknown;
  /** Pre-serialized NDJSON body (for `_bulk`). */
  ndjson?: string;
  /** Query string parameters; `undefined` values are skipped. */
  query?: Record<string, string | number | boolean | undefined>;
  /** Statuses that are returned instead of thrown (e.g. `[404]` for existence checks). */
  allow?: number[];
  /** Set to false to make exactly one attempt. */
  retry?: boolean;
  signal?: AbortSignal;
}

/** A response: HTTP status and parsed JSON body. */
export interface EsResponse<T> {
  status: number;
  body: T;
}

/** An error answered by Elasticsearch or met on the way to it. */
export class EsError extends Error {
  /** HTTP status, or 0 when no response arrived. */
  readonly status: number;
  /** Elasticsearch's error type, e.g. `version_conflict_engine_exception`. */
  readonly type: string;
  constructor(message: string, options: { status: number; type?: string; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = "EsError";
    this.status = options.status;
    this.type = options.type ?? "";
  }
}

/** HTTP statuses worth retrying: overload and gateway errors. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);

/** Minimal Elasticsearch client; see the module docs. */
export class EsClient {
  readonly host: string;
  readonly #headers: Record<string, string>;
  readonly #credentials: string;
  readonly #httpClient?: Deno.HttpClient;
  readonly #insecure?: InsecureTransport;
  readonly #timeoutMs: number;
  readonly #maxRetries: number;
  readonly #retryIntervalMs: number;
  readonly #retryOnTimeout: boolean;
  #authenticated = false;

  constructor(options: EsClientOptions) {
    this.host = options.host.replace(/\/+$/, "");
    this.#headers = {
      "user-agent": options.userAgent ?? "connectors",
      "x-elastic-product-origin": "connectors",
      ...options.headers,
      ...authHeader(options.auth),
    };
    if (options.verifyCerts === false && this.host.startsWith("https:")) {
      this.#insecure = new InsecureTransport();
    } else if (options.caCerts) {
      this.#httpClient = Deno.createHttpClient({ caCerts: [options.caCerts] });
    }
    this.#credentials = options.credentials ?? "elasticsearch.username/password or api_key";
    this.#timeoutMs = options.requestTimeoutMs ?? 240_000;
    this.#maxRetries = options.maxRetries ?? 5;
    this.#retryIntervalMs = options.retryIntervalMs ?? 2_000;
    this.#retryOnTimeout = options.retryOnTimeout ?? true;
  }

  /** Sends one request, retrying overloads and connection errors; throws {@linkcode EsError}. */
  async request<T = Record<string, unknown>>(
    method: string,
    path: string,
    options: EsRequestOptions = {},
  ): Promise<EsResponse<T>> {
    const retries = options.retry === false ? 0 : this.#maxRetries;
    for (let attempt = 0;; attempt++) {
      try {
        return await this.#once<T>(method, path, options);
      } catch (error) {
        if (!(error instanceof EsError) || attempt >= retries || !this.#retryable(error)) {
          throw error;
        }
        if (options.signal?.aborted) throw error;
        await sleep(backoffDelay(attempt, this.#retryIntervalMs), options.signal);
      }
    }
  }

  /** Releases pooled connections. */
  close(): void {
    this.#httpClient?.close();
    this.#insecure?.close();
  }

  /**
   * Whether Elasticsearch has accepted this client's credentials at least once. A 401 after
   * that is retried: a restarted node refuses every user for a few seconds while its
   * `.security` index recovers, with the same answer as for a wrong password.
   */
  get authenticated(): boolean {
    return this.#authenticated;
  }

  #retryable(error: EsError): boolean {
    if (error.type === "timeout") return this.#retryOnTimeout;
    if (error.status === 401) return this.#authenticated;
    if (error.type === "aborted" || error.type === "tls") return false;
    return error.status === 0 || RETRYABLE_STATUSES.has(error.status);
  }

  async #once<T>(method: string, path: string, options: EsRequestOptions): Promise<EsResponse<T>> {
    const url = this.host + path + queryString(options.query);
    const headers: Record<string, string> = { ...this.#headers, accept: "application/json" };
    let body: string | undefined;
    if (options.ndjson !== undefined) {
      headers["content-type"] = "application/x-ndjson";
      body = options.ndjson;
    } else if (options.body !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(options.body);
    }
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    let response: TransportResponse;
    try {
      response = await this.#send(url, { method, headers, body, signal });
    } catch (cause) {
      if (options.signal?.aborted) {
        throw new EsError(`${method} ${path} was cancelled`, { status: 0, type: "aborted", cause });
      }
      if (timeout.aborted) {
        const seconds = this.#timeoutMs / 1000;
        throw new EsError(
          `${method} ${path} timed out after ${seconds} s (elasticsearch.request_timeout)`,
          { status: 0, type: "timeout", cause },
        );
      }
      throw connectionError(this.host, cause);
    }
    const { status, text } = response;
    if (status !== 401) this.#authenticated = true;
    const parsed = parseJson(text);
    if ((status >= 200 && status < 300) || options.allow?.includes(status)) {
      return { status, body: parsed as T };
    }
    throw errorFromResponse({
      method,
      path,
      status,
      body: parsed,
      text,
      credentials: this.#credentials,
    });
  }

  async #send(url: string, request: TransportRequest): Promise<TransportResponse> {
    if (this.#insecure) return await this.#insecure.send(url, request);
    const response = await fetch(url, { ...request, client: this.#httpClient });
    return { status: response.status, text: await response.text() };
  }
}

/**
 * The error for a request that got no response. `fetch` says only "fetch failed"; the reason
 * (refused, DNS, certificate) is in its causes. Certificate problems get their own type: they
 * are not retried, and the message says how to trust the cluster.
 */
function connectionError(host: string, cause: unknown): EsError {
  const reason = innermostMessage(cause)
    // The request URL adds nothing to the host already named, and may carry a query.
    .replace(/^error sending request for url \([^)]*\): /, "");
  const certificate = reason.match(/invalid peer certificate: (.*)$/);
  if (certificate) {
    return new EsError(
      `cannot verify the TLS certificate of Elasticsearch at ${host} (${certificate[1]}); set ` +
        `elasticsearch.ca_certs to the file of the CA that signed it (or verify_certs: false)`,
      { status: 0, type: "tls", cause },
    );
  }
  return new EsError(`cannot reach Elasticsearch at ${host}: ${reason}`, {
    status: 0,
    type: "connection",
    cause,
  });
}

function innermostMessage(error: unknown): string {
  let current = error;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  return current instanceof Error ? current.message : String(current);
}

function authHeader(auth: EsAuth): Record<string, string> {
  if ("apiKey" in auth) return { authorization: `ApiKey ${auth.apiKey}` };
  if ("username" in auth) {
    return { authorization: `Basic ${btoa(`${auth.username}:${auth.password}`)}` };
  }
  return {};
}

function queryString(query: EsRequestOptions["query"]): string {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

function parseJson(text: string): unknown {
  if (text === "") return {};
  try {
    return JSON.parse(text);
  } catch {
    return { raw: text.slice(0, 500) };
  }
}

function errorFromResponse(
  options: {
    method: string;
    path: string;
    status: number;
    body: unknown;
    text: string;
    credentials: string;
  },
): EsError {
  const { method, path, status, body, credentials } = options;
  const error = (body as { error?: unknown }).error;
  let type = "";
  let reason = "";
  if (typeof error === "string") {
    reason = error;
  } else if (error && typeof error === "object") {
    const root = error as { type?: string; reason?: string };
    type = root.type ?? "";
    reason = root.reason ?? "";
  } else {
    reason = options.text.slice(0, 200);
  }
  // HEAD answers have no body: the status alone must say what is wrong.
  const said = [type, reason].filter((part) => part !== "").join(": ");
  const hint = status === 401
    ? `; check ${credentials}`
    : status === 403
    ? `; the credentials (${credentials}) lack a privilege for this request`
    : "";
  return new EsError(`${method} ${path} failed with ${status}${said ? ` ${said}` : ""}${hint}`, {
    status,
    type,
  });
}
