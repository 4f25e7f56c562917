/**
 * The daemon's HTTP endpoints (`service.http.*`), for orchestrators and Prometheus:
 *
 * - `GET /healthz`: 200 `ok` while the process serves.
 * - `GET /readyz`: 200 `ready`, or 503 `not ready: <reason>` (see {@linkcode Readiness}).
 * - `GET /metrics`: the Prometheus text format (see {@linkcode ServiceTelemetry}).
 *
 * @example
 * ```ts
 * const server = startStatusServer({ host: "127.0.0.1", port: 9100, readiness, telemetry, logger });
 * await server.close();
 * ```
 * @module
 */
import type { Logger } from "../log/mod.ts";
import { EXPOSITION_CONTENT_TYPE } from "../metrics/mod.ts";
import { errorText } from "./loop.ts";
import { PreflightError } from "./preflight.ts";
import type { Readiness } from "./readiness.ts";
import type { ServiceTelemetry } from "./telemetry.ts";

/** Options of {@linkcode startStatusServer}. */
export interface StatusServerOptions {
  /** `service.http.host`. */
  host: string;
  /** `service.http.port` (not 0). */
  port: number;
  readiness: Readiness;
  telemetry: ServiceTelemetry;
  logger: Logger;
}

/** A listening status server. */
export interface StatusServer {
  /** Base URL, e.g. `http://127.0.0.1:9100`. */
  url: string;
  /** Stops listening once the requests being answered are done. */
  close(): Promise<void>;
}

const TEXT = "text/plain; charset=utf-8";
const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1"]);

/**
 * Listens on `host:port` and answers the endpoints above; throws {@linkcode PreflightError}
 * (one line naming `service.http`) when it cannot listen.
 */
export function startStatusServer(options: StatusServerOptions): StatusServer {
  const { host, port, logger } = options;
  const address = host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = Deno.serve({
      hostname: host,
      port,
      onListen: () => {},
      onError: (error) => {
        logger.error(`status endpoint failed: ${errorText(error)}`);
        return text(500, "internal error\n");
      },
    }, (request) => answer(request, options));
  } catch (error) {
    throw new PreflightError(listenProblem({ error, address }), { cause: error });
  }
  // The bound port, so port 0 (tests) shows the one the system chose.
  const bound = server.addr.port;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${bound}`;
  const exposure = LOOPBACK.has(host)
    ? ""
    : " (reachable from other hosts; the endpoints have no authentication)";
  logger.info(`serving /healthz, /readyz and /metrics on ${url}${exposure}`);
  let closed: Promise<void> | undefined;
  return { url, close: () => closed ??= server.shutdown() };
}

async function answer(request: Request, options: StatusServerOptions): Promise<Response> {
  if (request.method !== "GET" && request.method !== "HEAD") {
    const refused = text(405, "only GET and HEAD are allowed\n");
    refused.headers.set("allow", "GET, HEAD");
    return refused;
  }
  switch (new URL(request.url).pathname) {
    case "/healthz":
      return text(200, "ok\n");
    case "/readyz": {
      const { ready, reason } = await options.readiness.check();
      return ready ? text(200, "ready\n") : text(503, `not ready: ${reason}\n`);
    }
    case "/metrics":
      return new Response(options.telemetry.render(), {
        headers: { "content-type": EXPOSITION_CONTENT_TYPE, "cache-control": "no-store" },
      });
    default:
      return text(404, "not found: the endpoints are /healthz, /readyz and /metrics\n");
  }
}

function text(status: number, body: string): Response {
  return new Response(body, {
    status,
    headers: { "content-type": TEXT, "cache-control": "no-store" },
  });
}

function listenProblem(options: { error: unknown; address: string }): string {
  const { error, address } = options;
  const where = `service.http cannot listen on ${address}`;
  if (error instanceof Deno.errors.AddrInUse) {
    return `${where}: the port is in use; set service.http.port to a free port or stop the ` +
      `other process`;
  }
  if (error instanceof Deno.errors.PermissionDenied) {
    return `${where}: permission denied; use a port above 1023 or run with the privilege ` +
      `to bind it`;
  }
  if (error instanceof Deno.errors.AddrNotAvailable) {
    return `${where}: no network interface has that address; set service.http.host to one ` +
      `of this machine's addresses, or 0.0.0.0`;
  }
  return `${where}: ${errorText(error)}; check service.http.host and service.http.port`;
}
